#include "agent/agent_server.hpp"

#include <sys/wait.h>
#include <algorithm>
#include <csignal>

#include <spdlog/spdlog.h>

namespace psgw::agent {

namespace asio = boost::asio;

AgentServer::AgentServer(AgentOptions options)
    : options_(std::move(options)),
      stop_signals_(io_, SIGINT, SIGTERM),
      child_signal_(io_, SIGCHLD),
      acceptor_(io_),
      check_timer_(io_),
      accept_retry_(io_),
      munge_(options_.launch.config.munge_socket.string()),
      store_(options_.launch.config.agent_state_dir),
      launcher_(options_.launch),
      registry_(io_.get_executor(), launcher_, store_),
      handler_(registry_, munge_, options_.control_uid),
      // A query never runs longer than the interval between two (at most 30 s).
      probe_(io_,
             std::clamp(options_.job_check_interval, std::chrono::seconds(2), std::chrono::seconds(30))) {
    // Bind before serving (asio fork/daemon.cpp): errors reach systemd's status at once.
    acceptor_.open(options_.listen.protocol());
    acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor_.bind(options_.listen);
    acceptor_.listen();
    const std::size_t adopted = registry_.restore();
    spdlog::info("psgwd agent on node {} (cluster {}, booster {}) listening on {}:{}; {} relay(s) adopted",
                 options_.launch.node, options_.launch.cluster_addr, options_.launch.booster_addr,
                 options_.listen.address().to_string(), options_.listen.port(), adopted);
}

void AgentServer::run() {
    do_accept();
    do_await_stop();
    do_await_child();
    if (options_.job_check_interval.count() > 0) do_check_jobs(std::chrono::seconds(0));
    // A handler that throws is a bug in one request, not a reason to leave every job
    // without its agent: log it and keep serving.
    for (;;) {
        try {
            io_.run();
            break;
        } catch (const std::exception& e) {
            spdlog::error("internal error, agent keeps running: {}", e.what());
        }
    }
    // Relays belong to their jobs, not to this agent process: a restart must not break them.
    registry_.detach_all();
    spdlog::info("psgwd agent stopped; relays keep running");
}

void AgentServer::do_accept() {
    if (accepting_ || !acceptor_.is_open()) return;
    accepting_ = true;
    acceptor_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
        accepting_ = false;
        if (!acceptor_.is_open()) return;
        if (ec) {
            // EMFILE and friends: retrying at once would spin on the same error.
            spdlog::warn("accept: {}", ec.message());
            accept_retry_.expires_after(std::chrono::milliseconds(100));
            accept_retry_.async_wait([this](const boost::system::error_code& timer_ec) {
                if (!timer_ec) do_accept();
            });
            return;
        }
        asio::ip::address source;
        if (admit(socket, source)) {
            ControlSession::Settings settings{
                kFrameDeadline, std::chrono::milliseconds(options_.launch.config.timeout_agent) * 2,
                [this](const std::shared_ptr<ControlSession>& s) { on_frame(s); },
                [this](const std::shared_ptr<ControlSession>& s) { on_session_closed(s); }};
            auto session = std::make_shared<ControlSession>(std::move(socket), handler_, std::move(settings));
            sessions_.emplace(session, source);
            pending_.insert(session);
            ++pending_per_source_[source];
            session->start();
        }
        do_accept();
    });
}

bool AgentServer::admit(const asio::ip::tcp::socket& socket, asio::ip::address& source) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return false;  // already gone; the socket closes with its object
    source = remote.address();
    if (sessions_.size() >= kMaxControlSessions) {
        note_refusal("the agent's connection limit");
        return false;
    }
    const auto it = pending_per_source_.find(source);
    if (it != pending_per_source_.end() && it->second >= kMaxPendingPerSource) {
        note_refusal("the limit of incomplete requests per source");
        return false;
    }
    return true;
}

void AgentServer::note_refusal(const char* why) {
    // Unbounded per-connection lines would let a flood fill the log.
    ++refused_;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ < kRefusalLogInterval) return;
    spdlog::warn("closed {} control connection(s) at once: {} (and maybe other limits)", refused_, why);
    refused_ = 0;
    last_refusal_log_ = now;
}

void AgentServer::on_frame(const std::shared_ptr<ControlSession>& session) {
    if (pending_.erase(session) == 0) return;
    const auto it = pending_per_source_.find(sessions_.at(session));
    if (it != pending_per_source_.end() && --it->second == 0) pending_per_source_.erase(it);
}

void AgentServer::on_session_closed(const std::shared_ptr<ControlSession>& session) {
    on_frame(session);  // a session closed before its frame no longer counts as pending
    sessions_.erase(session);
}

void AgentServer::do_await_stop() {
    stop_signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: stopping the agent", signal);
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        accept_retry_.cancel();
        check_timer_.cancel();
        probe_.cancel();
        child_signal_.cancel();  // stops reap their own children (waitpid on each pid)
        // A start in progress never succeeded: its relays go (the stop keeps run() going
        // until they are gone).
        registry_.cancel_starts();
        auto sessions = sessions_;
        for (const auto& [session, source] : sessions) session->stop();
    });
}

void AgentServer::do_await_child() {
    child_signal_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        reap_children();
        do_await_child();
    });
}

void AgentServer::reap_children() {
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        registry_.on_child_exit(pid, status);
    }
}

void AgentServer::do_check_jobs(std::chrono::seconds delay) {
    check_timer_.expires_after(delay);
    check_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        // The answer speaks of the relays that ran when the query began, not of later starts.
        const auto launched = registry_.last_start();
        probe_.probe(registry_.jobs(), [this, launched](const SlurmJobProbe::Result& result) {
            on_job_presence(result, launched);
        });
        do_check_jobs(options_.job_check_interval);
    });
}

void AgentServer::on_job_presence(const SlurmJobProbe::Result& result, std::uint64_t launched) {
    for (const auto& [job, presence] : result) {
        switch (presence) {
            case slurm::JobPresence::kGone:
                // Only relays that ran when the query began: a start or stop since then is newer
                // news (a requeued job may have been restarted under the same id).
                if (registry_.stop_if_started_by(job, launched))
                    spdlog::warn("job {} has ended or is unknown to Slurm; stopping its lingering relays",
                                 job);
                break;
            case slurm::JobPresence::kUnknown:
                // Never stop relays because slurmctld could not be asked.
                spdlog::warn("job {}: cannot ask Slurm whether it still runs; relays kept", job);
                break;
            case slurm::JobPresence::kActive:
                break;
        }
    }
}

}  // namespace psgw::agent
