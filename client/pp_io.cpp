#include "pp_io.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace psgw::pp {
namespace {

[[noreturn]] void fail_errno(const char* what) {
    const int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) {
        throw PpError(std::string("psgw: ") + what + ": timed out (no progress for the I/O timeout)");
    }
    throw PpError(std::string("psgw: ") + what + ": " + std::strerror(err));
}

}  // namespace

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.release();
    }
    return *this;
}

void tune_socket(int fd, int io_timeout_s) {
    timeval tv{};
    tv.tv_sec = io_timeout_s;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
        fail_errno("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)");
    }
    const int one = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        fail_errno("setsockopt(TCP_NODELAY)");
    }
}

void write_all(int fd, std::span<const std::uint8_t> head, std::span<const std::uint8_t> body) {
    iovec iov[2] = {{const_cast<std::uint8_t*>(head.data()), head.size()},
                    {const_cast<std::uint8_t*>(body.data()), body.size()}};
    int first = 0;
    while (first < 2) {
        msghdr msg{};
        msg.msg_iov = iov + first;
        msg.msg_iovlen = static_cast<std::size_t>(2 - first);
        const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("send");
        }
        auto left = static_cast<std::size_t>(n);
        while (first < 2 && left >= iov[first].iov_len) {
            left -= iov[first].iov_len;
            ++first;
        }
        if (first < 2) {
            iov[first].iov_base = static_cast<std::uint8_t*>(iov[first].iov_base) + left;
            iov[first].iov_len -= left;
        }
    }
}

void read_exact(int fd, std::span<std::uint8_t> data) {
    std::size_t got = 0;
    while (got < data.size()) {
        const ssize_t n = ::recv(fd, data.data() + got, data.size() - got, 0);
        if (n > 0) {
            got += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) throw PpError("psgw: connection closed by the peer in the middle of a test");
        if (errno == EINTR) continue;
        fail_errno("recv");
    }
}

}  // namespace psgw::pp
