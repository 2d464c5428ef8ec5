// Runs a psmgmt-style Python route plugin through psgw-plugin-runner.py in a
// separate process (as the job user when we are root) and returns its choices.
#pragma once

#include "route/route_generator.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace psgw::route {

/// Gateway index for each pair, A-major (index i * |B| + j). `nodes_a`, `nodes_b` and
/// `gateways` are sorted. Throws RouteError naming `request.plugin` on any failure.
std::vector<std::uint32_t> run_external_plugin(const std::filesystem::path& file, const RouteRequest& request,
                                               const std::vector<std::string>& nodes_a,
                                               const std::vector<std::string>& nodes_b,
                                               const std::vector<std::string>& gateways);

}  // namespace psgw::route
