#include "socket_io.hpp"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>

namespace psgw::client {

NonBlockingScope::NonBlockingScope(int fd) noexcept : fd_(fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        error_ = errno;
        return;
    }
    flags_ = flags;
}

NonBlockingScope::~NonBlockingScope() {
    if (flags_ >= 0) ::fcntl(fd_, F_SETFL, flags_);
}

Clock::time_point deadline_after(int timeout_ms) noexcept {
    return Clock::now() + std::chrono::milliseconds(timeout_ms);
}

int timed_connect(int fd, const sockaddr* sa, socklen_t len, Clock::time_point deadline,
                  ConnectFn connect_fn) noexcept {
    if (connect_fn(fd, sa, len) == 0) return 0;
    if (errno != EINPROGRESS) return errno;
    if (const int err = posix::wait_for(fd, POLLOUT, deadline)) return err;
    int so_error = 0;
    socklen_t so_len = sizeof so_error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0) return errno;
    return so_error;
}

}  // namespace psgw::client
