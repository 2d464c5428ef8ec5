#include "control/framing.hpp"

#include <psgw/contract.hpp>

namespace psgw::control {
namespace {

void check_length(std::size_t length) {
    if (length == 0) throw FrameError("psgw: empty control message");
    if (length > contract::kMaxControlMessage)
        throw FrameError("psgw: control message of " + std::to_string(length) +
                         " bytes exceeds the limit of " + std::to_string(contract::kMaxControlMessage));
}

}  // namespace

std::array<unsigned char, kFrameHeaderSize> encode_frame_header(std::size_t length) {
    check_length(length);
    return {static_cast<unsigned char>(length >> 24), static_cast<unsigned char>(length >> 16),
            static_cast<unsigned char>(length >> 8), static_cast<unsigned char>(length)};
}

std::string encode_frame(std::string_view body) {
    const auto header = encode_frame_header(body.size());
    std::string out(header.begin(), header.end());
    out.append(body);
    return out;
}

std::uint32_t decode_frame_header(const std::array<unsigned char, kFrameHeaderSize>& header) {
    const std::uint32_t length = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                                 (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
    check_length(length);
    return length;
}

}  // namespace psgw::control
