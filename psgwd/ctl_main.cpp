// psgw-ctl: talk to a psgwd agent by hand (admins, tests). Needs a MUNGE
// credential the agent accepts, i.e. run it as root or as CONTROL_USER.
#include "config/psgw_config.hpp"
#include "control/control_client.hpp"
#include "control/control_message.hpp"
#include "posix/host_port.hpp"
#include "posix/passwd_lookup.hpp"

#include <psgw/version.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

namespace {

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

/// "HOST", "HOST:PORT", "V6ADDR" or "[V6ADDR][:PORT]".
psgw::control::AgentAddress parse_agent(const std::string& text, std::uint16_t default_port) {
    constexpr psgw::posix::HostPortRules kRules{.port_optional = true,
                                                .ipv6 = psgw::posix::Ipv6Form::kBareWithoutPort};
    const psgw::posix::HostPort endpoint = psgw::posix::parse_host_port(text, kRules);
    if (endpoint.error == psgw::posix::HostPortError::kBadPort)
        throw std::runtime_error("psgw: --agent: bad port in '" + text + "'");
    if (!endpoint) throw std::runtime_error("psgw: --agent: expected HOST[:PORT], got '" + text + "'");
    psgw::control::AgentAddress agent;
    agent.host = endpoint.host;
    agent.port = endpoint.port.value_or(default_port);
    return agent;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"psgw-ctl: start, stop and list the relays of a psgwd agent"};
    app.set_version_flag("--version", "psgw-ctl " + std::string(psgw::kVersion));
    std::string config_path;
    std::string agent_text;
    app.add_option("--config", config_path, "psgw.conf (default: $PSGW_CONF or /etc/psgw/psgw.conf)");
    app.add_option("--agent", agent_text, "agent HOST[:PORT] (port default: AGENT_PORT)")->required();
    app.require_subcommand(1);

    auto* list = app.add_subcommand("list", "print the agent's jobs and relays as JSON");
    std::uint32_t stop_job = 0;
    auto* stop = app.add_subcommand("stop", "stop every relay of a job");
    stop->add_option("JOB", stop_job, "job id")->required()->check(CLI::Range(1u, 4294967295u));
    std::uint64_t stop_incarnation = 0;
    stop->add_option("--incarnation", stop_incarnation,
                     "stop only relays started with this incarnation (default: all of the job)");
    psgw::control::StartRequest request;
    std::string cluster_peers;
    std::string booster_peers;
    auto* start = app.add_subcommand("start", "start the relays of a job (idempotent)");
    start->add_option("JOB", request.job, "job id")->required()->check(CLI::Range(1u, 4294967295u));
    start->add_option("--user", request.user, "job user")->required();
    start->add_option("--peers-cluster", cluster_peers, "cluster-fabric addresses, comma-separated");
    start->add_option("--peers-booster", booster_peers, "booster-fabric addresses, comma-separated");
    start
        ->add_option("--relays", request.relays,
                     "relays on this gateway (1.." + std::to_string(psgw::contract::kMaxPsgwdPerNode) + ")")
        ->check(CLI::Range(1u, psgw::contract::kMaxPsgwdPerNode))
        ->capture_default_str();
    start->add_option("--env", request.env, "KEY=VALUE for the relays (repeatable)");
    start->add_option("--binary", request.binary, "relay binary (--gw_binary)");
    start->add_flag("--debug", request.debug, "relay debug output (--gw_debug)");
    start->add_option("--cwd", request.cwd, "directory for debug files");
    CLI11_PARSE(app, argc, argv);

    try {
        const auto config = psgw::config::load(psgw::config::resolve_path(config_path));
        auto agent = parse_agent(agent_text, config.agent_port);
        agent.munge_socket = config.munge_socket.string();
        // The agent answers within TIMEOUT_AGENT; allow for the network on top.
        const auto timeout = std::chrono::milliseconds(config.timeout_agent) + std::chrono::seconds(5);
        if (*list) {
            std::cout << psgw::control::list_relays(agent, timeout).dump(2) << "\n";
        } else if (*stop) {
            std::cout << psgw::control::stop_relays(agent, stop_job, timeout, stop_incarnation).dump(2)
                      << "\n";
        } else {
            const auto entry = psgw::posix::find_user(request.user);
            if (!entry) throw std::runtime_error("psgw: --user: unknown user '" + request.user + "'");
            request.uid = entry->uid;
            request.gid = entry->gid;
            request.cluster_peers = split_commas(cluster_peers);
            request.booster_peers = split_commas(booster_peers);
            const auto reply = psgw::control::start_relays(agent, request, timeout);
            nlohmann::json relays = nlohmann::json::array();
            for (const auto& relay : reply.relays)
                relays.push_back({{"port", relay.port}, {"pid", relay.pid}});
            std::cout << nlohmann::json{{"cluster_addr", reply.cluster_addr},
                                        {"booster_addr", reply.booster_addr},
                                        {"relays", relays}}
                             .dump(2)
                      << "\n";
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
