#pragma once

#include "ip_address.hpp"
#include "routing_table.hpp"

#include <sys/socket.h>

#include <optional>
#include <string>
#include <vector>

namespace psgw::client {

/// How this node reaches one peer through a gateway.
struct Route {
    sockaddr_storage gateway{};  ///< the relay address on this node's fabric
    socklen_t gateway_len{};     ///< length of `gateway`
    IpAddress self;              ///< this node's address in the routing file (bind source)
    bool booster_side{};         ///< true if this node is in column B
};

/// Answers "through which gateway does this node reach peer P?" from a routing
/// table and this node's addresses. Lookups do not allocate.
class RouteResolver {
public:
    /// Keeps those of `local` that appear in column A or B of `table`.
    RouteResolver(RoutingTable table, const std::vector<IpAddress>& local);
    /// Loads `path` (+ ".gw") for the node whose addresses are `local`.
    static RouteResolver load(const std::string& path, const std::vector<IpAddress>& local);

    /// The route to `peer`, or nullopt if the pair (this node, peer) has no line.
    std::optional<Route> resolve(const IpAddress& peer) const noexcept;
    /// This node's addresses that appear in the routing file.
    const std::vector<IpAddress>& self() const { return self_; }

private:
    RoutingTable table_;
    std::vector<IpAddress> self_;
};

}  // namespace psgw::client
