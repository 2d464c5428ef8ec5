#include "gateway_pool.hpp"

#include "slurm/hostlist.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace psgw::controller {

namespace {

std::string unusable_reason(const slurm::NodeInfo& node) {
    std::string reason;
    auto add = [&](bool set, const char* word) {
        if (!set) return;
        if (!reason.empty()) reason += "+";
        reason += word;
    };
    add(node.down, "DOWN");
    add(node.drain, "DRAIN");
    add(node.fail, "FAIL");
    add(node.not_responding, "NOT_RESPONDING");
    return reason;
}

}  // namespace

std::vector<GatewayCandidate> usable_gateways(const config::Config& config,
                                              const std::vector<slurm::NodeInfo>& nodes,
                                              std::vector<std::string>* skipped) {
    std::vector<const slurm::NodeInfo*> pool;
    if (!config.gateway_nodes.empty()) {
        std::map<std::string, const slurm::NodeInfo*, std::less<>> by_name;
        for (const auto& node : nodes) by_name.emplace(node.name, &node);
        for (const auto& name : slurm::expand_hostlist(config.gateway_nodes)) {
            auto it = by_name.find(name);
            if (it == by_name.end()) {
                throw std::invalid_argument("psgw: GATEWAY_NODES lists '" + name +
                                            "', which slurmctld does not know");
            }
            pool.push_back(it->second);
        }
    } else {
        for (const auto& node : nodes) {
            if (node.has_feature(config.gateway_feature)) pool.push_back(&node);
        }
    }
    std::vector<GatewayCandidate> out;
    for (const auto* node : pool) {
        if (!node->usable()) {
            if (skipped != nullptr) skipped->push_back(node->name + " (" + unusable_reason(*node) + ")");
            continue;
        }
        out.push_back({node->name, node->addr, config.agent_port});
    }
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
    out.erase(
        std::unique(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.name == y.name; }),
        out.end());
    return out;
}

std::vector<std::string> candidate_names(const std::vector<GatewayCandidate>& candidates) {
    std::vector<std::string> names;
    for (const auto& c : candidates) names.push_back(c.name);
    return names;
}

}  // namespace psgw::controller
