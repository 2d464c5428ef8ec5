// The asynchronous start of one job's relays: fork each, write its config to its
// stdin, read its readiness line, all under one deadline; never blocks the agent.
#pragma once

#include "agent/relay_launcher.hpp"
#include "agent/relay_process.hpp"
#include "control/control_client.hpp"
#include "sys/user_identity.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace psgw::agent {

/// Starts request.relays relays; lives as long as its asynchronous operations.
class RelayStart : public std::enable_shared_from_this<RelayStart> {
public:
    /// Success: every relay, ready, and an empty error. Failure: no relays (the started
    /// ones are stopped before `done` runs) and a one-line error.
    using Done =
        std::function<void(std::vector<std::unique_ptr<RelayProcess>> relays, const std::string& error)>;

    RelayStart(const boost::asio::any_io_executor& executor, const RelayLauncher& launcher,
               control::StartRequest request, sys::UserIdentity user, Done done);
    RelayStart(const RelayStart&) = delete;
    RelayStart& operator=(const RelayStart&) = delete;

    /// Forks the relays and begins waiting for them; `done` always runs later, never inside.
    void start();
    /// Gives up: stops what was started, then completes with `reason`. No-op once finished.
    void cancel(const std::string& reason);

private:
    /// One relay being started.
    struct Pending {
        std::unique_ptr<RelayProcess> process;
        boost::asio::posix::stream_descriptor config;
        boost::asio::posix::stream_descriptor ready;
        std::string config_text;
        std::string line;
        bool is_ready = false;
    };

    void do_write_config(Pending& relay);
    void do_read_ready(Pending& relay);
    void on_ready_line(Pending& relay, const boost::system::error_code& ec, std::size_t length);
    void await_exit(Pending& relay, std::chrono::steady_clock::time_point until);
    void succeed();
    void fail(const std::string& error);
    void close_all();

    boost::asio::any_io_executor executor_;
    const RelayLauncher& launcher_;
    control::StartRequest request_;
    sys::UserIdentity user_;
    Done done_;
    std::vector<std::unique_ptr<Pending>> relays_;  ///< stable addresses for the handlers
    boost::asio::steady_timer deadline_;
    boost::asio::steady_timer exit_wait_;
    bool finished_ = false;
};

}  // namespace psgw::agent
