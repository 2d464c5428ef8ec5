// Submit side (sbatch/salloc = allocator context, srun = local context): turn the
// validated --gw_* options into psmgmt's job-control variables, which Slurm hands to
// PrologSlurmctld as SPANK_<name> and to the batch script as SLURM_SPANK_<name>.
#include "config/key_value.hpp"
#include "contexts.hpp"

#include "psgw/contract.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace psgw::spank {
namespace {

namespace contract = psgw::contract;

using EnvList = std::vector<std::pair<std::string, std::string>>;

std::string current_directory() {
    const std::unique_ptr<char, decltype(&std::free)> cwd(::getcwd(nullptr, 0), &std::free);
    if (!cwd) {
        throw OptionError(std::string("psgw: cannot determine the submit directory for the routing file (") +
                          std::strerror(errno) + "); give --gw_file=/abs/path");
    }
    return cwd.get();
}

/// psmgmt's variables for the given options, in psmgmt's order.
EnvList job_control_env(const GwOptions& opts) {
    EnvList env;
    const auto add = [&env](std::string_view name, std::string value) {
        env.emplace_back(std::string(name), std::move(value));
    };
    add(contract::kEnvNum, std::to_string(*opts.num));
    if (opts.file) {
        add(contract::kEnvRouteFile, *opts.file);
    } else {
        add(contract::kEnvCwd, current_directory());
    }
    if (opts.plugin) {
        add(contract::kEnvPlugin, *opts.plugin);
    }
    if (opts.env) {
        add(contract::kEnvGwEnv, *opts.env);
    }
    if (opts.cleanup) {
        add(contract::kEnvCleanup, "1");
    }
    if (opts.binary) {
        add(contract::kEnvBinary, *opts.binary);
    }
    if (opts.per_node && *opts.per_node > 1) {  // psmgmt sets it only above the default
        add(contract::kEnvPerNode, std::to_string(*opts.per_node));
    }
    if (opts.quiet) {
        add(contract::kEnvQuiet, "1");
    }
    if (opts.debug) {
        add(contract::kEnvDebug, "1");
    }
    if (opts.inherit) {
        // An unset LD_LIBRARY_PATH is not passed as an empty one (psmgmt bug #2893).
        if (const char* ld = std::getenv("LD_LIBRARY_PATH"); ld != nullptr && *ld != '\0') {
            add(contract::kEnvLdLib, ld);
        }
        for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
            const auto assignment = config::split_key_value(*entry);
            if (assignment && assignment->key.starts_with("PSP_")) {
                add(std::string(contract::kEnvPspPrefix) + std::string(assignment->key.substr(4)),
                    std::string(assignment->value));
            }
        }
    }
    return env;
}

}  // namespace

int submit_init_post_opt(spank_t sp, PluginState& state, bool allocator) {
    // Option callbacks of het component k run before the k-th post_opt call.
    ++state.post_opt_calls;
    if (!state.options.any()) {
        return 0;  // a job without --gw_* sees nothing of psgw
    }
    try {
        state.options.check_components();
        state.options.check_requires_num();
    } catch (const OptionError& error) {
        slurm_error("%s", error.what());
        return -1;
    }
    if (state.job_env_set) {
        return 0;  // Slurm keeps job-control variables for the later components
    }
    EnvList env;
    try {
        env = job_control_env(state.options.values());
    } catch (const OptionError& error) {
        slurm_error("%s", error.what());
        return -1;
    }
    for (const auto& [name, value] : env) {
        const spank_err_t rc = spank_job_control_setenv(sp, name.c_str(), value.c_str(), 1);
        if (rc != ESPANK_SUCCESS) {
            slurm_error("psgw: cannot set job-control variable %s: %s", name.c_str(), spank_strerror(rc));
            return -1;
        }
    }
    state.job_env_set = true;
    if (allocator && !state.request_printed) {
        slurm_info("psgw: requesting %u gateway nodes", *state.options.values().num);
        state.request_printed = true;
    }
    return 0;
}

}  // namespace psgw::spank
