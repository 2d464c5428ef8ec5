// Endpoint parsing and grouping; see gateway_table.hpp.
#include "route/gateway_table.hpp"

#include "route/route_generator.hpp"

#include "posix/host_port.hpp"

#include <map>
#include <set>
#include <utility>

namespace psgw::route {

namespace {

/// The relay endpoint grammar: "ADDR:PORT" or "[IPv6]:PORT", port required.
constexpr posix::HostPortRules kEndpointRules{};

/// Splits `text` strictly; throws RouteError naming it.
posix::HostPort parse_endpoint(std::string_view text) {
    posix::HostPort endpoint = posix::parse_host_port(text, kEndpointRules);
    const char* why = nullptr;
    switch (endpoint.error) {
        case posix::HostPortError::kNone:
            return endpoint;
        case posix::HostPortError::kBadBrackets:
            why = "expected [IPv6]:PORT";
            break;
        case posix::HostPortError::kMissingPort:
            why = "expected ADDR:PORT";
            break;
        case posix::HostPortError::kUnbracketedIpv6:
            why = "write IPv6 addresses as [ADDR]:PORT";
            break;
        case posix::HostPortError::kBadHost:
            why = "bad address";
            break;
        case posix::HostPortError::kBadPort:
            why = "port must be 1-65535";
            break;
    }
    throw RouteError("psgw: invalid gateway endpoint '" + std::string(text) + "' (" + why + ")");
}

}  // namespace

GatewayTable::GatewayTable(const std::vector<std::string>& endpoints) {
    if (endpoints.empty()) throw RouteError("psgw: no gateways to route through");
    // std::map orders by std::string's byte order, which is Python's sorted() for UTF-8.
    std::map<std::string, std::vector<std::uint16_t>> by_address;
    std::set<std::pair<std::string, std::uint16_t>> seen;
    for (const auto& text : endpoints) {
        const posix::HostPort endpoint = parse_endpoint(text);
        if (!seen.emplace(endpoint.host, *endpoint.port).second) {
            throw RouteError("psgw: duplicate gateway endpoint '" + text + "'");
        }
        by_address[endpoint.host].push_back(*endpoint.port);
    }
    for (auto& [address, ports] : by_address) {
        std::vector<std::string> texts;
        for (auto port : ports) texts.push_back(posix::format_host_port(address, port));
        addresses_.push_back(address);
        endpoints_.push_back(std::move(texts));
    }
}

}  // namespace psgw::route
