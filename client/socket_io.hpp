#pragma once

#include "posix/fd_io.hpp"

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace psgw::client {

/// Clock for deadlines.
using Clock = posix::Clock;

/// The connect(2) to use. The preload passes the real libc connect (dlsym
/// RTLD_NEXT) so that it does not call itself.
using ConnectFn = int (*)(int, const sockaddr*, socklen_t);

/// Puts a socket in non-blocking mode for its lifetime and restores the original
/// file status flags afterwards, however the scope is left.
class NonBlockingScope {
public:
    /// Switches `fd`; check error() afterwards.
    explicit NonBlockingScope(int fd) noexcept;
    ~NonBlockingScope();
    NonBlockingScope(const NonBlockingScope&) = delete;
    NonBlockingScope& operator=(const NonBlockingScope&) = delete;
    /// 0, or the errno of the failed fcntl.
    int error() const noexcept { return error_; }

private:
    int fd_;
    int flags_ = -1;
    int error_ = 0;
};

/// connect() on a non-blocking socket, waiting until `deadline`. Returns 0 or errno.
int timed_connect(int fd, const sockaddr* sa, socklen_t len, Clock::time_point deadline,
                  ConnectFn connect_fn) noexcept;

/// Deadline `timeout_ms` from now.
Clock::time_point deadline_after(int timeout_ms) noexcept;

}  // namespace psgw::client
