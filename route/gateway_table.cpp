// Endpoint parsing and grouping; see gateway_table.hpp.
#include "route/gateway_table.hpp"

#include "route/route_generator.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

namespace psgw::route {

namespace {

[[noreturn]] void bad_endpoint(std::string_view text, std::string_view why) {
    throw RouteError("psgw: invalid gateway endpoint '" + std::string(text) + "' (" +
                     std::string(why) + ")");
}

bool has_space(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

Endpoint parse_endpoint(std::string_view text) {
    std::string_view address;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            bad_endpoint(text, "expected [IPv6]:PORT");
        }
        address = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.find(':');
        if (colon == std::string_view::npos) bad_endpoint(text, "expected ADDR:PORT");
        if (text.find(':', colon + 1) != std::string_view::npos) {
            bad_endpoint(text, "write IPv6 addresses as [ADDR]:PORT");
        }
        address = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (address.empty() || has_space(address)) bad_endpoint(text, "bad address");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535 || port.front() == '+') {
        bad_endpoint(text, "port must be 1-65535");
    }
    return Endpoint{std::string(address), static_cast<std::uint16_t>(value)};
}

std::string format_endpoint(std::string_view address, std::uint16_t port) {
    const std::string host(address);
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

GatewayTable::GatewayTable(const std::vector<std::string>& endpoints) {
    if (endpoints.empty()) throw RouteError("psgw: no gateways to route through");
    // std::map orders by std::string's byte order, which is Python's sorted() for UTF-8.
    std::map<std::string, std::vector<std::uint16_t>> by_address;
    std::set<std::pair<std::string, std::uint16_t>> seen;
    for (const auto& text : endpoints) {
        Endpoint endpoint = parse_endpoint(text);
        if (!seen.emplace(endpoint.address, endpoint.port).second) {
            throw RouteError("psgw: duplicate gateway endpoint '" + text + "'");
        }
        by_address[endpoint.address].push_back(endpoint.port);
    }
    for (auto& [address, ports] : by_address) {
        std::vector<std::string> texts;
        for (auto port : ports) texts.push_back(format_endpoint(address, port));
        addresses_.push_back(address);
        endpoints_.push_back(std::move(texts));
    }
}

}  // namespace psgw::route
