#pragma once

#include <psgw/error.hpp>

#include "ip_address.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace psgw::client {

/// A routing-file or gateway-map problem; what() is one line "psgw: FILE:LINE: ...".
class RoutingError : public psgw::Error {
public:
    /// `code` is the errno the C API reports: EBADMSG for a malformed file, the
    /// open(2) errno for an unreadable one.
    explicit RoutingError(const std::string& what, int code = EBADMSG) : psgw::Error(what), code_(code) {}
    /// The errno for this error.
    int code() const noexcept { return code_; }

private:
    int code_;
};

/// One gateway relay as the routing file names it, plus its booster-fabric address
/// from the gateway map (family 0 when the map does not name it).
struct GatewayEntry {
    IpAddress cluster;     ///< GWADDR column: the gateway's cluster-fabric address
    std::uint16_t port{};  ///< the relay's port (same on both fabrics)
    IpAddress booster;     ///< from "<routing file>.gw"
};

/// The parsed routing file ("GWADDR:PORT NODEA NODEB" per line) and gateway map
/// ("CLUSTER_ADDR BOOSTER_ADDR" per line). Parsing is strict: every line must be
/// well formed, otherwise RoutingError names the file and line. Pairs are kept in
/// a hash map keyed by (A, B) for O(1) lookup. Blank lines and '#' comments are
/// allowed.
class RoutingTable {
public:
    /// Parses routing-file text and, if present, gateway-map text. When `local` is
    /// not empty only pairs with a local address in column A or B are indexed (a
    /// job's file has |A|·|B| lines; a node needs only its own), and a local
    /// address in column B makes the map mandatory for the gateways it uses.
    static RoutingTable parse(std::string_view routes, std::string_view routes_name,
                              std::optional<std::string_view> map, std::string_view map_name,
                              std::span<const IpAddress> local);
    /// Reads `path` and `path + ".gw"` (a missing map is fine unless needed, see parse).
    static RoutingTable load(const std::string& path, std::span<const IpAddress> local);

    /// The gateway for cluster node `a` and booster node `b`, or nullptr.
    const GatewayEntry* find(const IpAddress& a, const IpAddress& b) const;
    /// True if `addr` appears in column A (cluster side) of any line.
    bool in_column_a(const IpAddress& addr) const { return column_a_.contains(addr); }
    /// True if `addr` appears in column B (booster side) of any line.
    bool in_column_b(const IpAddress& addr) const { return column_b_.contains(addr); }
    /// Number of indexed pairs.
    std::size_t size() const { return pairs_.size(); }
    /// Number of distinct gateway relays (GWADDR:PORT) in the file.
    std::size_t gateway_count() const { return gateways_.size(); }

private:
    struct PairKey {
        IpAddress a;
        IpAddress b;
        bool operator==(const PairKey&) const = default;
    };
    struct PairHash {
        std::size_t operator()(const PairKey& k) const noexcept {
            IpAddressHash h;
            return h(k.a) * 31u ^ h(k.b);
        }
    };
    struct PairValue {
        std::uint32_t gateway;  ///< index into gateways_
        std::uint32_t line;     ///< for duplicate reports
    };

    void parse_routes(std::string_view text, std::string_view name, std::span<const IpAddress> local);
    void parse_map(std::optional<std::string_view> text, std::string_view name,
                   std::span<const IpAddress> local);
    std::uint32_t intern_gateway(const IpAddress& addr, std::uint16_t port);

    std::vector<GatewayEntry> gateways_;
    std::vector<bool> needed_on_booster_;  ///< parallel to gateways_
    std::unordered_map<PairKey, PairValue, PairHash> pairs_;
    std::unordered_set<IpAddress, IpAddressHash> column_a_;
    std::unordered_set<IpAddress, IpAddressHash> column_b_;
};

}  // namespace psgw::client
