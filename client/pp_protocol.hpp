#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace psgw::pp {

/// What a psgw-pp session measures.
enum class Mode : std::uint8_t { kPingpong = 1, kStream = 2 };
/// Stream direction, seen from the client: send = client -> server.
enum class Direction : std::uint8_t { kSend = 1, kRecv = 2, kBoth = 3 };

/// Largest block psgw-pp moves (one buffer of this size on each side).
inline constexpr std::uint32_t kMaxBlockSize = 64u << 20;

/// The header a client sends first (32 bytes, big-endian):
///   "PSPP" | u8 version=1 | u8 mode | u8 direction | u8 0 | u32 size |
///   u64 count | u32 duration_ms | u32 0
/// The server answers with an 8-byte ack "PSPP" | u8 version | u8 ok (1/0) | u16 0.
/// Then every message is a block: u32 length | payload; length 0 ends a phase.
struct SessionHeader {
    Mode mode = Mode::kPingpong;             ///< test kind
    Direction direction = Direction::kSend;  ///< stream direction(s)
    std::uint32_t size = 64;                 ///< payload bytes per block
    std::uint64_t count = 1000;              ///< blocks (round trips) per phase at most
    std::uint32_t duration_ms = 10000;       ///< time per phase at most

    /// Wire form.
    std::array<std::uint8_t, 32> encode() const;
    /// Parses and validates; nullopt if the bytes are not a valid v1 header.
    static std::optional<SessionHeader> decode(std::span<const std::uint8_t> bytes);
};

/// Size of the ack the server sends after the header.
inline constexpr std::size_t kAckSize = 8;
/// Encodes the server's ack.
std::array<std::uint8_t, kAckSize> encode_ack(bool ok);
/// True if `bytes` is a positive ack.
bool ack_ok(std::span<const std::uint8_t> bytes);

/// Summary a receiver sends after a stream phase: u64 bytes | u32 corrupt (0/1) | u32 0.
struct PhaseSummary {
    std::uint64_t bytes = 0;  ///< payload bytes received and checked
    bool corrupt = false;     ///< a block did not match the pattern
    /// Wire form (16 bytes).
    std::array<std::uint8_t, 16> encode() const;
    /// Parses; nullopt if malformed.
    static std::optional<PhaseSummary> decode(std::span<const std::uint8_t> bytes);
};

/// Deterministic payloads: block n is a window of a fixed pseudo-random buffer that
/// starts at an offset depending on n, so a relay that corrupts, drops, duplicates
/// or reorders bytes is caught by a memcmp.
class Pattern {
public:
    /// Pattern for blocks of `size` bytes.
    explicit Pattern(std::uint32_t size);
    /// Payload of block `n`.
    std::span<const std::uint8_t> block(std::uint64_t n) const;
    /// True if `data` is exactly block `n`.
    bool matches(std::uint64_t n, std::span<const std::uint8_t> data) const;

private:
    std::uint32_t size_;
    std::vector<std::uint8_t> buf_;
};

/// Encodes a block length prefix.
std::array<std::uint8_t, 4> encode_length(std::uint32_t len);
/// Decodes a block length prefix.
std::uint32_t decode_length(std::span<const std::uint8_t, 4> bytes);

}  // namespace psgw::pp
