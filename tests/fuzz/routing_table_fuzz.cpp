// The client's routing file and gateway map (client/routing_table): the file is the
// job user's own, so any bytes in it end in one RoutingError naming the file and line,
// never a crash. The input is the routing file, then optionally a NUL byte and the map;
// it is parsed for no local address and for two that the corpus uses.
#include "fuzz_input.hpp"

#include "routing_table.hpp"

#include <array>
#include <optional>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = psgw::fuzz::as_text(data, size);
    const auto nul = text.find('\0');
    const auto routes = text.substr(0, nul);
    std::optional<std::string_view> map;
    if (nul != std::string_view::npos) map = text.substr(nul + 1);

    static const std::array<psgw::client::IpAddress, 2> locals = {
        *psgw::client::IpAddress::parse("10.78.0.11"), *psgw::client::IpAddress::parse("10.79.0.21")};
    std::array<std::optional<std::size_t>, 2> pairs;  // indexed pairs: all, then the locals' only
    const std::array<std::span<const psgw::client::IpAddress>, 2> filters = {
        std::span<const psgw::client::IpAddress>{}, std::span(locals)};
    for (std::size_t i = 0; i < filters.size(); ++i) {
        try {
            pairs[i] = psgw::client::RoutingTable::parse(routes, "fuzz", map, "fuzz.gw", filters[i]).size();
        } catch (const psgw::client::RoutingError& e) {
            PSGW_FUZZ_CHECK(std::string_view(e.what()).starts_with("psgw: "));
        }
    }
    // Filtering by local address only ever drops pairs.
    if (pairs[0] && pairs[1]) PSGW_FUZZ_CHECK(*pairs[1] <= *pairs[0]);
    return 0;
}
