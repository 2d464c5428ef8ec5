// The agent daemon: acceptor, signals (SIGTERM/SIGINT stop, SIGCHLD reaps),
// periodic check for relays of ended jobs. One io_context thread that never blocks
// on a relay: starts and stops of different jobs overlap, and the registry orders
// the requests for one job.
#pragma once

#include "agent/control_session.hpp"
#include "agent/job_registry.hpp"
#include "agent/relay_launcher.hpp"
#include "agent/request_handler.hpp"
#include "agent/slurm_job_probe.hpp"
#include "agent/state_store.hpp"
#include "control/munge_codec.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <set>

namespace psgw::agent {

/// Control connections served at once. Beyond that the agent stops accepting (new
/// clients wait in the listen backlog) until one ends, so a flood of unauthenticated
/// connections can exhaust neither its descriptors nor its memory.
inline constexpr std::size_t kMaxControlSessions = 64;

/// What agent_main resolved from the command line and psgw.conf.
struct AgentOptions {
    LaunchSettings launch;                        ///< config, node, fabric addresses
    boost::asio::ip::tcp::endpoint listen;        ///< control endpoint
    uid_t control_uid = 0;                        ///< CONTROL_USER's uid
    std::chrono::seconds job_check_interval{30};  ///< 0: never ask Slurm
};

/// Owns everything the agent runs; run() returns after SIGTERM/SIGINT.
class AgentServer {
public:
    /// Binds the listening socket and adopts surviving relays. Throws on failure.
    explicit AgentServer(AgentOptions options);
    AgentServer(const AgentServer&) = delete;
    AgentServer& operator=(const AgentServer&) = delete;

    /// Serves until a stop signal. Relays keep running after it returns.
    void run();

private:
    void do_accept();
    void on_session_closed(const std::shared_ptr<ControlSession>& session);
    void do_await_stop();
    void do_await_child();
    void reap_children();
    void do_check_jobs(std::chrono::seconds delay);
    void on_job_presence(const SlurmJobProbe::Result& result);

    AgentOptions options_;
    boost::asio::io_context io_;
    boost::asio::signal_set stop_signals_;
    boost::asio::signal_set child_signal_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer check_timer_;
    boost::asio::steady_timer accept_retry_;  ///< back-off after an accept error (EMFILE, ...)
    bool accepting_ = false;                  ///< an async_accept is pending
    control::MungeCodec munge_;
    StateStore store_;
    RelayLauncher launcher_;
    JobRegistry registry_;
    RequestHandler handler_;
    SlurmJobProbe probe_;
    std::set<std::shared_ptr<ControlSession>> sessions_;
};

}  // namespace psgw::agent
