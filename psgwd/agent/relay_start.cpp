#include "agent/relay_start.hpp"

#include "agent/relay_stop.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <spdlog/spdlog.h>

namespace psgw::agent {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

/// How long a relay whose readiness pipe closed may take to finish dying, so that its
/// stderr log (quoted in the error) is complete.
constexpr std::chrono::milliseconds kExitWait{500};
constexpr std::chrono::milliseconds kExitPoll{10};

}  // namespace

RelayStart::RelayStart(const asio::any_io_executor& executor, const RelayLauncher& launcher,
                       control::StartRequest request, sys::UserIdentity user, Done done)
    : executor_(executor),
      launcher_(launcher),
      request_(std::move(request)),
      user_(std::move(user)),
      done_(std::move(done)),
      deadline_(executor),
      exit_wait_(executor) {}

void RelayStart::start() {
    try {
        launcher_.prepare_job_dir(request_.job, user_);
        for (unsigned index = 0; index < request_.relays; ++index) {
            SpawnedRelay spawned = launcher_.spawn_relay(request_, user_, index);
            auto relay = std::make_unique<Pending>(Pending{std::move(spawned.process),
                                                           asio::posix::stream_descriptor(executor_),
                                                           asio::posix::stream_descriptor(executor_),
                                                           std::move(spawned.config_text),
                                                           {},
                                                           false});
            relay->config.assign(spawned.config.release());
            relay->ready.assign(spawned.ready.release());
            relays_.push_back(std::move(relay));
        }
    } catch (const std::exception& e) {
        // Reported from the event loop, like every other completion.
        asio::post(executor_,
                   [self = shared_from_this(), error = std::string(e.what())] { self->fail(error); });
        return;
    }
    const auto budget = launcher_.start_budget();
    deadline_.expires_after(budget);
    deadline_.async_wait([self = shared_from_this(), budget](const boost::system::error_code& ec) {
        if (ec || self->finished_) return;
        for (auto& relay : self->relays_)
            if (!relay->is_ready)
                return self->fail(self->launcher_
                                      .failure(self->request_.job, relay->process->index(),
                                               "not ready within " + std::to_string(budget.count()) + " ms")
                                      .what());
    });
    for (auto& relay : relays_) {
        do_write_config(*relay);
        do_read_ready(*relay);
    }
}

void RelayStart::cancel(const std::string& reason) {
    if (!finished_) fail(reason);
}

void RelayStart::do_write_config(Pending& relay) {
    asio::async_write(relay.config, asio::buffer(relay.config_text),
                      [self = shared_from_this(), &relay](const boost::system::error_code&, std::size_t) {
                          // A relay that died before reading its config shows up as "exited early".
                          boost::system::error_code ignored;
                          relay.config.close(ignored);
                      });
}

void RelayStart::do_read_ready(Pending& relay) {
    asio::async_read_until(
        relay.ready, asio::dynamic_buffer(relay.line, RelayLauncher::kMaxReadyLine), '\n',
        [self = shared_from_this(), &relay](const boost::system::error_code& ec, std::size_t n) {
            self->on_ready_line(relay, ec, n);
        });
}

void RelayStart::on_ready_line(Pending& relay, const boost::system::error_code& ec, std::size_t length) {
    if (finished_) return;
    const unsigned index = relay.process->index();
    if (ec == asio::error::not_found)
        return fail(launcher_.failure(request_.job, index, "wrote a garbled readiness line").what());
    if (ec) return await_exit(relay, Clock::now() + kExitWait);
    const std::string line = relay.line.substr(0, length - 1);
    const auto port = launcher_.check_ready_line(line, relay.process->pid());
    if (!port)
        return fail(
            launcher_.failure(request_.job, index, "wrote a garbled readiness line '" + line + "'").what());
    relay.process->set_port(*port);
    relay.is_ready = true;
    boost::system::error_code ignored;
    relay.ready.close(ignored);
    for (const auto& other : relays_)
        if (!other->is_ready) return;
    succeed();
}

void RelayStart::await_exit(Pending& relay, Clock::time_point until) {
    if (finished_) return;
    if (!relay.process->alive() || Clock::now() >= until)
        return fail(
            launcher_.failure(request_.job, relay.process->index(), "exited before it was ready").what());
    exit_wait_.expires_after(kExitPoll);
    exit_wait_.async_wait([self = shared_from_this(), &relay, until](const boost::system::error_code&) {
        self->await_exit(relay, until);
    });
}

void RelayStart::close_all() {
    boost::system::error_code ignored;
    deadline_.cancel();
    exit_wait_.cancel();
    for (auto& relay : relays_) {
        relay->config.close(ignored);
        relay->ready.close(ignored);
    }
}

void RelayStart::succeed() {
    finished_ = true;
    close_all();
    std::vector<std::unique_ptr<RelayProcess>> processes;
    for (auto& relay : relays_) processes.push_back(std::move(relay->process));
    relays_.clear();
    done_(std::move(processes), {});
}

void RelayStart::fail(const std::string& error) {
    if (finished_) return;
    finished_ = true;
    close_all();
    std::vector<std::unique_ptr<RelayProcess>> started;
    for (auto& relay : relays_) started.push_back(std::move(relay->process));
    // relays_ stay until the pending handlers (holding references) have run.
    if (!started.empty())
        spdlog::info("job {}: stopping the {} relay(s) of the failed start", request_.job, started.size());
    stop_relays_async(executor_, std::move(started), kStopGrace, [self = shared_from_this(), error] {
        // Posted: the stop may be over at once, and cancel() must not call back.
        asio::post(self->executor_, [self, error] { self->done_({}, error); });
    });
}

}  // namespace psgw::agent
