#include "relay/relay_main.hpp"

#include "relay/fd_budget.hpp"
#include "relay/pipe_budget.hpp"
#include "relay/relay_config.hpp"
#include "relay/relay_log.hpp"
#include "relay/relay_server.hpp"

#include "log/logger_setup.hpp"
#include "posix/fd_io.hpp"

#include <psgw/contract.hpp>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>

namespace psgw::relay {

namespace {

constexpr int kExitUsage = 2;    // bad command line or configuration
constexpr int kExitRuntime = 1;  // could not listen, readiness line not written

}  // namespace

int relay_main(int argc, char** argv) {
    CLI::App app{
        "psgwd relay: per-job relay between the cluster and booster fabrics.\n"
        "Reads its JSON configuration from stdin (docs/protocol.md)."};
    app.name("psgwd relay");
    int ready_fd = STDOUT_FILENO;
    app.add_option(std::string(contract::kRelayReadyFdOption), ready_fd,
                   "descriptor for the readiness line (closed after writing it)")
        ->check(CLI::NonNegativeNumber);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : kExitUsage;
    }

    RelayConfig config;
    try {
        const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        config = parse_relay_config(text);
    } catch (const RelayConfigError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return kExitUsage;
    }

    // The config's log_level is the default; SPDLOG_LEVEL (e.g. "relay=debug") overrides it.
    psgw::log::LoggerOptions logging;
    logging.name = "relay";
    logging.program = "psgwd relay";
    logging.pattern = "%Y-%m-%dT%H:%M:%S.%e relay[%P] %l: %v";
    logging.level = spdlog::level::from_str(config.log_level);
    logging.make_default = false;
    psgw::log::setup_logger(std::move(logging));
    auto& log = relay_log();
    if (::geteuid() == 0) {
        // By design the agent drops to the job user before exec; only tests run us as root.
        log.warn("job {}: running as root; the relay is meant to run as the job user", config.job);
    }
    // A peer that vanishes mid-splice must be an EPIPE error, not a signal that kills us.
    std::signal(SIGPIPE, SIG_IGN);

    // Caps that hold by construction instead of failing per connection: as many sessions
    // as the descriptor limit holds, pipes as large as the per-user pipe budget allows.
    const std::uint32_t configured_max = config.max_connections;
    const std::uint64_t configured_pipe = config.pipe_size;
    const FdBudget fds = fit_sessions_to_nofile(config.max_connections);
    if (fds.max_sessions < config.max_connections) {
        log.warn(
            "job {}: RLIMIT_NOFILE {} holds {} sessions ({} descriptors each, {} reserved), not "
            "max_connections {}: serving at most {} (raise LimitNOFILE= of psgwd.service)",
            config.job, fds.nofile, fds.max_sessions, kFdsPerSession, fds.open_at_start + kFdReserve,
            config.max_connections, fds.max_sessions);
        config.max_connections = fds.max_sessions;
    }
    const PipePlan pipes = plan_pipe_size(config.pipe_size, config.max_connections, ::geteuid() == 0);
    if (pipes.size != config.pipe_size) {
        log.info(
            "job {}: pipe_size {} -> {} per pipe (fs.pipe-max-size {}, user pipe budget {} bytes "
            "for {} sessions x 2 pipes)",
            config.job, config.pipe_size, pipes.size, pipes.max_size, pipes.user_budget_bytes,
            config.max_connections);
        config.pipe_size = static_cast<std::uint32_t>(pipes.size);
    }

    try {
        RelayServer server(config, configured_max, configured_pipe);
        const std::string ready = std::string(contract::kRelayReadyTag) +
                                  " port=" + std::to_string(server.port()) +
                                  " pid=" + std::to_string(::getpid()) + "\n";
        if (const auto written = posix::write_all(ready_fd, ready.data(), ready.size()); !written) {
            log.error("job {}: cannot write the readiness line to fd {}: {}", config.job, ready_fd,
                      std::strerror(written.error));
            return kExitRuntime;
        }
        ::close(ready_fd);
        server.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return kExitRuntime;
    }
    return 0;
}

}  // namespace psgw::relay
