// Plugin name resolution; see plugin_resolver.hpp.
#include "plugin_resolver.hpp"

#include "route/route_generator.hpp"

#include <system_error>

namespace psgw::route {

namespace {

bool is_regular(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

ResolvedPlugin resolve_plugin(const std::string& name, const std::filesystem::path& plugin_dir) {
    if (name.empty()) throw RouteError("psgw: no route plugin given");
    if (auto builtin = find_builtin(name)) return ResolvedPlugin{builtin, {}};

    std::vector<std::filesystem::path> candidates;
    if (name.find('/') != std::string::npos) {
        candidates.emplace_back(name);
    } else {
        candidates.push_back(plugin_dir / name);
    }
    // psroute imported the module name with ".py" stripped, so "x" finds "x.py".
    if (!name.ends_with(".py")) candidates.emplace_back(candidates.front().string() + ".py");
    for (const auto& candidate : candidates) {
        if (is_regular(candidate)) {
            return ResolvedPlugin{std::nullopt, std::filesystem::absolute(candidate)};
        }
    }
    throw RouteError("psgw: route plugin '" + name + "': no such plugin file (looked for " +
                     candidates.front().string() + (candidates.size() > 1 ? "[.py]" : "") + ")");
}

}  // namespace psgw::route
