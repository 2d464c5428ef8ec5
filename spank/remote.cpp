// slurmstepd (remote context): tell every task where the routing file is.
//
// Job-control variables cannot be read with spank_job_control_getenv here, and which
// spelling reaches the step environment depends on how the step was started (batch
// script, srun inside it, --export), so every known spelling is tried.
#include "contexts.hpp"

#include "config/key_value.hpp"
#include "config/strict_parse.hpp"
#include "posix/passwd_lookup.hpp"
#include "psgw/contract.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace psgw::spank {
namespace {

namespace contract = psgw::contract;

/// spank_getenv with a growing buffer; nullopt if the variable does not exist.
std::optional<std::string> job_getenv(spank_t sp, const std::string& name) {
    std::vector<char> buffer(1024);
    for (int attempt = 0; attempt < 8; ++attempt) {
        const spank_err_t rc = spank_getenv(sp, name.c_str(), buffer.data(), static_cast<int>(buffer.size()));
        if (rc == ESPANK_SUCCESS) {
            return std::string(buffer.data());
        }
        if (rc != ESPANK_NOSPACE) {
            return std::nullopt;
        }
        buffer.resize(buffer.size() * 4);
    }
    return std::nullopt;
}

/// A job-control variable as set at submit time: bare, batch (SLURM_SPANK_) or
/// prolog (SPANK_) spelling.
std::optional<std::string> job_control_var(spank_t sp, std::string_view name) {
    for (const std::string_view prefix :
         {std::string_view{}, std::string_view{"SLURM_SPANK_"}, contract::kSlurmSpankPrefix}) {
        if (auto value = job_getenv(sp, std::string(prefix) + std::string(name))) {
            return value;
        }
    }
    return std::nullopt;
}

/// An option value: from a remote option callback, or as Slurm forwards options in the
/// job environment (_SLURM_SPANK_OPTION_psgw_<opt>, possibly prefixed).
std::optional<std::string> option_value(spank_t sp, const PluginState& state, Opt id) {
    if (auto raw = state.options.raw(id)) {
        return raw;
    }
    const std::string name = "_SLURM_SPANK_OPTION_psgw_" + std::string(option_def(id).name);
    for (const std::string_view prefix :
         {contract::kSlurmSpankPrefix, std::string_view{}, std::string_view{"SLURM_SPANK_"}}) {
        if (auto value = job_getenv(sp, std::string(prefix) + name)) {
            return value;
        }
    }
    return std::nullopt;
}

std::string home_directory(spank_t sp) {
    if (auto home = job_getenv(sp, "HOME"); home && !home->empty()) {
        return *home;
    }
    uid_t uid = 0;
    if (spank_get_item(sp, S_JOB_UID, &uid) == ESPANK_SUCCESS) {
        if (const auto entry = posix::find_user(uid); entry && !entry->home.empty()) {
            return entry->home;
        }
    }
    throw OptionError("psgw: cannot find the routing file: no " + std::string(contract::kEnvCwd) +
                      " and no home directory");
}

/// The het leader's job id, which names the routing file.
std::string leader_job_id(spank_t sp) {
    for (const char* name : {"SLURM_HET_JOB_ID", "SLURM_JOB_ID"}) {
        if (auto id = job_getenv(sp, name); id && !id->empty()) {
            return *id;
        }
    }
    std::uint32_t id = 0;
    if (spank_get_item(sp, S_JOB_ID, &id) != ESPANK_SUCCESS) {
        throw OptionError("psgw: cannot determine the job id for the routing file");
    }
    return std::to_string(id);
}

/// The routing file, or nullopt if the job has no gateways. Throws OptionError.
std::optional<std::string> routing_file(spank_t sp, const PluginState& state) {
    auto num = job_control_var(sp, contract::kEnvNum);
    if (!num) {
        num = option_value(sp, state, Opt::kNum);
    }
    if (!num) {
        return std::nullopt;
    }
    if (!config::parse_decimal(*num, 1, kMaxGwNum)) {
        throw OptionError("psgw: gateway count '" + *num + "' of this job is invalid");
    }
    auto file = job_control_var(sp, contract::kEnvRouteFile);
    if (!file && !job_control_var(sp, contract::kEnvCwd)) {
        file = option_value(sp, state, Opt::kFile);
    }
    if (file) {
        return validate_file(*file);
    }
    if (!state.config) {
        throw OptionError(state.config_error);
    }
    auto dir = job_control_var(sp, contract::kEnvCwd);
    const std::string base = dir && !dir->empty() ? *dir : home_directory(sp);
    return base + "/" + state.config->default_route_prefix + "-" + leader_job_id(sp);
}

/// False if `file` does not exist, after a short wait (a shared file system may show a
/// file written on the controller host a moment late). Any other stat error, e.g. a
/// root-squashed home, is left to the tasks that open the file.
bool routing_file_exists(const std::string& file) {
    constexpr int kTries = 10;
    constexpr useconds_t kPause = 300'000;
    for (int attempt = 1;; ++attempt) {
        struct stat st {};
        if (::stat(file.c_str(), &st) == 0 || errno != ENOENT) return true;
        if (attempt == kTries) return false;
        ::usleep(kPause);
    }
}

}  // namespace

int remote_user_init(spank_t sp, PluginState& state) {
    // Errors are kept for task_init: slurmstepd does not report a failing user_init
    // back to srun (the step just hangs or ends without a message; pyxis works around
    // the same Slurm behaviour in pyxis_slurmstepd.c the same way).
    try {
        const auto file = routing_file(sp, state);
        if (!file) {
            return 0;
        }
        // The prologue writes the file before Slurm starts the job. Without it the
        // gateway startup did not complete (Slurm 22.05 starts a job whose
        // PrologSlurmctld was killed by a signal): fail the step rather than run tasks
        // that cannot reach the other side.
        if (!routing_file_exists(*file)) {
            state.user_init_error = "psgw: routing file " + *file +
                                    " does not exist: the gateway startup of this job did not complete";
            return 0;
        }
        const spank_err_t rc =
            spank_setenv(sp, std::string(contract::kEnvGwServer).c_str(), file->c_str(), 1);
        if (rc != ESPANK_SUCCESS) {
            state.user_init_error =
                "psgw: cannot set " + std::string(contract::kEnvGwServer) + ": " + spank_strerror(rc);
            return 0;
        }
        // GATEWAY_ENV is the site's task environment of gateway jobs (psmgmt >= 5.1.42).
        // Site defaults: a value the user set already wins (overwrite = 0).
        if (state.config) {
            for (const std::string& entry : state.config->gateway_env) {
                // psgw.conf checked each token with is_env_assignment.
                const auto assignment = config::split_key_value(entry);
                const std::string name(assignment->key);
                const spank_err_t set =
                    spank_setenv(sp, name.c_str(), std::string(assignment->value).c_str(), 0);
                if (set != ESPANK_SUCCESS && set != ESPANK_ENV_EXISTS) {
                    state.user_init_error =
                        "psgw: cannot set " + name + " from GATEWAY_ENV: " + spank_strerror(set);
                    return 0;
                }
            }
        }
    } catch (const OptionError& error) {
        state.user_init_error = error.what();
    }
    return 0;
}

int remote_task_init(PluginState& state) {
    if (state.user_init_error.empty()) {
        return 0;
    }
    slurm_error("%s", state.user_init_error.c_str());
    return -1;
}

}  // namespace psgw::spank
