// Which gateway nodes may be handed out right now, and how to reach their agents.
#pragma once

#include "config/psgw_config.hpp"
#include "slurm/node_info.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace psgw::controller {

/// A gateway node that may be reserved.
struct GatewayCandidate {
    std::string name;        ///< Slurm node name
    std::string agent_host;  ///< NodeAddr (management network)
    std::uint16_t agent_port = 6470;
};

/// The pool: GATEWAY_NODES (hostlist) if set, else every node with GATEWAY_FEATURE;
/// minus nodes that are DOWN, DRAIN, FAIL or NOT_RESPONDING. Sorted by name.
/// `skipped` receives "name (reason)" for every pool node left out.
/// Throws std::invalid_argument for a bad GATEWAY_NODES expression or a listed node
/// slurmctld does not know.
std::vector<GatewayCandidate> usable_gateways(const config::Config& config,
                                              const std::vector<slurm::NodeInfo>& nodes,
                                              std::vector<std::string>* skipped = nullptr);

/// Names of the candidates, in order.
std::vector<std::string> candidate_names(const std::vector<GatewayCandidate>& candidates);

}  // namespace psgw::controller
