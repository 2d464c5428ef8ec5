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
#include <map>
#include <memory>
#include <set>

namespace psgw::agent {

/// Control connections served at once. Connections beyond it are closed at once, so a
/// flood can exhaust neither descriptors nor memory, and never queues legitimate clients
/// behind idle strangers.
inline constexpr std::size_t kMaxControlSessions = 256;
/// Connections from one source address whose request frame is still incomplete; more
/// are closed at once, so one host cannot take every slot.
inline constexpr std::size_t kMaxPendingPerSource = 8;
/// Time for the whole request frame (the credential) to arrive.
inline constexpr std::chrono::milliseconds kFrameDeadline{2000};
/// At most one warning per interval sums up the connections refused in it.
inline constexpr std::chrono::seconds kRefusalLogInterval{10};

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

    /// Serves until a stop signal. Relays keep running after it returns, and after
    /// any exception out of it (the registry detaches them when destroyed).
    void run();

private:
    void do_accept();
    bool admit(const boost::asio::ip::tcp::socket& socket, boost::asio::ip::address& source);
    void on_frame(const std::shared_ptr<ControlSession>& session);
    void on_session_closed(const std::shared_ptr<ControlSession>& session);
    void note_refusal(const char* why);
    void do_await_stop();
    void do_await_child();
    void reap_children();
    void do_check_jobs(std::chrono::seconds delay);
    void on_job_presence(const SlurmJobProbe::Result& result, std::uint64_t launched);

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
    std::map<std::shared_ptr<ControlSession>, boost::asio::ip::address> sessions_;
    std::set<std::shared_ptr<ControlSession>> pending_;  ///< frame not complete yet
    std::map<boost::asio::ip::address, std::size_t> pending_per_source_;
    std::size_t refused_ = 0;  ///< since the last refusal warning
    std::chrono::steady_clock::time_point last_refusal_log_{};
};

}  // namespace psgw::agent
