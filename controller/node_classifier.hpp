// Splits a job's nodes into partition A (cluster) and B (booster) by Slurm node
// features, and maps each to its fabric address (FABRIC_ADDRESSES).
#pragma once

#include <psgw/error.hpp>

#include "config/fabric_map.hpp"
#include "config/psgw_config.hpp"
#include "slurm/node_info.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace psgw::controller {

/// A node that cannot be classified or has no address; what() is one line.
class ClassificationError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// One job node on its side of the gateway.
struct ClassifiedNode {
    std::string name;         ///< Slurm node name
    std::string fabric_addr;  ///< address on its own fabric (cluster for A, booster for B)
    std::string column;       ///< value written in the routing file (ROUTE_NODE_COLUMNS)
};

/// The job's nodes split by class.
struct NodeSplit {
    std::vector<ClassifiedNode> a;  ///< cluster nodes
    std::vector<ClassifiedNode> b;  ///< booster nodes

    /// Fabric addresses of the A nodes (relay peers on the cluster fabric).
    std::vector<std::string> a_addresses() const;
    /// Fabric addresses of the B nodes (relay peers on the booster fabric).
    std::vector<std::string> b_addresses() const;
    /// Routing-file column values of the A / B nodes.
    std::vector<std::string> a_columns() const;
    std::vector<std::string> b_columns() const;
};

/// Classifies `job_nodes` (expanded names). `nodes` is slurmctld's node table.
/// Throws ClassificationError for a node Slurm does not know, a node with both or
/// neither of CLUSTER_FEATURE/BOOSTER_FEATURE, or a node without a fabric address;
/// and if one side is empty (the job does not span both classes).
NodeSplit classify_nodes(const std::vector<std::string>& job_nodes, const std::vector<slurm::NodeInfo>& nodes,
                         const config::Config& config, const config::FabricMap& fabric);

}  // namespace psgw::controller
