// "psgwd agent": the root daemon on a gateway node (etc/psgwd.service).
#include "agent/agent_main.hpp"

#include "agent/agent_server.hpp"
#include "config/fabric_map.hpp"
#include "config/psgw_config.hpp"
#include "log/logger_setup.hpp"
#include "posix/host_port.hpp"
#include "posix/passwd_lookup.hpp"

#include <boost/asio/ip/address.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>
#include <csignal>
#include <memory>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

namespace psgw::agent {
namespace {

std::string short_hostname() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) throw std::runtime_error("psgw: gethostname failed");
    std::string host(name);
    return host.substr(0, host.find('.'));
}

/// "ADDR", "ADDR:PORT", "V6ADDR" or "[V6ADDR][:PORT]".
boost::asio::ip::tcp::endpoint parse_listen(const std::string& text, std::uint16_t default_port) {
    constexpr posix::HostPortRules kRules{.port_optional = true, .ipv6 = posix::Ipv6Form::kBareWithoutPort};
    const posix::HostPort endpoint = posix::parse_host_port(text, kRules);
    if (!endpoint && endpoint.error != posix::HostPortError::kBadHost)
        throw std::runtime_error("psgw: --listen: bad ADDR:PORT '" + text + "'");
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(endpoint.host, ec);
    if (ec || !endpoint)
        throw std::runtime_error("psgw: --listen: not an IP address: '" + endpoint.host + "'");
    return {ip, endpoint.port.value_or(default_port)};
}

/// Where the agent listens without --listen: AGENT_ADDRESS, else the first non-loopback
/// address `node` resolves to (what Slurm's NodeAddr usually is), else every address.
boost::asio::ip::address listen_address(const std::string& configured, const std::string& node) {
    boost::system::error_code ec;
    if (!configured.empty()) {
        auto ip = boost::asio::ip::make_address(configured, ec);
        if (ec) throw std::runtime_error("psgw: AGENT_ADDRESS: not an IP address: '" + configured + "'");
        return ip;
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(node.c_str(), nullptr, &hints, &found) == 0) {
        std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
        for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
            boost::asio::ip::address ip;
            if (ai->ai_family == AF_INET)
                ip = boost::asio::ip::address_v4(
                    ntohl(reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr.s_addr));
            else
                continue;
            if (!ip.is_loopback()) return ip;
        }
    }
    spdlog::warn(
        "node name '{}' resolves to no non-loopback IPv4 address; listening on every address "
        "(set AGENT_ADDRESS to the management address)",
        node);
    return boost::asio::ip::address_v4::any();
}

uid_t uid_of(const std::string& user) {
    const auto entry = posix::find_user(user);
    if (!entry) throw std::runtime_error("psgw: CONTROL_USER: unknown user '" + user + "'");
    return entry->uid;
}

}  // namespace

int agent_main(int argc, char** argv) {
    CLI::App app{"psgwd agent: starts and stops the per-job relays on this gateway node", "psgwd agent"};
    std::string config_path;
    std::string node;
    std::string listen;
    std::string log_level = "info";
    unsigned job_check_interval = 30;
    app.add_option("--config", config_path, "psgw.conf (default: $PSGW_CONF or /etc/psgw/psgw.conf)");
    app.add_option("--node", node, "this gateway's node name in FABRIC_ADDRESSES (default: short host name)");
    app.add_option("--listen", listen, "control endpoint ADDR[:PORT] (default: AGENT_ADDRESS:AGENT_PORT)");
    app.add_option("--log-level", log_level, "trace|debug|info|warn|error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
    app.add_option("--job-check-interval", job_check_interval,
                   "seconds between checks that the jobs still exist in Slurm; 0 disables")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    // flush_on trace (the default): the log is how admins see refusals, never lose a line.
    psgw::log::LoggerOptions logging;
    logging.name = "agent";
    logging.program = "psgwd agent";
    logging.pattern = "%Y-%m-%d %H:%M:%S.%e psgwd agent %l: %v";
    logging.level = spdlog::level::from_str(log_level);
    psgw::log::setup_logger(std::move(logging));

    // A relay that closed its end of a pipe must produce EPIPE, not kill the agent.
    ::signal(SIGPIPE, SIG_IGN);

    AgentOptions options;
    options.launch.config = config::load(config::resolve_path(config_path));
    options.launch.node = node.empty() ? short_hostname() : node;
    const auto fabric = config::FabricMap::load(options.launch.config.fabric_addresses);
    const auto cluster = fabric.address(options.launch.node, config::Fabric::kCluster);
    const auto booster = fabric.address(options.launch.node, config::Fabric::kBooster);
    if (!cluster || !booster)
        throw std::runtime_error("psgw: " + options.launch.config.fabric_addresses.string() + ": node '" +
                                 options.launch.node + "' needs a cluster and a booster address");
    options.launch.cluster_addr = *cluster;
    options.launch.booster_addr = *booster;
    options.listen = listen.empty()
                         ? boost::asio::ip::tcp::endpoint(
                               listen_address(options.launch.config.agent_address, options.launch.node),
                               options.launch.config.agent_port)
                         : parse_listen(listen, options.launch.config.agent_port);
    options.control_uid = uid_of(options.launch.config.control_user);
    options.job_check_interval = std::chrono::seconds(job_check_interval);

    AgentServer server(std::move(options));
    server.run();
    return 0;
}

}  // namespace psgw::agent
