// Requeue races: a job id can run again (requeue) before the stop of its earlier run
// arrives. Relays carry the incarnation of the start that made them; a stop of another
// incarnation keeps them, a start of another incarnation replaces them.
// Needs root (the agent drops to `nobody`) and munged; skipped otherwise.
#include "agent_blackbox_fixture.hpp"

#include <gtest/gtest.h>

namespace psgw::control {
namespace {

using namespace std::chrono_literals;
using namespace agent_test;
namespace fs = std::filesystem;

class AgentIncarnation : public AgentBlackBox {
protected:
    StartRequest request_of(std::uint64_t incarnation, unsigned relays = 1) const {
        StartRequest r = request(relays);
        r.incarnation = incarnation;
        return r;
    }

    /// The listed job (null if the agent lists none).
    nlohmann::json listed_job() const {
        const auto listed = list_relays(agent(), kTimeout);
        return listed.at("jobs").empty() ? nlohmann::json() : listed["jobs"][0];
    }
};

TEST_F(AgentIncarnation, StopOfAnotherIncarnationKeepsTheRelays) {
    start_agent();
    const StartReply reply = start(request_of(1));
    ASSERT_EQ(reply.relays.size(), 1u);
    const auto relay = reply.relays[0];

    const auto stale = stop_relays(agent(), job_, kTimeout, 2);
    EXPECT_TRUE(process_exists(relay.pid));
    EXPECT_TRUE(can_connect("127.0.0.1", relay.port));
    EXPECT_EQ(stale.value("stopped", -1), 0) << stale.dump();
    EXPECT_NE(stale.value("note", "").find("incarnation mismatch"), std::string::npos) << stale.dump();
    const auto job = listed_job();
    ASSERT_FALSE(job.is_null());
    EXPECT_EQ(job.value("incarnation", 999u), 1u);
    EXPECT_EQ(job.at("state"), "running");
    EXPECT_EQ(job["relays"][0].at("pid"), relay.pid);
    EXPECT_NE(agent_log().find("stop for incarnation 2 ignored"), std::string::npos) << agent_log();

    const auto stopped = stop_relays(agent(), job_, kTimeout, 1);
    EXPECT_EQ(stopped.value("stopped", -1), 1) << stopped.dump();
    EXPECT_FALSE(stopped.contains("note"));
    EXPECT_FALSE(process_exists(relay.pid));
    EXPECT_TRUE(listed_job().is_null());
}

TEST_F(AgentIncarnation, StopWithoutIncarnationStopsWhateverRuns) {
    start_agent();
    const StartReply reply = start(request_of(7));
    const auto stopped = stop_relays(agent(), job_, kTimeout);  // psgw-ctl stop, an older controller
    EXPECT_EQ(stopped.value("stopped", -1), 1) << stopped.dump();
    EXPECT_FALSE(process_exists(reply.relays[0].pid));
}

TEST_F(AgentIncarnation, StartOfANewIncarnationReplacesTheOldRelays) {
    start_agent();
    const StartReply old_run = start(request_of(1, 2));
    ASSERT_EQ(old_run.relays.size(), 2u);
    // The same incarnation again: the same relays, as before.
    EXPECT_EQ(start(request_of(1, 2)).relays[0].pid, old_run.relays[0].pid);

    const StartReply new_run = start(request_of(3, 2));
    ASSERT_EQ(new_run.relays.size(), 2u);
    for (const auto& relay : old_run.relays) {
        EXPECT_FALSE(process_exists(relay.pid)) << relay.pid;
        for (const auto& fresh : new_run.relays) EXPECT_NE(fresh.pid, relay.pid);
    }
    for (const auto& relay : new_run.relays) {
        EXPECT_TRUE(process_exists(relay.pid)) << relay.pid;
        EXPECT_TRUE(can_connect("127.0.0.1", relay.port));
    }
    const auto job = listed_job();
    ASSERT_FALSE(job.is_null());
    EXPECT_EQ(job.value("incarnation", 999u), 3u);
    ASSERT_EQ(job.at("relays").size(), 2u);
    EXPECT_EQ(job["relays"][0].at("pid"), new_run.relays[0].pid);

    // The old run's late stop (its epilogue) changes nothing.
    EXPECT_EQ(stop_relays(agent(), job_, kTimeout, 1).value("stopped", -1), 0);
    for (const auto& relay : new_run.relays) EXPECT_TRUE(process_exists(relay.pid)) << relay.pid;
    EXPECT_EQ(stop_relays(agent(), job_, kTimeout, 3).value("stopped", -1), 2);
}

TEST_F(AgentIncarnation, AgentRestartKeepsTheIncarnationAndOldStateFilesMeanUnknown) {
    start_agent();
    const StartReply reply = start(request_of(5));
    stop_agent(SIGKILL);
    start_agent();
    stop_relays(agent(), job_, kTimeout, 6);
    EXPECT_TRUE(process_exists(reply.relays[0].pid));
    EXPECT_EQ(listed_job().value("incarnation", 999u), 5u) << agent_log();

    // A state file of an agent before incarnations: 0, which any stop matches.
    stop_agent(SIGKILL);
    const fs::path state = work_ / "state" / "jobs" / (std::to_string(job_) + ".json");
    auto record = nlohmann::json::parse(read_file(state));
    record["request"].erase("incarnation");
    std::ofstream(state) << record.dump();
    start_agent();
    EXPECT_EQ(listed_job().value("incarnation", 999u), 0u) << agent_log();
    EXPECT_EQ(stop_relays(agent(), job_, kTimeout, 6).value("stopped", -1), 1);
    EXPECT_TRUE(eventually([&] { return !process_exists(reply.relays[0].pid); }, 5s));
}

}  // namespace
}  // namespace psgw::control
