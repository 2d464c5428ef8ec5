// What the plugin runner prints (route/plugin_answer): a user's plugin decides those
// bytes, so any answer ends in the indices or one RouteError, and a decoded index is
// always a real gateway. Input: u8 pairs, u24 gateway count (little endian), then the
// answer; the same bytes are also read as the runner's stderr.
#include "fuzz_input.hpp"

#include "route/plugin_answer.hpp"
#include "route/route_generator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    const std::size_t pairs = data[0];
    const std::size_t gateways = data[1] | (data[2] << 8) | (static_cast<std::size_t>(data[3]) << 16);
    const auto answer = psgw::fuzz::as_text(data + 4, size - 4);
    try {
        const auto choices =
            psgw::route::decode_plugin_answer(answer, pairs, gateways, "psgw: route plugin 'fuzz'");
        PSGW_FUZZ_CHECK(choices.size() == pairs);
        for (const auto choice : choices) PSGW_FUZZ_CHECK(choice < gateways);
    } catch (const psgw::route::RouteError& e) {
        PSGW_FUZZ_CHECK(std::string_view(e.what()).starts_with("psgw: route plugin 'fuzz': "));
    }
    PSGW_FUZZ_CHECK(!psgw::route::runner_failure_reason(answer, 1).empty());
    return 0;
}
