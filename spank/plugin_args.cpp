// plugstack.conf arguments: strict, like pyxis' config parser.
#include "plugin_args.hpp"

#include "options.hpp"

namespace psgw::spank {

PluginArgs parse_plugin_args(const std::vector<std::string_view>& args) {
    constexpr std::string_view kConf = "conf=";
    PluginArgs parsed;
    bool have_conf = false;
    for (const std::string_view arg : args) {
        if (!arg.starts_with(kConf)) {
            throw OptionError("psgw: unknown plugstack.conf argument '" + std::string(arg) +
                              "' (only conf=/abs/path is known)");
        }
        const std::string_view path = arg.substr(kConf.size());
        if (path.empty() || path.front() != '/') {
            throw OptionError("psgw: plugstack.conf argument '" + std::string(arg) +
                              "': expected an absolute path");
        }
        if (have_conf) {
            throw OptionError("psgw: plugstack.conf argument '" + std::string(arg) + "' repeats conf=");
        }
        have_conf = true;
        parsed.conf = std::string(path);
    }
    return parsed;
}

}  // namespace psgw::spank
