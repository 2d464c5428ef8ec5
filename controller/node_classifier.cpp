#include "node_classifier.hpp"

#include <algorithm>
#include <map>

namespace psgw::controller {

namespace {

std::vector<std::string> project(const std::vector<ClassifiedNode>& nodes,
                                 std::string ClassifiedNode::*member) {
    std::vector<std::string> out;
    out.reserve(nodes.size());
    for (const auto& node : nodes) out.push_back(node.*member);
    return out;
}

}  // namespace

std::vector<std::string> NodeSplit::a_addresses() const { return project(a, &ClassifiedNode::fabric_addr); }
std::vector<std::string> NodeSplit::b_addresses() const { return project(b, &ClassifiedNode::fabric_addr); }
std::vector<std::string> NodeSplit::a_columns() const { return project(a, &ClassifiedNode::column); }
std::vector<std::string> NodeSplit::b_columns() const { return project(b, &ClassifiedNode::column); }

NodeSplit classify_nodes(const std::vector<std::string>& job_nodes, const std::vector<slurm::NodeInfo>& nodes,
                         const config::Config& config, const config::FabricMap& fabric) {
    std::map<std::string, const slurm::NodeInfo*, std::less<>> by_name;
    for (const auto& node : nodes) by_name.emplace(node.name, &node);

    NodeSplit split;
    for (const auto& name : job_nodes) {
        auto it = by_name.find(name);
        if (it == by_name.end()) {
            throw ClassificationError("psgw: job node '" + name + "' is unknown to slurmctld");
        }
        bool is_cluster = it->second->has_feature(config.cluster_feature);
        bool is_booster = it->second->has_feature(config.booster_feature);
        if (is_cluster == is_booster) {
            throw ClassificationError("psgw: job node '" + name + "' has " +
                                      (is_cluster ? "both" : "neither") +
                                      " of the features CLUSTER_FEATURE='" + config.cluster_feature +
                                      "' and BOOSTER_FEATURE='" + config.booster_feature + "'");
        }
        config::Fabric side = is_cluster ? config::Fabric::kCluster : config::Fabric::kBooster;
        auto addr = fabric.address(name, side);
        if (!addr) {
            throw ClassificationError("psgw: job node '" + name + "' has no " +
                                      std::string(config::to_string(side)) +
                                      " address in FABRIC_ADDRESSES=" + config.fabric_addresses.string());
        }
        ClassifiedNode node{name, *addr,
                            config.route_node_columns == config::NodeColumns::kName ? name : *addr};
        (is_cluster ? split.a : split.b).push_back(std::move(node));
    }
    if (split.a.empty() || split.b.empty()) {
        throw ClassificationError(
            "psgw: --gw_num needs nodes on both sides, but all " + std::to_string(job_nodes.size()) +
            " job nodes are " + (split.a.empty() ? config.booster_feature : config.cluster_feature) +
            " nodes; add a " + (split.a.empty() ? config.cluster_feature : config.booster_feature) +
            " component (e.g. sbatch --gw_num=N -p <cluster> : -p <booster>)");
    }
    return split;
}

}  // namespace psgw::controller
