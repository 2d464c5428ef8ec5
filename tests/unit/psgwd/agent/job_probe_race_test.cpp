// The agent's Slurm query (SlurmJobProbe) answers for the relays that ran when it began:
// a job requeued and restarted here since then must keep its new relays. The query's
// child calls libslurm in-process, so the test drives the registry the agent applies a
// query's answer to (AgentServer::on_job_presence -> stop_if_started_by) directly.
// Needs root (relays drop to `nobody`); skipped otherwise.
#include "agent/job_registry.hpp"
#include "agent_blackbox_fixture.hpp"
#include "config/psgw_config.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

namespace psgw::control {
namespace {

using namespace std::chrono_literals;
using namespace agent_test;

class JobProbeRace : public AgentBlackBox {
protected:
    /// Runs `io` until `flag` is set (at most kTimeout).
    static bool run_until(boost::asio::io_context& io, const bool& flag) {
        const auto end = std::chrono::steady_clock::now() + kTimeout;
        while (!flag && std::chrono::steady_clock::now() < end) {
            io.restart();
            io.run_one_for(100ms);
        }
        return flag;
    }

    /// Starts `r` in `registry`; the relays' pids (empty on failure).
    std::vector<pid_t> start_in(agent::JobRegistry& registry, boost::asio::io_context& io,
                                const StartRequest& r) {
        bool done = false;
        std::vector<pid_t> pids;
        registry.start(r, [&](const std::optional<StartReply>& reply, const std::string& error) {
            EXPECT_TRUE(reply) << error;
            if (reply)
                for (const auto& relay : reply->relays) pids.push_back(relay.pid);
            done = true;
        });
        EXPECT_TRUE(run_until(io, done));
        relay_pids_.insert(relay_pids_.end(), pids.begin(), pids.end());
        return pids;
    }
};

TEST_F(JobProbeRace, AnswerOfAQueryAppliesOnlyToRelaysStartedBeforeIt) {
    boost::asio::io_context io;
    agent::LaunchSettings settings{config::load(work_ / "psgw.conf"), "gwtest", "127.0.0.1", "127.0.0.2"};
    const agent::StateStore store(settings.config.agent_state_dir);
    const agent::RelayLauncher launcher(settings);
    agent::JobRegistry registry(io.get_executor(), launcher, store);

    StartRequest first = request(1);
    first.incarnation = 1;
    const auto old_pids = start_in(registry, io, first);
    ASSERT_EQ(old_pids.size(), 1u);

    // A query begins; meanwhile the job is requeued and restarted here.
    const std::uint64_t query_began = registry.last_start();
    StartRequest second = first;
    second.incarnation = 2;
    const auto new_pids = start_in(registry, io, second);
    ASSERT_EQ(new_pids.size(), 1u);
    EXPECT_TRUE(eventually([&] { return !process_exists(old_pids[0]); }, 5s));

    // The query's "gone" (about the earlier run) leaves the new relays alone.
    EXPECT_FALSE(registry.stop_if_started_by(first.job, query_began));
    EXPECT_TRUE(registry.running(first.job));
    EXPECT_TRUE(process_exists(new_pids[0]));

    // A query that began after the restart does apply.
    EXPECT_TRUE(registry.stop_if_started_by(first.job, registry.last_start()));
    bool gone = false;
    const auto end = std::chrono::steady_clock::now() + kTimeout;
    while (!gone && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_one_for(100ms);
        gone = registry.list()["jobs"].empty();  // jobs() drops it as soon as the stop begins
    }
    EXPECT_TRUE(gone);
    EXPECT_FALSE(process_exists(new_pids[0]));
}

}  // namespace
}  // namespace psgw::control
