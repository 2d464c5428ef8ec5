// FABRIC_ADDRESSES: which address each node has on each fabric.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace psgw::config {

enum class Fabric { kCluster, kBooster };

/// "cluster" / "booster".
std::string_view to_string(Fabric fabric);

/// Parsed FABRIC_ADDRESSES file: lines "NODENAME FABRIC ADDRESS", # comments.
class FabricMap {
public:
    /// Throws ConfigError naming file:line for malformed lines, unknown fabrics,
    /// invalid IP addresses and duplicate (node, fabric) pairs.
    static FabricMap parse(std::string_view text, std::string_view origin);
    static FabricMap load(const std::filesystem::path& path);

    /// The node's address on that fabric, if listed.
    std::optional<std::string> address(std::string_view node, Fabric fabric) const;
    /// Reverse lookup: which node has this address on that fabric.
    std::optional<std::string> node_for(std::string_view address, Fabric fabric) const;

private:
    std::map<std::pair<std::string, Fabric>, std::string, std::less<>> addresses_;
};

}  // namespace psgw::config
