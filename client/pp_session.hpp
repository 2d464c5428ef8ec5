#pragma once

#include "pp_protocol.hpp"

#include <chrono>
#include <cstdint>
#include <vector>

namespace psgw::pp {

/// The phases of a psgw-pp session; both ends use them, mirrored.
class Session {
public:
    /// A session on connected socket `fd` moving blocks of `size` bytes.
    Session(int fd, std::uint32_t size);

    /// Sends up to `count` blocks for at most `duration`, then the end marker.
    /// Returns the payload bytes sent.
    std::uint64_t send_blocks(std::uint64_t count, std::chrono::milliseconds duration);
    /// Receives blocks up to the end marker, checking each against the pattern.
    PhaseSummary recv_blocks();
    /// Client side of ping-pong: up to `count` round trips for at most `duration`;
    /// returns each round trip in nanoseconds. Throws if an echo is corrupt.
    std::vector<std::uint64_t> ping(std::uint64_t count, std::chrono::milliseconds duration);
    /// Server side of ping-pong: echoes blocks until the end marker.
    PhaseSummary pong();
    /// Sends a phase summary.
    void send_summary(const PhaseSummary& s);
    /// Receives a phase summary.
    PhaseSummary recv_summary();

private:
    /// Reads one block into buf_; returns its length (0: end marker).
    std::uint32_t read_block();

    int fd_;
    std::uint32_t size_;
    Pattern pattern_;
    std::vector<std::uint8_t> buf_;
};

}  // namespace psgw::pp
