// psgw-route: writes a routing file from flags or from psroute.py's environment
// contract. Each input comes from its flag if given, else from the environment.
#include <psgw/version.hpp>
#include "config/psgw_config.hpp"
#include "config/strict_parse.hpp"
#include "psgw/contract.hpp"
#include "route/route_generator.hpp"
#include "slurm/hostlist.hpp"
#include "sys/user_identity.hpp"

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using psgw::route::RouteError;
namespace contract = psgw::contract;

/// Command-line values; empty means "not given".
struct Options {
    std::string nodes_a;
    std::string nodes_b;
    std::vector<std::string> gateways;
    std::string plugin;
    std::string output;
    std::string config;
};

std::optional<std::string> env(std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

/// The bare job-control name or the "SPANK_"-prefixed copy PrologSlurmctld sees.
std::optional<std::string> job_control_env(std::string_view name) {
    if (auto value = env(name)) return value;
    return env(std::string(contract::kSlurmSpankPrefix) + std::string(name));
}

std::string required(const std::string& flag_value, std::string_view env_name, std::string_view flag) {
    if (!flag_value.empty()) return flag_value;
    if (auto value = env(env_name)) return *value;
    throw RouteError("psgw: missing " + std::string(flag) + " (or " + std::string(env_name) + ")");
}

/// psroute.py's NUM_GATEWAYS / GATEWAY_ADDR_<i>.
std::vector<std::string> gateways_from_env() {
    auto count_text = env(contract::kEnvNumGateways);
    if (!count_text) throw RouteError("psgw: missing --gateway (or NUM_GATEWAYS)");
    auto count = psgw::config::parse_decimal(*count_text, 1, 65535);
    if (!count) throw RouteError("psgw: invalid NUM_GATEWAYS '" + *count_text + "'");
    std::vector<std::string> gateways;
    for (std::int64_t i = 0; i < *count; ++i) {
        std::string name = std::string(contract::kEnvGatewayAddrPrefix) + std::to_string(i);
        auto value = env(name);
        if (!value) throw RouteError("psgw: missing " + name);
        gateways.push_back(*value);
    }
    return gateways;
}

/// Expands a hostlist with libslurm. libslurm logs its own "error:" line to stderr
/// for a bad range; this single-threaded CLI silences fd 2 meanwhile so that the
/// user sees one line.
std::vector<std::string> expand(const std::string& expression, std::string_view what) {
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null_fd >= 0) dup2(null_fd, STDERR_FILENO);
    auto restore = [&] {
        if (saved >= 0) {
            dup2(saved, STDERR_FILENO);
            close(saved);
        }
        if (null_fd >= 0) close(null_fd);
    };
    try {
        auto names = psgw::slurm::expand_hostlist(expression);
        restore();
        return names;
    } catch (const std::invalid_argument&) {
        restore();
        throw RouteError("psgw: invalid hostlist for " + std::string(what) + ": '" + expression + "'");
    }
}

psgw::config::Config load_config(const std::string& explicit_path) {
    const bool chosen = !explicit_path.empty() || env(psgw::contract::kEnvConfigPath);
    const std::filesystem::path path = psgw::config::resolve_path(explicit_path);
    std::error_code ec;
    // Without an explicit choice a host with no psgw.conf gets the documented defaults.
    if (!chosen && !std::filesystem::exists(path, ec)) return psgw::config::Config{};
    return psgw::config::load(path);
}

/// The job user, when we run for a job (psroute.py's SLURM_JOB_UID): as root or as
/// SlurmUser (ROUTE_SCRIPT), external plugins then run as that user.
std::optional<psgw::sys::UserIdentity> job_user() {
    auto uid_text = env("SLURM_JOB_UID");
    if (!uid_text) return std::nullopt;
    auto uid = psgw::config::parse_decimal(*uid_text, 0, 0xfffffffe);
    if (!uid) throw RouteError("psgw: invalid SLURM_JOB_UID '" + *uid_text + "'");
    return psgw::sys::lookup_user(static_cast<uid_t>(*uid));
}

int run(const Options& options) {
    const psgw::config::Config config = load_config(options.config);

    psgw::route::RouteRequest request;
    request.nodes_a = expand(required(options.nodes_a, contract::kEnvNodesA, "--nodes-a"), "--nodes-a");
    request.nodes_b = expand(required(options.nodes_b, contract::kEnvNodesB, "--nodes-b"), "--nodes-b");
    request.gateways = options.gateways.empty() ? gateways_from_env() : options.gateways;
    request.plugin = !options.plugin.empty()
                         ? options.plugin
                         : job_control_env(contract::kEnvPlugin).value_or(config.default_route_plugin);
    request.plugin_dir = config.dir_route_scripts;
    request.python = config.python;
    request.timeout = config.timeout_route_script;
    request.plugin_user = job_user();
    request.only_plugin_dir = config.strict_mode;

    std::string output = options.output;
    if (output.empty()) output = env(contract::kEnvGwServer).value_or("");
    if (output.empty()) output = env(contract::kEnvPsslurmGwServer).value_or("");
    if (output.empty()) {
        throw RouteError("psgw: missing --output (or PSP_GW_SERVER / _PSSLURM_ENV_PSP_GW_SERVER)");
    }

    const std::string text = psgw::route::generate_routes(request);
    if (output == "-") {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
            throw RouteError("psgw: cannot write the routing file to stdout");
        }
        return 0;
    }
    psgw::route::write_routing_file(output, text, request.plugin_user);
    return 0;
}

std::string one_line(std::string message) {
    for (char& c : message) {
        if (c == '\n') c = ' ';
    }
    return message.starts_with("psgw: ") ? message : "psgw: " + message;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "psgw-route: write a psgw routing file (psmgmt psroute.py compatible).\n"
        "Inputs not given as flags come from psroute.py's environment: PSGW_NODES_A,\n"
        "PSGW_NODES_B, NUM_GATEWAYS + GATEWAY_ADDR_<i>, SLURM_SPANK_PSGW_PLUGIN,\n"
        "PSP_GW_SERVER or _PSSLURM_ENV_PSP_GW_SERVER.",
        "psgw-route"};
    Options options;
    app.add_option("--nodes-a", options.nodes_a, "A-side (cluster) node column values, a hostlist")
        ->type_name("HOSTLIST");
    app.add_option("--nodes-b", options.nodes_b, "B-side (booster) node column values, a hostlist")
        ->type_name("HOSTLIST");
    app.add_option("--gateway", options.gateways, "relay endpoint, repeatable")
        ->type_name("ADDR:PORT|[ADDR]:PORT");
    app.add_option("--plugin", options.plugin,
                   "plugin01|plugin02|plugin03, a plugin file path, or a name in DIR_ROUTE_SCRIPTS")
        ->type_name("NAME|PATH");
    app.add_option("--output", options.output, "routing file to write atomically, or - for stdout")
        ->type_name("FILE|-");
    app.add_option("--config", options.config, "psgw.conf (default: $PSGW_CONF or /etc/psgw/psgw.conf)")
        ->type_name("PATH");
    app.set_version_flag("--version", "psgw-route " + std::string(psgw::kVersion));

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << one_line(e.what()) << '\n';
        return 1;
    }
    try {
        return run(options);
    } catch (const std::exception& e) {
        std::cerr << one_line(e.what()) << '\n';
        return 1;
    }
}
