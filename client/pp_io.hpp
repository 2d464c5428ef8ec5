#pragma once

#include <psgw/error.hpp>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace psgw::pp {

/// A failed socket operation or protocol violation; what() is one line.
class PpError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Owns a file descriptor.
class Fd {
public:
    Fd() = default;
    /// Takes ownership of `fd` (may be -1).
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd();
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    /// The descriptor (-1 if none).
    int get() const { return fd_; }
    /// Gives up ownership.
    int release() { const int f = fd_; fd_ = -1; return f; }

private:
    int fd_ = -1;
};

/// Blocking I/O deadlines for every later read/write (SO_RCVTIMEO/SO_SNDTIMEO) and
/// TCP_NODELAY (ping-pong latency must not wait for Nagle).
void tune_socket(int fd, int io_timeout_s);
/// Writes `head` then `body` completely (one writev when possible).
void write_all(int fd, std::span<const std::uint8_t> head, std::span<const std::uint8_t> body = {});
/// Reads exactly data.size() bytes; throws on error, timeout or end of stream.
void read_exact(int fd, std::span<std::uint8_t> data);

}  // namespace psgw::pp
