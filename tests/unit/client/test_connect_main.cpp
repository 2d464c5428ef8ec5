// psgw_test_connect: an ordinary TCP client for the loopback tests. With mode
// "blocking" or "nonblocking" it uses plain libc connect() (run under LD_PRELOAD it
// is the "unmodified program"); with mode "api" it uses psgw_connect().
// Mode "blocking-close-at-exit" is "blocking", but the socket is closed only by a
// library destructor during exit, after LD_PRELOAD libraries have been finalised.
// Usage: psgw_test_connect MODE ADDR PORT BYTES
// Prints "peer=ADDR:PORT echo=ok bytes=N" and exits 0, or "connect errno=NAME" (2),
// or "echo mismatch" (3), or "io error ..." (4).
#include "psgw/psgw.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" void psgw_test_close_at_exit(int fd);  // exit_close_lib.cpp

namespace {

int connect_plain(const sockaddr_in& sa, bool nonblocking) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) {
        if (nonblocking) std::printf("connect=immediate ");
        return fd;
    }
    if (!nonblocking || errno != EINPROGRESS) return -1;
    std::printf("connect=inprogress ");
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 10000) != 1) {
        errno = ETIMEDOUT;
        return -1;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: psgw_test_connect api|blocking|nonblocking ADDR PORT BYTES\n");
        return 1;
    }
    const std::string mode = argv[1];
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[3])));
    if (::inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) return 1;
    const std::size_t bytes = std::strtoul(argv[4], nullptr, 10);

    const bool close_at_exit = mode == "blocking-close-at-exit";
    if (close_at_exit) {
        // A larger fd table makes the preload's peer table big enough to be mmap'd, so
        // that touching it after it was freed faults instead of corrupting the heap.
        rlimit rl{};
        if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            ::setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    int fd = -1;
    if (mode == "api") {
        fd = psgw_connect(reinterpret_cast<const sockaddr*>(&sa), sizeof sa, 5000);
    } else {
        fd = connect_plain(sa, mode == "nonblocking");
    }
    if (fd < 0) {
        std::printf("connect errno=%s\n", strerrorname_np(errno));
        return 2;
    }
    // Both directions: the payload is echoed by the server.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    sockaddr_in peer{};
    socklen_t plen = sizeof peer;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen);
    char text[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    std::printf("peer=%s:%u ", text, ntohs(peer.sin_port));

    std::vector<unsigned char> out(bytes), in(bytes);
    for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<unsigned char>((i * 7 + i / 251) & 0xff);
    std::size_t sent = 0;
    std::size_t got = 0;
    while (got < bytes) {
        if (sent < bytes) {
            const ssize_t n =
                ::send(fd, out.data() + sent, std::min<std::size_t>(bytes - sent, 65536), MSG_NOSIGNAL);
            if (n <= 0) {
                std::printf("io error send: %s\n", std::strerror(errno));
                return 4;
            }
            sent += static_cast<std::size_t>(n);
        }
        const ssize_t n = ::recv(fd, in.data() + got, bytes - got, sent < bytes ? MSG_DONTWAIT : 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            std::printf("io error recv: %s\n", n == 0 ? "end of stream" : std::strerror(errno));
            return 4;
        }
        if (n > 0) got += static_cast<std::size_t>(n);
    }
    if (in != out) {
        std::printf("echo mismatch\n");
        return 3;
    }
    std::printf("echo=ok bytes=%zu\n", bytes);
    std::fflush(stdout);
    if (close_at_exit) {
        psgw_test_close_at_exit(fd);
    } else {
        ::close(fd);
    }
    return 0;
}
