#include "relay_environment.hpp"

#include "config/key_value.hpp"

#include <map>

namespace psgw::controller {

std::vector<std::string> relay_environment(const std::vector<std::string>& gateway_env,
                                           const GatewayOptions& options) {
    std::vector<std::string> out;
    std::map<std::string, std::size_t> index;
    auto put = [&](const std::string& assignment) {
        const auto split = config::split_key_value(assignment);
        std::string name(split ? split->key : std::string_view(assignment));
        if (auto it = index.find(name); it != index.end()) {
            out[it->second] = assignment;
        } else {
            index.emplace(name, out.size());
            out.push_back(assignment);
        }
    };
    for (const auto& token : gateway_env) put(token);
    for (const auto& token : split_gw_env(options.gw_env)) put(token);
    if (options.ld_library_path) put("LD_LIBRARY_PATH=" + *options.ld_library_path);
    for (const auto& [name, value] : options.psp_vars) put(name + "=" + value);
    return out;
}

}  // namespace psgw::controller
