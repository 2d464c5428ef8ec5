#include "agent/relay_stop.hpp"

#include <boost/asio/steady_timer.hpp>

#include <csignal>

#include <spdlog/spdlog.h>

namespace psgw::agent {
namespace {

using Clock = std::chrono::steady_clock;
// Adopted relays are not our children: /proc is the only way to see them go, so
// exits are noticed by a short poll rather than by an event.
constexpr std::chrono::milliseconds kPollInterval{20};
constexpr std::chrono::milliseconds kKillWait{2000};

/// One stop in progress; kept alive by its pending timer.
struct Stop : std::enable_shared_from_this<Stop> {
    Stop(const boost::asio::any_io_executor& executor, std::vector<std::unique_ptr<RelayProcess>> list,
         std::function<void()> on_done)
        : relays(std::move(list)), timer(executor), done(std::move(on_done)) {}

    bool all_gone() {
        bool gone = true;
        for (auto& relay : relays) gone = !relay->alive() && gone;
        return gone;
    }

    void finish() {
        for (auto& relay : relays) relay->release();  // exited, or unkillable: nothing more to do
        if (done) done();
    }

    /// Polls until all exited or `deadline`; then `next`.
    void await(Clock::time_point deadline, std::function<void()> next) {
        if (all_gone()) return finish();
        if (Clock::now() >= deadline) return next();
        timer.expires_after(kPollInterval);
        timer.async_wait([self = shared_from_this(), deadline, next = std::move(next)](
                             const boost::system::error_code&) { self->await(deadline, next); });
    }

    std::vector<std::unique_ptr<RelayProcess>> relays;
    boost::asio::steady_timer timer;
    std::function<void()> done;
};

}  // namespace

void stop_relays_async(const boost::asio::any_io_executor& executor,
                       std::vector<std::unique_ptr<RelayProcess>> relays, std::chrono::milliseconds grace,
                       std::function<void()> done) {
    auto stop = std::make_shared<Stop>(executor, std::move(relays), std::move(done));
    for (auto& relay : stop->relays) relay->signal_group(SIGTERM);
    stop->await(Clock::now() + grace, [stop] {
        for (auto& relay : stop->relays) relay->signal_group(SIGKILL);
        stop->await(Clock::now() + kKillWait, [stop] {
            for (auto& relay : stop->relays)
                if (relay->alive())
                    spdlog::error("relay pid {} survived SIGKILL for {} ms", relay->pid(), kKillWait.count());
            stop->finish();
        });
    });
}

}  // namespace psgw::agent
