// The environment the relays get: GATEWAY_ENV, then --gw_env, then --gw_inherit
// (later entries win for the same name). Never evaluated by a shell.
#pragma once

#include "job_environment.hpp"

#include <string>
#include <vector>

namespace psgw::controller {

/// KEY=VALUE list, one entry per name, in first-seen order.
std::vector<std::string> relay_environment(const std::vector<std::string>& gateway_env,
                                           const GatewayOptions& options);

}  // namespace psgw::controller
