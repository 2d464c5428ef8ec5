#include "posix/fd_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace psgw::posix {
namespace {

constexpr std::size_t kMaxParts = 8;

IoResult failed(int error, std::size_t done) noexcept {
    if (error == ETIMEDOUT) return {IoStatus::kTimeout, ETIMEDOUT, done};
    return {IoStatus::kError, error, done};
}

/// After EAGAIN: a blocking fd only reports it when SO_RCVTIMEO/SO_SNDTIMEO expired,
/// a non-blocking one waits for readiness until the deadline. Returns 0 to retry.
int after_eagain(int fd, short events, Clock::time_point deadline) noexcept {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK) == 0) return ETIMEDOUT;
    return wait_for(fd, events, deadline);
}

bool is_eagain(int error) noexcept { return error == EAGAIN || error == EWOULDBLOCK; }

}  // namespace

int wait_for(int fd, short events, Clock::time_point deadline) noexcept {
    for (;;) {
        int timeout_ms = -1;
        if (deadline != kNoDeadline) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) return ETIMEDOUT;
            timeout_ms = static_cast<int>(std::min<long long>(left, INT_MAX));
        }
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, timeout_ms);
        if (n > 0) return 0;
        if (n == 0) return ETIMEDOUT;
        if (errno != EINTR) return errno;
    }
}

IoResult write_all(int fd, std::span<const iovec> parts, Clock::time_point deadline) noexcept {
    if (parts.size() > kMaxParts) return {IoStatus::kError, EINVAL, 0};
    iovec iov[kMaxParts];
    std::size_t count = 0;
    for (const iovec& part : parts)
        if (part.iov_len > 0) iov[count++] = part;
    std::size_t first = 0;
    std::size_t done = 0;
    bool socket = true;  // until the kernel says ENOTSOCK (pipes, files)
    while (first < count) {
        ssize_t n;
        if (socket) {
            msghdr msg{};
            msg.msg_iov = iov + first;
            msg.msg_iovlen = count - first;
            n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
            if (n < 0 && errno == ENOTSOCK) {
                socket = false;
                continue;
            }
        } else {
            n = ::writev(fd, iov + first, static_cast<int>(count - first));
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (is_eagain(errno)) {
                if (const int err = after_eagain(fd, POLLOUT, deadline)) return failed(err, done);
                continue;
            }
            return failed(errno, done);
        }
        if (n == 0) return failed(EPIPE, done);
        done += static_cast<std::size_t>(n);
        auto left = static_cast<std::size_t>(n);
        while (first < count && left >= iov[first].iov_len) left -= iov[first++].iov_len;
        if (first < count) {
            iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
            iov[first].iov_len -= left;
        }
    }
    return {IoStatus::kOk, 0, done};
}

IoResult write_all(int fd, const void* data, std::size_t size, Clock::time_point deadline) noexcept {
    const iovec part{const_cast<void*>(data), size};
    return write_all(fd, std::span<const iovec>(&part, 1), deadline);
}

IoResult read_exact(int fd, void* data, std::size_t size, Clock::time_point deadline) noexcept {
    auto* out = static_cast<char*>(data);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::read(fd, out + done, size - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) return {IoStatus::kEof, 0, done};
        if (errno == EINTR) continue;
        if (is_eagain(errno)) {
            if (const int err = after_eagain(fd, POLLIN, deadline)) return failed(err, done);
            continue;
        }
        return failed(errno, done);
    }
    return {IoStatus::kOk, 0, done};
}

IoResult read_to_eof(int fd, std::string& out, std::size_t keep) {
    char buffer[8192];
    std::size_t done = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0) return {IoStatus::kOk, 0, done};
        if (n < 0) {
            if (errno == EINTR) continue;
            return failed(errno, done);
        }
        const auto got = static_cast<std::size_t>(n);
        done += got;
        const std::size_t room = keep > out.size() ? keep - out.size() : 0;
        out.append(buffer, std::min(got, room));
    }
}

}  // namespace psgw::posix
