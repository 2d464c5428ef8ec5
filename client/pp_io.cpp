#include "pp_io.hpp"

#include "posix/fd_io.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace psgw::pp {
namespace {

[[noreturn]] void fail(const char* what, int err) {
    if (err == ETIMEDOUT || err == EAGAIN || err == EWOULDBLOCK) {
        throw PpError(std::string("psgw: ") + what + ": timed out (no progress for the I/O timeout)");
    }
    throw PpError(std::string("psgw: ") + what + ": " + std::strerror(err));
}

}  // namespace

void tune_socket(int fd, int io_timeout_s) {
    timeval tv{};
    tv.tv_sec = io_timeout_s;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
        fail("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)", errno);
    }
    const int one = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        fail("setsockopt(TCP_NODELAY)", errno);
    }
}

void write_all(int fd, std::span<const std::uint8_t> head, std::span<const std::uint8_t> body) {
    const iovec parts[2] = {{const_cast<std::uint8_t*>(head.data()), head.size()},
                            {const_cast<std::uint8_t*>(body.data()), body.size()}};
    const posix::IoResult result = posix::write_all(fd, parts);
    if (!result) fail("send", result.error);
}

void read_exact(int fd, std::span<std::uint8_t> data) {
    const posix::IoResult result = posix::read_exact(fd, data.data(), data.size());
    if (result.status == posix::IoStatus::kEof) {
        throw PpError("psgw: connection closed by the peer in the middle of a test");
    }
    if (!result) fail("recv", result.error);
}

}  // namespace psgw::pp
