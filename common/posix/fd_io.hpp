// The one read-exactly / write-all pair for every psgw process: blocking or
// non-blocking descriptors, sockets, pipes and files, with an optional deadline.
// No exceptions and no allocation (read_to_eof aside), so the preload shim and the
// SPANK plugin can use it.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <limits>
#include <span>
#include <string>

namespace psgw::posix {

using Clock = std::chrono::steady_clock;

/// No deadline: wait as long as the descriptor blocks (SO_RCVTIMEO/SO_SNDTIMEO still apply).
inline constexpr Clock::time_point kNoDeadline = Clock::time_point::max();

/// How a transfer ended.
enum class IoStatus {
    kOk,       ///< all bytes transferred
    kEof,      ///< read_exact: end of stream before all bytes arrived (`done` says how many)
    kTimeout,  ///< the deadline passed, or SO_RCVTIMEO/SO_SNDTIMEO expired on a blocking fd
    kError,    ///< `error` holds the errno
};

/// Outcome of read_exact/write_all.
struct IoResult {
    IoStatus status = IoStatus::kOk;
    int error = 0;         ///< errno for kError, ETIMEDOUT for kTimeout, 0 otherwise
    std::size_t done = 0;  ///< bytes transferred before it ended
    explicit operator bool() const noexcept { return status == IoStatus::kOk; }
};

/// Writes every byte of `parts` in order (one sendmsg/writev where the kernel takes it).
/// Sockets get MSG_NOSIGNAL: a vanished peer is EPIPE, never SIGPIPE. EINTR is retried;
/// EAGAIN on a non-blocking fd waits (poll) until `deadline`.
IoResult write_all(int fd, std::span<const iovec> parts, Clock::time_point deadline = kNoDeadline) noexcept;
/// write_all of one buffer.
IoResult write_all(int fd, const void* data, std::size_t size,
                   Clock::time_point deadline = kNoDeadline) noexcept;

/// Reads exactly `size` bytes (never more). EINTR is retried; EAGAIN on a non-blocking
/// fd waits until `deadline`.
IoResult read_exact(int fd, void* data, std::size_t size, Clock::time_point deadline = kNoDeadline) noexcept;

/// Reads a blocking fd (a pipe, a file) to end of stream, appending at most `keep` bytes
/// to `out`; anything past that is read and dropped, so the writer never blocks on us.
/// The one function here that allocates (std::bad_alloc is its only exception).
IoResult read_to_eof(int fd, std::string& out, std::size_t keep = std::numeric_limits<std::size_t>::max());

/// Waits for `events` on `fd` until `deadline`. Returns 0 (ready or error pending:
/// the next call reports which), ETIMEDOUT, or an errno.
int wait_for(int fd, short events, Clock::time_point deadline) noexcept;

}  // namespace psgw::posix
