// Control message framing: u32 big-endian length, then the body (contract.hpp).
#pragma once

#include <psgw/error.hpp>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace psgw::control {

/// A frame header announcing an empty or oversized body.
class FrameError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Size of the length prefix.
inline constexpr std::size_t kFrameHeaderSize = 4;

/// The 4-byte big-endian header for a body of `length` bytes. Throws FrameError if
/// length is 0 or above contract::kMaxControlMessage.
std::array<unsigned char, kFrameHeaderSize> encode_frame_header(std::size_t length);

/// Header followed by body. Throws FrameError like encode_frame_header.
std::string encode_frame(std::string_view body);

/// Body length announced by a header; throws FrameError for 0 or more than the maximum.
std::uint32_t decode_frame_header(const std::array<unsigned char, kFrameHeaderSize>& header);

}  // namespace psgw::control
