// The only C entry points of psgw_spank.so. Each hook switches on spank_context() into
// the code for that process and converts every exception into an error return, because
// an exception crossing into sbatch/srun/slurmstepd would abort them.
#include "contexts.hpp"
#include "plugin_args.hpp"
#include "plugin_state.hpp"
#include "spank_api.hpp"

#include <psgw/version.hpp>

#include <array>
#include <exception>
#include <string_view>
#include <vector>

extern "C" {
PSGW_SPANK_EXPORT extern const char plugin_name[];
PSGW_SPANK_EXPORT extern const char plugin_type[];
PSGW_SPANK_EXPORT extern const unsigned int plugin_version;
PSGW_SPANK_EXPORT extern const unsigned int spank_plugin_version;
// psmgmt's name: Slurm forwards options as _SLURM_SPANK_OPTION_psgw_<option>.
SPANK_PLUGIN(psgw, 1)
}

namespace psgw::spank {
namespace {

/// Runs a hook body; any exception becomes one error line and -1.
template <typename Body>
int guarded(const char* hook, Body&& body) noexcept {
    try {
        return body();
    } catch (const OptionError& error) {
        slurm_error("%s", error.what());
    } catch (const std::exception& error) {
        slurm_error("psgw: internal error in %s: %s", hook, error.what());
    } catch (...) {
        slurm_error("psgw: internal error in %s", hook);
    }
    return -1;
}

int option_callback(int val, const char* optarg, int remote) noexcept {
    return guarded("option callback", [&] {
        if (val < 0 || val >= static_cast<int>(kOptionCount)) {
            return -1;
        }
        const auto id = static_cast<Opt>(val);
        PluginState& state = plugin_state();
        if (remote != 0 || spank_context() == S_CTX_REMOTE) {
            // Remote side: keep the value the submit side already checked; files named
            // there need not exist on this node.
            try {
                state.options.set(id, optarg, 0, nullptr);
            } catch (const OptionError&) {
                // a second, different value cannot come from one submission: keep the first
            }
            return 0;
        }
        if (!state.config) {
            slurm_error("%s", state.config_error.c_str());
            return -1;
        }
        state.options.set(id, optarg, state.post_opt_calls, &*state.config);
        return 0;
    });
}

/// Slurm keeps pointers into this table, so it lives as long as the plugin.
std::array<spank_option, kOptionCount> make_option_table() {
    std::array<spank_option, kOptionCount> table{};
    for (std::size_t i = 0; i < kOptionCount; ++i) {
        const OptionDef& def = option_defs()[i];
        // The string_views come from literals, so they are NUL-terminated; Slurm
        // declares the fields char* but never writes through them.
        table[i].name = const_cast<char*>(def.name.data());
        table[i].arginfo = def.arginfo.empty() ? nullptr : const_cast<char*>(def.arginfo.data());
        table[i].usage = const_cast<char*>(def.usage.data());
        table[i].has_arg = def.arginfo.empty() ? 0 : 1;
        table[i].val = static_cast<int>(def.id);
        table[i].cb = &option_callback;
    }
    return table;
}

int init(spank_t sp, int ac, char** av) {
    const spank_context_t context = spank_context();
    if (context != S_CTX_LOCAL && context != S_CTX_ALLOCATOR && context != S_CTX_REMOTE) {
        return 0;
    }
    const bool remote = context == S_CTX_REMOTE;
    PluginState& state = plugin_state();
    if (!state.version_logged) {
        // Debug level: every sbatch/srun/slurmstepd loads the plugin, and users should not
        // see this unless they ask (-vv, SlurmdDebug=debug).
        slurm_debug("psgw: psgw_spank %.*s loaded", static_cast<int>(kVersion.size()), kVersion.data());
        state.version_logged = true;
    }
    PluginArgs args;
    try {
        args = parse_plugin_args(std::vector<std::string_view>(av, av + ac));
    } catch (const OptionError& error) {
        // A wrong plugstack.conf line is the admin's to fix, and shows on the first try.
        slurm_error("%s", error.what());
        return -1;
    }
    try {
        state.config = config::load(config::resolve_path(args.conf));
    } catch (const config::ConfigError& error) {
        // Only jobs that use psgw need psgw.conf: they are refused with this message
        // (option_callback, remote.cpp); every other job must not suffer from it.
        state.config_error = error.what();
        if (!remote) slurm_verbose("%s", state.config_error.c_str());
    }
    if (!state.options_registered) {
        static std::array<spank_option, kOptionCount> table = make_option_table();
        for (auto& option : table) {
            const spank_err_t rc = spank_option_register(sp, &option);
            if (rc != ESPANK_SUCCESS) {
                slurm_error("psgw: cannot register --%s: %s", option.name, spank_strerror(rc));
                return -1;
            }
        }
        state.options_registered = true;
    }
    return 0;
}

}  // namespace
}  // namespace psgw::spank

using psgw::spank::guarded;
using psgw::spank::plugin_state;

extern "C" PSGW_SPANK_EXPORT int slurm_spank_init(spank_t sp, int ac, char** av) {
    return guarded("slurm_spank_init", [&] { return psgw::spank::init(sp, ac, av); });
}

extern "C" PSGW_SPANK_EXPORT int slurm_spank_init_post_opt(spank_t sp, int /*ac*/, char** /*av*/) {
    return guarded("slurm_spank_init_post_opt", [&] {
        const spank_context_t context = spank_context();
        if (context != S_CTX_LOCAL && context != S_CTX_ALLOCATOR) {
            return 0;
        }
        return psgw::spank::submit_init_post_opt(sp, plugin_state(), context == S_CTX_ALLOCATOR);
    });
}

extern "C" PSGW_SPANK_EXPORT int slurm_spank_user_init(spank_t sp, int /*ac*/, char** /*av*/) {
    return guarded("slurm_spank_user_init", [&] {
        if (spank_context() != S_CTX_REMOTE) {
            return 0;
        }
        return psgw::spank::remote_user_init(sp, plugin_state());
    });
}

extern "C" PSGW_SPANK_EXPORT int slurm_spank_task_init(spank_t /*sp*/, int /*ac*/, char** /*av*/) {
    return guarded("slurm_spank_task_init", [&] {
        if (spank_context() != S_CTX_REMOTE) {
            return 0;
        }
        return psgw::spank::remote_task_init(plugin_state());
    });
}

extern "C" PSGW_SPANK_EXPORT int slurm_spank_exit(spank_t /*sp*/, int /*ac*/, char** /*av*/) {
    return guarded("slurm_spank_exit", [&] {
        psgw::spank::reset_plugin_state();
        return 0;
    });
}
