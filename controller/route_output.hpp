// Producing the routing file and its gateway map, as the job user: by the built-in
// generator (psgw_route) or, if ROUTE_SCRIPT is set, by that executable under
// psmgmt psroute.py's environment contract.
#pragma once

#include "config/psgw_config.hpp"
#include "node_classifier.hpp"
#include "sys/user_identity.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace psgw::controller {

/// Everything needed to write one job's routing file.
struct RouteJob {
    std::uint32_t job = 0;
    NodeSplit split;
    std::vector<std::string> relay_endpoints;  ///< "CLUSTER_ADDR:PORT", one per relay
    std::vector<std::pair<std::string, std::string>> gateway_addresses;  ///< (cluster, booster)
    std::filesystem::path route_file;
    std::string plugin;  ///< --gw_plugin, else DEFAULT_ROUTE_PLUGIN
    sys::UserIdentity user;
    std::string home;
    bool debug = false;  ///< --gw_debug: verbose route script
};

/// "CLUSTER_ADDR BOOSTER_ADDR\n" per gateway, sorted by cluster address.
std::string gateway_map_text(std::vector<std::pair<std::string, std::string>> gateways);

/// The environment ROUTE_SCRIPT runs with (psroute.py's contract plus PSGW_NODES_A/B).
std::vector<std::string> route_script_environment(const config::Config& config, const RouteJob& job);

/// STRICT_MODE check of ROUTE_SCRIPT: a regular root-owned file, executable, not
/// writable by group or others. Throws std::runtime_error naming the problem.
void check_route_script(const std::filesystem::path& script);

/// Writes the routing file and the gateway map as the user. Throws std::runtime_error
/// (route::RouteError included) with a one-line reason.
void write_routing_files(const config::Config& config, const RouteJob& job,
                         std::chrono::milliseconds timeout);

}  // namespace psgw::controller
