#include "routing_table.hpp"

#include "posix/host_port.hpp"
#include "psgw/contract.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace psgw::client {
namespace {

/// Gateway column: ADDR:PORT, IPv6 bracketed or split at the last ':'. IpAddress::parse
/// then decides what an address is, as for the node columns.
constexpr posix::HostPortRules kGatewayRules{.ipv6 = posix::Ipv6Form::kLastColon};

[[noreturn]] void fail(std::string_view file, std::size_t line, const std::string& what) {
    throw RoutingError("psgw: " + std::string(file) + ":" + std::to_string(line) + ": " + what);
}

/// Splits on blanks/tabs; returns the number of fields (up to out.size(), counts more).
std::size_t split_fields(std::string_view line, std::span<std::string_view> out) {
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i == line.size()) break;
        std::size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
        if (n < out.size()) out[n] = line.substr(i, j - i);
        ++n;
        i = j;
    }
    return n;
}

/// Calls fn(line_number, line) for each non-blank, non-comment line.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    std::size_t lineno = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const std::size_t first = line.find_first_not_of(" \t");
        if (first == std::string_view::npos || line[first] == '#') continue;
        fn(lineno, line);
    }
}

IpAddress parse_node(std::string_view file, std::size_t line, std::string_view field, const char* column) {
    const auto addr = IpAddress::parse(field);
    if (!addr) {
        fail(file, line,
             std::string(column) + " '" + std::string(field) +
                 "' is not an IP address (libpsgw matches nodes by fabric address: "
                 "generate the file with ROUTE_NODE_COLUMNS=address)");
    }
    return *addr;
}

std::optional<std::string> read_file(const std::string& path, int& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err = errno;
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        err = EIO;
        return std::nullopt;
    }
    return std::move(ss).str();
}

bool contains(std::span<const IpAddress> set, const IpAddress& a) {
    return std::find(set.begin(), set.end(), a) != set.end();
}

}  // namespace

std::uint32_t RoutingTable::intern_gateway(const IpAddress& addr, std::uint16_t port) {
    // Few gateways per job (psgw's --gw_num): a linear scan beats a second hash map.
    for (std::uint32_t i = 0; i < gateways_.size(); ++i) {
        if (gateways_[i].cluster == addr && gateways_[i].port == port) return i;
    }
    gateways_.push_back(GatewayEntry{addr, port, IpAddress{}});
    needed_on_booster_.push_back(false);
    return static_cast<std::uint32_t>(gateways_.size() - 1);
}

void RoutingTable::parse_routes(std::string_view text, std::string_view name,
                                std::span<const IpAddress> local) {
    for_each_line(text, [&](std::size_t lineno, std::string_view line) {
        std::array<std::string_view, 3> f;
        const std::size_t n = split_fields(line, f);
        if (n != 3) {
            fail(name, lineno, "expected 3 fields 'GWADDR:PORT NODEA NODEB', got " + std::to_string(n));
        }
        // GWADDR:PORT, IPv6 as [ADDR]:PORT (an unbracketed IPv6 splits at the last ':').
        const std::string_view gw = f[0];
        const posix::HostPort endpoint = posix::parse_host_port(gw, kGatewayRules);
        switch (endpoint.error) {
            case posix::HostPortError::kNone:
                break;
            case posix::HostPortError::kBadBrackets:
                fail(name, lineno, "gateway '" + std::string(gw) + "' is not [ADDR]:PORT");
            case posix::HostPortError::kMissingPort:
            case posix::HostPortError::kUnbracketedIpv6:
                fail(name, lineno, "gateway '" + std::string(gw) + "' is not ADDR:PORT");
            case posix::HostPortError::kBadHost:
                fail(name, lineno, "gateway address '" + endpoint.host + "' is not an IP address");
            case posix::HostPortError::kBadPort:
                fail(name, lineno, "gateway port '" + endpoint.port_text + "' is not a number in 1-65535");
        }
        const auto gw_addr = IpAddress::parse(endpoint.host);
        if (!gw_addr) fail(name, lineno, "gateway address '" + endpoint.host + "' is not an IP address");
        const std::uint16_t port = *endpoint.port;
        const IpAddress a = parse_node(name, lineno, f[1], "NODEA");
        const IpAddress b = parse_node(name, lineno, f[2], "NODEB");
        column_a_.insert(a);
        column_b_.insert(b);
        const std::uint32_t gw_index = intern_gateway(*gw_addr, port);
        const bool b_local = contains(local, b);
        if (!local.empty() && !b_local && !contains(local, a)) return;
        if (b_local) needed_on_booster_[gw_index] = true;
        const auto [it, inserted] =
            pairs_.emplace(PairKey{a, b}, PairValue{gw_index, static_cast<std::uint32_t>(lineno)});
        if (!inserted) {
            fail(name, lineno,
                 "duplicate pair '" + std::string(f[1]) + " " + std::string(f[2]) + "' (first on line " +
                     std::to_string(it->second.line) + ")");
        }
    });
    if (column_a_.empty()) fail(name, 1, "no routes (the file is empty)");
}

void RoutingTable::parse_map(std::optional<std::string_view> text, std::string_view name,
                             std::span<const IpAddress> local) {
    if (text) {
        std::unordered_map<IpAddress, std::size_t, IpAddressHash> seen;
        for_each_line(*text, [&](std::size_t lineno, std::string_view line) {
            std::array<std::string_view, 2> f;
            const std::size_t n = split_fields(line, f);
            if (n != 2) {
                fail(name, lineno, "expected 2 fields 'CLUSTER_ADDR BOOSTER_ADDR', got " + std::to_string(n));
            }
            const auto cluster = IpAddress::parse(f[0]);
            if (!cluster) fail(name, lineno, "CLUSTER_ADDR '" + std::string(f[0]) + "' is not an IP address");
            const auto booster = IpAddress::parse(f[1]);
            if (!booster) fail(name, lineno, "BOOSTER_ADDR '" + std::string(f[1]) + "' is not an IP address");
            const auto [it, inserted] = seen.emplace(*cluster, lineno);
            if (!inserted) {
                fail(name, lineno,
                     "duplicate gateway '" + std::string(f[0]) + "' (first on line " +
                         std::to_string(it->second) + ")");
            }
            for (auto& g : gateways_) {
                if (g.cluster == *cluster) g.booster = *booster;
            }
        });
    }
    if (local.empty()) return;
    for (std::size_t i = 0; i < gateways_.size(); ++i) {
        if (!needed_on_booster_[i] || gateways_[i].booster.family != 0) continue;
        if (!text) {
            throw RoutingError("psgw: gateway map '" + std::string(name) +
                               "' is missing; this booster-side node needs it to reach gateway " +
                               gateways_[i].cluster.to_string() + " on its own fabric");
        }
        throw RoutingError("psgw: gateway map '" + std::string(name) + "' has no line for gateway " +
                           gateways_[i].cluster.to_string());
    }
}

RoutingTable RoutingTable::parse(std::string_view routes, std::string_view routes_name,
                                 std::optional<std::string_view> map, std::string_view map_name,
                                 std::span<const IpAddress> local) {
    RoutingTable t;
    t.parse_routes(routes, routes_name, local);
    t.parse_map(map, map_name, local);
    return t;
}

RoutingTable RoutingTable::load(const std::string& path, std::span<const IpAddress> local) {
    int err = 0;
    const auto routes = read_file(path, err);
    if (!routes) {
        throw RoutingError("psgw: routing file '" + path + "' (PSP_GW_SERVER): " + std::strerror(err), err);
    }
    const std::string map_path = path + std::string(contract::kGatewayMapSuffix);
    const auto map = read_file(map_path, err);
    if (!map && err != ENOENT) {
        throw RoutingError("psgw: gateway map '" + map_path + "': " + std::strerror(err), err);
    }
    std::optional<std::string_view> map_view;
    if (map) map_view = *map;
    return parse(*routes, path, map_view, map_path, local);
}

const GatewayEntry* RoutingTable::find(const IpAddress& a, const IpAddress& b) const {
    const auto it = pairs_.find(PairKey{a, b});
    return it == pairs_.end() ? nullptr : &gateways_[it->second.gateway];
}

}  // namespace psgw::client
