#include "route_output.hpp"

#include "route/route_generator.hpp"
#include "routing_paths.hpp"
#include "sys/child_process.hpp"
#include "sys/user_files.hpp"

#include <psgw/contract.hpp>
#include <psgw/error.hpp>

#include <sys/stat.h>
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace psgw::controller {

namespace contract = psgw::contract;

namespace {

void run_route_script(const config::Config& config, const RouteJob& job, std::chrono::milliseconds timeout) {
    if (config.strict_mode) check_route_script(config.route_script);
    sys::ChildOptions options;
    options.argv = {config.route_script.string()};
    options.env = route_script_environment(config, job);
    options.as_user = job.user;
    options.timeout = timeout;
    options.working_dir = job.home;
    auto result = sys::run_child(options);
    if (result.timed_out) {
        throw psgw::Error("psgw: ROUTE_SCRIPT " + config.route_script.string() + " timed out after " +
                          std::to_string(timeout.count() / 1000) + " s (TIMEOUT_ROUTE_SCRIPT)");
    }
    if (result.exit_code != 0) {
        std::string text = result.error_output.empty() ? result.output : result.error_output;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        if (auto nl = text.rfind('\n'); nl != std::string::npos) text = text.substr(nl + 1);
        throw psgw::Error("psgw: ROUTE_SCRIPT " + config.route_script.string() + " exited with " +
                          std::to_string(result.exit_code) + (text.empty() ? "" : ": " + text));
    }
}

}  // namespace

std::string gateway_map_text(std::vector<std::pair<std::string, std::string>> gateways) {
    std::sort(gateways.begin(), gateways.end());
    std::string text;
    for (const auto& [cluster, booster] : gateways) text += cluster + " " + booster + "\n";
    return text;
}

std::vector<std::string> route_script_environment(const config::Config& config, const RouteJob& job) {
    std::vector<std::string> names;
    for (const auto& n : job.split.a) names.push_back(n.name);
    for (const auto& n : job.split.b) names.push_back(n.name);
    const std::string nodelist = fmt::format("{}", fmt::join(names, ","));
    std::vector<std::string> env = {
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "HOME=" + job.home,
        "USER=" + job.user.name,
        "LOGNAME=" + job.user.name,
        "SLURM_JOB_ID=" + std::to_string(job.job),
        "SLURM_JOB_UID=" + std::to_string(job.user.uid),
        "SLURM_JOB_GID=" + std::to_string(job.user.gid),
        "SLURM_JOB_USER=" + job.user.name,
        std::string(contract::kEnvHetNodelist) + "=" + nodelist,
        std::string(contract::kEnvPackNodelist) + "=" + nodelist,
        std::string(contract::kEnvPlugin) + "=" + job.plugin,
        std::string(contract::kEnvPsslurmGwServer) + "=" + job.route_file.string(),
        std::string(contract::kEnvNodesA) + "=" + fmt::format("{}", fmt::join(job.split.a_columns(), ",")),
        std::string(contract::kEnvNodesB) + "=" + fmt::format("{}", fmt::join(job.split.b_columns(), ",")),
        std::string(contract::kEnvNumGateways) + "=" + std::to_string(job.relay_endpoints.size()),
    };
    for (std::size_t i = 0; i < job.relay_endpoints.size(); ++i) {
        env.push_back(std::string(contract::kEnvGatewayAddrPrefix) + std::to_string(i) + "=" +
                      job.relay_endpoints[i]);
    }
    // psmgmt: DEBUG_MASK 0x40 (route) makes psroute.py verbose.
    if ((config.debug_mask & 0x40u) != 0 || job.debug)
        env.push_back(std::string(contract::kEnvRouteVerbose) + "=1");
    return env;
}

void check_route_script(const std::filesystem::path& script) {
    struct stat st {};
    const std::string name = "psgw: ROUTE_SCRIPT " + script.string();
    if (!script.is_absolute()) throw psgw::Error(name + " is not an absolute path");
    if (::lstat(script.c_str(), &st) != 0) throw psgw::Error(name + " does not exist");
    if (!S_ISREG(st.st_mode)) throw psgw::Error(name + " is not a regular file");
    if (st.st_uid != 0) throw psgw::Error(name + " is not owned by root (STRICT_MODE=1)");
    if ((st.st_mode & S_IXUSR) == 0) throw psgw::Error(name + " is not executable");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        throw psgw::Error(name + " is writable by group or others (STRICT_MODE=1)");
    }
}

void write_routing_files(const config::Config& config, const RouteJob& job,
                         std::chrono::milliseconds timeout) {
    if (!config.route_script.empty()) {
        run_route_script(config, job, timeout);
    } else {
        route::RouteRequest request;
        request.nodes_a = job.split.a_columns();
        request.nodes_b = job.split.b_columns();
        request.gateways = job.relay_endpoints;
        request.plugin = job.plugin;
        request.plugin_dir = config.dir_route_scripts;
        request.python = config.python;
        request.plugin_user = job.user;
        request.only_plugin_dir = config.strict_mode;
        request.timeout = std::chrono::duration_cast<std::chrono::seconds>(timeout);
        if (request.timeout.count() == 0) request.timeout = std::chrono::seconds(1);
        route::write_routing_file(job.route_file, route::generate_routes(request), job.user);
    }
    sys::write_file_atomically(gateway_map_path(job.route_file), gateway_map_text(job.gateway_addresses),
                               job.user);
}

}  // namespace psgw::controller
