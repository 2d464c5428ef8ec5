// The relay's JSON configuration (psgwd/relay, written by the agent to the relay's
// stdin): only RelayConfigError for bad input, and what parses is within the limits
// the relay relies on.
#include "fuzz_input.hpp"

#include "relay/relay_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto config = psgw::relay::parse_relay_config(psgw::fuzz::as_text(data, size));
        PSGW_FUZZ_CHECK(config.port_first != 0 && config.port_first <= config.port_last);
        PSGW_FUZZ_CHECK(!config.cluster_peers.empty() && !config.booster_peers.empty());
        PSGW_FUZZ_CHECK(config.max_connections > 0);
    } catch (const psgw::relay::RelayConfigError&) {}
    return 0;
}
