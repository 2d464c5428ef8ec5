#pragma once

#include <psgw/error.hpp>
#include "sys/unique_fd.hpp"

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

/// Blocking I/O deadlines for every later read/write (SO_RCVTIMEO/SO_SNDTIMEO) and
/// TCP_NODELAY (ping-pong latency must not wait for Nagle).
void tune_socket(int fd, int io_timeout_s);
/// Writes `head` then `body` completely (one sendmsg when possible); throws on error or timeout.
void write_all(int fd, std::span<const std::uint8_t> head, std::span<const std::uint8_t> body = {});
/// Reads exactly data.size() bytes; throws on error, timeout or end of stream.
void read_exact(int fd, std::span<std::uint8_t> data);

}  // namespace psgw::pp
