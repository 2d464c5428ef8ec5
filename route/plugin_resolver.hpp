// Which plugin a RouteRequest::plugin string names (psroute.py's lookup rules).
#pragma once

#include "builtin_plugins.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace psgw::route {

/// A built-in plugin, or the file of an external one.
struct ResolvedPlugin {
    std::optional<BuiltinPlugin> builtin;  ///< set for plugin01..03
    std::filesystem::path file;            ///< set for an external plugin
};

/// Built-in names win; a name with '/' is a path (".py" optional); a bare name is
/// looked up in `plugin_dir` as NAME, then NAME.py. Throws RouteError if nothing is found.
/// With `only_plugin_dir`, an external plugin must lie inside `plugin_dir` (real
/// paths compared); else RouteError.
ResolvedPlugin resolve_plugin(const std::string& name, const std::filesystem::path& plugin_dir,
                              bool only_plugin_dir = false);

}  // namespace psgw::route
