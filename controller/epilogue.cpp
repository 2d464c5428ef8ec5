#include "epilogue.hpp"

#include "agent_calls.hpp"
#include "config/psgw_config.hpp"
#include "config/strict_parse.hpp"
#include "deadline.hpp"
#include "logging.hpp"
#include "prologue.hpp"
#include "sys/user_files.hpp"
#include "user_stat.hpp"

#include <psgw/contract.hpp>

#include <spdlog/spdlog.h>

namespace psgw::controller {

namespace {

std::string remove_if_ours(const FileRecord& file, const sys::UserIdentity& user) {
    if (file.path.empty()) return "no file recorded";
    auto now = stat_as_user(file.path, user);
    if (!now) return file.path + ": not there (or not a regular file): left alone";
    if (now->dev != file.dev || now->ino != file.ino) {
        return file.path + ": replaced since psgw wrote it: left alone";
    }
    try {
        sys::remove_file(file.path, user);
        return file.path + ": removed";
    } catch (const std::exception& error) {
        return file.path + ": " + error.what();
    }
}

std::uint32_t parse_id(const EnvMap& env, const char* name) {
    auto it = env.find(name);
    if (it == env.end()) throw JobEnvironmentError(std::string("psgw: ") + name + " is not set");
    auto value = config::parse_decimal(it->second, 0, UINT32_MAX - 1);
    if (!value) throw JobEnvironmentError(std::string("psgw: ") + name + " is not a number");
    return static_cast<std::uint32_t>(*value);
}

int epilogue(const EnvMap& env, std::string_view config_path, std::uint32_t job_id) {
    // Only what is needed: an epilogue must still clean up when other values are bad.
    auto config = config::load(config::resolve_path(config_path));
    const Deadline deadline(config.timeout_epilogue);
    ReservationLedger ledger(config.state_dir);
    auto entries = ledger.entries_of(job_id);
    if (entries.empty()) {
        spdlog::info("no gateways reserved (prologue failed, or already released)");
        return 0;
    }
    std::vector<GatewayTarget> targets;
    for (const auto& [gateway, e] : entries) {
        targets.push_back(
            {gateway, {e.agent_host, e.agent_port, config.munge_socket.string()}, e.incarnation});
    }
    auto errors = stop_on_all(targets, job_id, deadline.cap(config.timeout_agent));
    for (const auto& error : errors) spdlog::error("stopping relays: {}", error);
    ledger.release(job_id);
    spdlog::info("released {} gateway(s)", entries.size());

    auto cleanup = job_control_value(env, contract::kEnvCleanup);
    if (cleanup && config::parse_bool(*cleanup).value_or(false)) {
        const auto& entry = entries.begin()->second;
        if (!entry.created_by_psgw) {
            spdlog::info("--gw_cleanup: psgw created no routing file for this job");
        } else {
            sys::UserIdentity user{parse_id(env, "SLURM_JOB_UID"),
                                   parse_id(env, "SLURM_JOB_GID"),
                                   env.count("SLURM_JOB_USER") ? env.at("SLURM_JOB_USER") : "",
                                   {}};
            for (const auto& line : remove_created_files(entry, user)) {
                spdlog::info("--gw_cleanup: {}", line);
            }
        }
    }
    return errors.empty() ? 0 : 1;
}

}  // namespace

std::vector<std::string> remove_created_files(const LedgerEntry& entry, const sys::UserIdentity& user) {
    if (!entry.created_by_psgw) return {"psgw created no files"};
    return {remove_if_ours(entry.route_file, user), remove_if_ours(entry.map_file, user)};
}

int run_epilogue(const EnvMap& env, std::string_view config_path) {
    std::uint32_t job_id = 0;
    try {
        if (!concerns_psgw(env)) return 0;
        job_id = parse_id(env, "SLURM_JOB_ID");
    } catch (const std::exception& error) {
        setup_logging("psgw-epilogue", 0);
        spdlog::error("{}", error.what());
        return 1;
    }
    setup_logging("psgw-epilogue", job_id);
    try {
        return epilogue(env, config_path, job_id);
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
        return 1;
    }
}

}  // namespace psgw::controller
