// Name lookup for the built-in plugins; the functions are inline in the header.
#include "builtin_plugins.hpp"

namespace psgw::route {

std::optional<BuiltinPlugin> find_builtin(std::string_view name) {
    if (name.ends_with(".py")) name.remove_suffix(3);
    if (name == "plugin01") return BuiltinPlugin::kPlugin01;
    if (name == "plugin02") return BuiltinPlugin::kPlugin02;
    if (name == "plugin03") return BuiltinPlugin::kPlugin03;
    return std::nullopt;
}

}  // namespace psgw::route
