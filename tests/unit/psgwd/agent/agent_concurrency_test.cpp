// Overlapping requests against a real agent: a relay that is slow to start must
// not hold up other jobs' requests, and a stop during a start leaves nothing running.
#include "agent_blackbox_fixture.hpp"

#include <future>

#include <gtest/gtest.h>

namespace psgw::control {
namespace {

using namespace std::chrono_literals;
using namespace agent_test;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kSlowStart = 3s;

class AgentConcurrency : public AgentBlackBox {
protected:
    void SetUp() override {
        AgentBlackBox::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        // The slow relay records its pid where nobody may write, then sleeps, then
        // becomes the real relay (exec keeps the pid).
        pid_dir_ = work_ / "pids";
        fs::create_directory(pid_dir_);
        fs::permissions(pid_dir_, fs::perms::all);
        slow_binary_ = work_ / "slow-relay";
        {
            std::ofstream script(slow_binary_);
            script << "#!/bin/sh\necho $$ > " << pid_dir_.string() << "/relay-$PSGWD_ID.pid\nsleep "
                   << std::chrono::seconds(kSlowStart).count() << "\nexec " << psgwd_binary() << " \"$@\"\n";
        }
        fs::permissions(slow_binary_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                          fs::perms::others_read | fs::perms::others_exec);
        write_config("0");  // --gw_binary is allowed
    }

    void TearDown() override {
        for (unsigned index = 0; index < 2; ++index) {
            const pid_t pid = slow_pid(index);
            if (pid > 0) relay_pids_.push_back(pid);
        }
        AgentBlackBox::TearDown();
    }

    StartRequest slow_request(unsigned relays = 1) const {
        StartRequest r = request(relays);
        r.binary = slow_binary_.string();
        return r;
    }

    /// The pid the slow relay `index` recorded, or -1 before it ran.
    pid_t slow_pid(unsigned index) const {
        const std::string text = read_file(pid_dir_ / ("relay-" + std::to_string(index) + ".pid"));
        return text.empty() ? -1 : static_cast<pid_t>(std::atoi(text.c_str()));
    }

    /// Starts `r` on another thread; the future holds the reply or the ControlError.
    std::future<StartReply> start_async(const StartRequest& r) {
        return std::async(std::launch::async,
                          [address = agent(), r] { return start_relays(address, r, kTimeout); });
    }

    fs::path pid_dir_;
    fs::path slow_binary_;
};

TEST_F(AgentConcurrency, SlowStartOfOneJobDoesNotDelayOtherRequests) {
    start_agent();
    const auto slow_began = Clock::now();
    auto slow = start_async(slow_request());
    // The slow relay runs (sleeping) once its start is under way in the agent.
    ASSERT_TRUE(eventually([&] { return slow_pid(0) > 0; }, 5s)) << agent_log();

    const auto began = Clock::now();
    const auto listed = list_relays(agent(), kTimeout);
    ASSERT_EQ(listed.at("jobs").size(), 1u) << listed.dump();
    EXPECT_EQ(listed["jobs"][0].at("job"), job_);
    EXPECT_EQ(listed["jobs"][0].at("state"), "starting");
    StartRequest other = request(1);
    other.job = job_ + 1;
    const StartReply fast = start(other);
    const auto took = Clock::now() - began;
    ASSERT_EQ(fast.relays.size(), 1u);
    EXPECT_LT(took, 1500ms) << "list + start of another job took "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
    EXPECT_EQ(slow.wait_for(0s), std::future_status::timeout) << "the slow start was not slow";

    const StartReply slow_reply = slow.get();
    ASSERT_EQ(slow_reply.relays.size(), 1u);
    relay_pids_.push_back(slow_reply.relays[0].pid);
    EXPECT_EQ(slow_reply.relays[0].pid, slow_pid(0)) << "the script became the relay";
    EXPECT_GE(Clock::now() - slow_began, kSlowStart);
    EXPECT_TRUE(can_connect("127.0.0.1", slow_reply.relays[0].port));
    EXPECT_EQ(list_relays(agent(), kTimeout).at("jobs").size(), 2u);
    stop_relays(agent(), job_, kTimeout);
    stop_relays(agent(), job_ + 1, kTimeout);
    EXPECT_FALSE(process_exists(slow_reply.relays[0].pid));
    EXPECT_FALSE(process_exists(fast.relays[0].pid));
}

TEST_F(AgentConcurrency, IdenticalStartDuringAStartGetsTheSameRelays) {
    start_agent();
    auto first = start_async(slow_request());
    ASSERT_TRUE(eventually([&] { return slow_pid(0) > 0; }, 5s)) << agent_log();
    auto second = start_async(slow_request());
    StartRequest different = slow_request(2);
    EXPECT_THROW(start(different), ControlError);
    const StartReply a = first.get();
    const StartReply b = second.get();
    ASSERT_EQ(a.relays.size(), 1u);
    ASSERT_EQ(b.relays.size(), 1u);
    relay_pids_.push_back(a.relays[0].pid);
    EXPECT_EQ(a.relays[0].pid, b.relays[0].pid);
    EXPECT_EQ(a.relays[0].port, b.relays[0].port);
}

TEST_F(AgentConcurrency, StopDuringAStartLeavesNoRelayRunning) {
    start_agent();
    auto pending = start_async(slow_request(2));
    ASSERT_TRUE(eventually([&] { return slow_pid(0) > 0 && slow_pid(1) > 0; }, 5s)) << agent_log();
    const pid_t first = slow_pid(0);
    const pid_t second = slow_pid(1);
    ASSERT_TRUE(process_exists(first));

    stop_relays(agent(), job_, kTimeout);
    // Answered only once the started relays are gone.
    EXPECT_FALSE(process_exists(first));
    EXPECT_FALSE(process_exists(second));
    try {
        pending.get();
        ADD_FAILURE() << "a start cancelled by a stop succeeded";
    } catch (const ControlError& e) {
        EXPECT_NE(std::string(e.what()).find("start cancelled by a stop request"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(list_relays(agent(), kTimeout).at("jobs").empty());
    EXPECT_FALSE(fs::exists(work_ / "state" / "jobs" / (std::to_string(job_) + ".json")));
}

TEST_F(AgentConcurrency, AgentStopDuringAStartStopsItsRelays) {
    start_agent();
    auto pending = start_async(slow_request());
    ASSERT_TRUE(eventually([&] { return slow_pid(0) > 0; }, 5s)) << agent_log();
    const pid_t relay = slow_pid(0);
    ASSERT_TRUE(process_exists(relay));
    stop_agent(SIGTERM);  // returns once the agent has exited
    // The start never succeeded: unlike a running job's relays, this one must not outlive the agent.
    EXPECT_FALSE(process_exists(relay)) << agent_log();
    EXPECT_THROW(pending.get(), std::exception);
    EXPECT_FALSE(fs::exists(work_ / "state" / "jobs" / (std::to_string(job_) + ".json")));
}

}  // namespace
}  // namespace psgw::control
