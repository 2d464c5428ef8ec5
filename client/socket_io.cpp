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

int wait_for(int fd, short events, Clock::time_point deadline) noexcept {
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return ETIMEDOUT;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left));
        if (n > 0) return 0;  // readiness or error: the next call reports which
        if (n == 0) return ETIMEDOUT;
        if (errno != EINTR) return errno;
    }
}

int timed_connect(int fd, const sockaddr* sa, socklen_t len, Clock::time_point deadline,
                  ConnectFn connect_fn) noexcept {
    if (connect_fn(fd, sa, len) == 0) return 0;
    if (errno != EINPROGRESS) return errno;
    if (const int err = wait_for(fd, POLLOUT, deadline)) return err;
    int so_error = 0;
    socklen_t so_len = sizeof so_error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0) return errno;
    return so_error;
}

int send_all(int fd, const std::uint8_t* data, std::size_t len, Clock::time_point deadline) noexcept {
    while (len > 0) {
        const ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (const int err = wait_for(fd, POLLOUT, deadline)) return err;
            continue;
        }
        return n < 0 ? errno : EPIPE;
    }
    return 0;
}

int recv_exact(int fd, std::uint8_t* data, std::size_t len, Clock::time_point deadline) noexcept {
    while (len > 0) {
        const ssize_t n = ::recv(fd, data, len, 0);
        if (n > 0) {
            data += n;
            len -= static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) return ECONNRESET;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (const int err = wait_for(fd, POLLIN, deadline)) return err;
            continue;
        }
        return errno;
    }
    return 0;
}

}  // namespace psgw::client
