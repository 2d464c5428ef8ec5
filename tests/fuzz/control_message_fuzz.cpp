// The agent's control protocol (psgwd/control): request payloads as the agent parses
// them after MUNGE, reply bodies as the controller parses them, and frame headers.
// Bad input is refused only with a psgw::Error; a request that parses serialises to a
// payload that parses to the same request (what the controller sends is what the agent
// reads).
#include "fuzz_input.hpp"

#include "control/control_message.hpp"
#include "control/framing.hpp"

#include <array>
#include <cstring>
#include <variant>

namespace {

void check_request(std::string_view payload) {
    psgw::control::Request request;
    try {
        request = psgw::control::parse_request(payload);
    } catch (const psgw::Error&) {
        return;
    }
    const auto json = std::visit([](const auto& r) { return psgw::control::to_json(r); }, request);
    const auto again = psgw::control::parse_request(json.dump());
    const auto json_again = std::visit([](const auto& r) { return psgw::control::to_json(r); }, again);
    PSGW_FUZZ_CHECK(json == json_again);
}

void check_reply(std::string_view body) {
    try {
        const auto reply = psgw::control::parse_reply(body);
        const auto start = psgw::control::parse_start_reply(reply);
        const auto again = psgw::control::parse_start_reply(psgw::control::to_json(start));
        PSGW_FUZZ_CHECK(psgw::control::to_json(again) == psgw::control::to_json(start));
    } catch (const psgw::Error&) {}
}

void check_frame_header(std::string_view text) {
    if (text.size() < psgw::control::kFrameHeaderSize) {
        return;
    }
    std::array<unsigned char, psgw::control::kFrameHeaderSize> header{};
    std::memcpy(header.data(), text.data(), header.size());
    try {
        const auto length = psgw::control::decode_frame_header(header);
        PSGW_FUZZ_CHECK(length > 0 && length <= psgw::contract::kMaxControlMessage);
        PSGW_FUZZ_CHECK(psgw::control::encode_frame_header(length) == header);
    } catch (const psgw::control::FrameError&) {}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = psgw::fuzz::as_text(data, size);
    check_request(text);
    check_reply(text);
    check_frame_header(text);
    return 0;
}
