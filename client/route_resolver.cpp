#include "route_resolver.hpp"

namespace psgw::client {

RouteResolver::RouteResolver(RoutingTable table, const std::vector<IpAddress>& local)
    : table_(std::move(table)) {
    for (const auto& a : local) {
        if (table_.in_column_a(a) || table_.in_column_b(a)) self_.push_back(a);
    }
}

RouteResolver RouteResolver::load(const std::string& path, const std::vector<IpAddress>& local) {
    return RouteResolver(RoutingTable::load(path, local), local);
}

std::optional<Route> RouteResolver::resolve(const IpAddress& peer) const noexcept {
    for (const auto& s : self_) {
        Route r;
        r.self = s;
        if (const GatewayEntry* gw = table_.find(s, peer)) {
            r.gateway_len = gw->cluster.to_sockaddr(gw->port, r.gateway);
            return r;
        }
        if (const GatewayEntry* gw = table_.find(peer, s)) {
            // A booster-side node reaches the gateway on the booster fabric; the
            // table's load checked that the map names it.
            if (gw->booster.family == 0) continue;
            r.gateway_len = gw->booster.to_sockaddr(gw->port, r.gateway);
            r.booster_side = true;
            return r;
        }
    }
    return std::nullopt;
}

}  // namespace psgw::client
