// Arguments of the psgw_spank.so line in plugstack.conf.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace psgw::spank {

/// Parsed plugstack.conf arguments. Only `conf=/abs/path` exists.
struct PluginArgs {
    std::string conf;  ///< empty: psgw::config::resolve_path("")
};

/// Throws OptionError ("psgw: plugstack.conf argument 'x' ...") for anything else.
PluginArgs parse_plugin_args(const std::vector<std::string_view>& args);

}  // namespace psgw::spank
