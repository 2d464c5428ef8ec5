#include "job_environment.hpp"

#include "config/key_value.hpp"
#include "config/strict_parse.hpp"

#include <psgw/contract.hpp>

#include <unistd.h>

extern char** environ;

namespace psgw::controller {

namespace contract = psgw::contract;

namespace {

std::optional<std::string> plain_value(const EnvMap& env, std::string_view name) {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
}

std::string required(const EnvMap& env, std::string_view name) {
    auto value = plain_value(env, name);
    if (!value || value->empty()) {
        throw JobEnvironmentError("psgw: " + std::string(name) + " is not set");
    }
    return *value;
}

std::int64_t required_number(const EnvMap& env, std::string_view name, std::int64_t max) {
    std::string text = required(env, name);
    auto value = config::parse_decimal(text, 0, max);
    if (!value) {
        throw JobEnvironmentError("psgw: " + std::string(name) + "='" + text + "' is not a valid number");
    }
    return *value;
}

// Flags are set to "1" by the SPANK plugin; accept any psgw boolean spelling.
bool flag(const EnvMap& env, std::string_view name) {
    auto text = job_control_value(env, name);
    if (!text) return false;
    auto value = config::parse_bool(*text);
    if (!value) {
        throw JobEnvironmentError("psgw: " + std::string(name) + "='" + *text + "' is not a boolean");
    }
    return *value;
}

std::string absolute_or_empty(const EnvMap& env, std::string_view name) {
    std::string value = job_control_value(env, name).value_or("");
    if (!value.empty() && value.front() != '/') {
        throw JobEnvironmentError("psgw: " + std::string(name) + "='" + value + "' is not an absolute path");
    }
    return value;
}

GatewayOptions read_options(const EnvMap& env) {
    GatewayOptions options;
    std::string num_text = job_control_value(env, contract::kEnvNum).value_or("");
    auto num = config::parse_decimal(num_text, 1, 1024);
    if (!num) {
        throw JobEnvironmentError("psgw: --gw_num='" + num_text + "' (" + std::string(contract::kEnvNum) +
                                  ") must be a number from 1 to 1024");
    }
    options.num = static_cast<unsigned>(*num);
    options.route_file = absolute_or_empty(env, contract::kEnvRouteFile);
    options.cwd = absolute_or_empty(env, contract::kEnvCwd);
    options.plugin = job_control_value(env, contract::kEnvPlugin).value_or("");
    options.gw_env = job_control_value(env, contract::kEnvGwEnv).value_or("");
    split_gw_env(options.gw_env);  // validate now, before anything is started
    options.cleanup = flag(env, contract::kEnvCleanup);
    options.binary = absolute_or_empty(env, contract::kEnvBinary);
    if (auto per_node = job_control_value(env, contract::kEnvPerNode)) {
        auto value = config::parse_decimal(*per_node, 1, contract::kMaxPsgwdPerNode);
        if (!value) {
            throw JobEnvironmentError("psgw: --gw_psgwd_per_node='" + *per_node +
                                      "' must be a number from 1 to " +
                                      std::to_string(contract::kMaxPsgwdPerNode));
        }
        options.per_node = static_cast<unsigned>(*value);
    }
    options.quiet = flag(env, contract::kEnvQuiet);
    options.debug = flag(env, contract::kEnvDebug);
    options.ld_library_path = job_control_value(env, contract::kEnvLdLib);
    // --gw_inherit: SLURM_SPANK_PSGWD_PSP_X=v (either spelling) -> PSP_X=v.
    const std::string prefixed =
        std::string(contract::kSlurmSpankPrefix) + std::string(contract::kEnvPspPrefix);
    std::map<std::string, std::string> psp;
    for (const auto& [name, value] : env) {
        std::string_view rest;
        bool from_spank = false;
        if (name.starts_with(prefixed)) {
            rest = std::string_view(name).substr(prefixed.size());
            from_spank = true;
        } else if (name.starts_with(contract::kEnvPspPrefix)) {
            rest = std::string_view(name).substr(contract::kEnvPspPrefix.size());
        } else {
            continue;
        }
        std::string key = "PSP_" + std::string(rest);
        if (!config::is_env_assignment(key + "=")) continue;
        if (from_spank || !psp.contains(key)) psp[key] = value;  // SPANK_ spelling wins
    }
    options.psp_vars.assign(psp.begin(), psp.end());
    return options;
}

}  // namespace

EnvMap current_environment() {
    EnvMap env;
    for (char** p = environ; p != nullptr && *p != nullptr; ++p) {
        if (const auto assignment = config::split_key_value(*p)) {
            env.emplace(std::string(assignment->key), std::string(assignment->value));
        }
    }
    return env;
}

std::optional<std::string> job_control_value(const EnvMap& env, std::string_view name) {
    std::string prefixed = std::string(contract::kSlurmSpankPrefix) + std::string(name);
    if (auto value = plain_value(env, prefixed)) return value;
    return plain_value(env, name);
}

bool wants_gateways(const EnvMap& env) {
    auto num = job_control_value(env, contract::kEnvNum);
    return num.has_value() && !num->empty();
}

std::optional<unsigned> het_offset(const EnvMap& env) {
    auto text = plain_value(env, contract::kEnvHetOffset);
    if (!text) text = plain_value(env, "SLURM_PACK_JOB_OFFSET");
    if (!text || text->empty()) return std::nullopt;
    auto value = config::parse_decimal(*text, 0, 1 << 20);
    if (!value) {
        throw JobEnvironmentError("psgw: " + std::string(contract::kEnvHetOffset) + "='" + *text +
                                  "' is not a valid number");
    }
    return static_cast<unsigned>(*value);
}

std::vector<std::string> split_gw_env(std::string_view gw_env) {
    config::EnvTokens split = config::split_env_tokens(gw_env);
    if (split.bad) {
        throw JobEnvironmentError("psgw: --gw_env token '" + *split.bad +
                                  "' is not KEY=VALUE (values are never evaluated)");
    }
    return std::move(split.tokens);
}

JobEnvironment read_job_environment(const EnvMap& env) {
    JobEnvironment job;
    job.het_offset = het_offset(env);
    job.job_id = static_cast<std::uint32_t>(required_number(env, "SLURM_JOB_ID", UINT32_MAX));
    // Only the het leader gets the union of all components' nodes.
    for (auto name : {contract::kEnvHetNodelist, contract::kEnvPackNodelist, contract::kEnvJobNodelist}) {
        if (auto value = plain_value(env, name); value && !value->empty()) {
            job.nodelist = *value;
            break;
        }
    }
    if (job.nodelist.empty()) {
        throw JobEnvironmentError(
            "psgw: none of SLURM_HET_JOB_NODELIST, SLURM_PACK_JOB_NODELIST, "
            "SLURM_JOB_NODELIST is set");
    }
    job.uid = static_cast<uid_t>(required_number(env, "SLURM_JOB_UID", UINT32_MAX - 1));
    job.gid = static_cast<gid_t>(required_number(env, "SLURM_JOB_GID", UINT32_MAX - 1));
    job.user = required(env, "SLURM_JOB_USER");
    job.work_dir = plain_value(env, "SLURM_JOB_WORK_DIR").value_or("");
    job.options = read_options(env);
    return job;
}

}  // namespace psgw::controller
