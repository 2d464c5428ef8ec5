// Relay endpoints grouped into gateways the way psroute.py groups them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::route {

/// Gateways sorted by address (as strings); each keeps its ports in the order given,
/// which is the order its routing-file lines rotate over (psroute's psgwdToPort).
class GatewayTable {
public:
    /// Builds the table; throws RouteError for a malformed or duplicate endpoint or none at all.
    explicit GatewayTable(const std::vector<std::string>& endpoints);

    /// Number of gateways (distinct addresses): the plugin's numGw.
    std::size_t size() const { return addresses_.size(); }
    /// Sorted gateway addresses: the plugin's gwList.
    const std::vector<std::string>& addresses() const { return addresses_; }
    /// Preformatted "ADDR:PORT" texts of gateway `g`, in rotation order.
    const std::vector<std::string>& endpoints(std::size_t g) const { return endpoints_[g]; }

private:
    std::vector<std::string> addresses_;
    std::vector<std::vector<std::string>> endpoints_;
};

}  // namespace psgw::route
