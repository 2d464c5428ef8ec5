// Plugin name resolution; see plugin_resolver.hpp.
#include "plugin_resolver.hpp"

#include <algorithm>

#include "route/route_generator.hpp"

#include <system_error>

namespace psgw::route {

namespace {

bool is_regular(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

/// True if the real path of `file` lies below the real path of `dir`.
bool is_inside(const std::filesystem::path& file, const std::filesystem::path& dir) {
    std::error_code ec;
    const auto real_file = std::filesystem::canonical(file, ec);
    if (ec) return false;
    const auto real_dir = std::filesystem::canonical(dir, ec);
    if (ec) return false;
    const auto [dir_end, file_rest] =
        std::mismatch(real_dir.begin(), real_dir.end(), real_file.begin(), real_file.end());
    return dir_end == real_dir.end() && file_rest != real_file.end();
}

}  // namespace

ResolvedPlugin resolve_plugin(const std::string& name, const std::filesystem::path& plugin_dir,
                              bool only_plugin_dir) {
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
        if (!is_regular(candidate)) continue;
        if (only_plugin_dir && !is_inside(candidate, plugin_dir)) {
            throw RouteError("psgw: route plugin '" + name + "': STRICT_MODE=1 allows only plugins in " +
                             plugin_dir.string());
        }
        return ResolvedPlugin{std::nullopt, std::filesystem::absolute(candidate)};
    }
    throw RouteError("psgw: route plugin '" + name + "': no such plugin file (looked for " +
                     candidates.front().string() + (candidates.size() > 1 ? "[.py]" : "") + ")");
}

}  // namespace psgw::route
