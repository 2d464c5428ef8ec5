// psgw.conf and the fabric map (common/config): an admin's typo is refused with one
// ConfigError naming the line, never a crash or another exception.
#include "fuzz_input.hpp"

#include "config/fabric_map.hpp"
#include "config/psgw_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = psgw::fuzz::as_text(data, size);
    try {
        const auto config = psgw::config::parse(text, "fuzz.conf");
        PSGW_FUZZ_CHECK(config == psgw::config::parse(text, "fuzz.conf"));
    } catch (const psgw::config::ConfigError& e) {
        PSGW_FUZZ_CHECK(std::string_view(e.what()).starts_with("psgw: "));
    }
    try {
        (void)psgw::config::FabricMap::parse(text, "fuzz.map");
    } catch (const psgw::Error& e) {
        PSGW_FUZZ_CHECK(std::string_view(e.what()).starts_with("psgw: "));
    }
    return 0;
}
