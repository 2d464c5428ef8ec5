// Issue 7 against a real agent: idle strangers cannot starve it, one bad request
// (a child's non-UTF-8 stderr, a huge list) neither kills it nor other jobs' relays,
// a failed start leaves no job directory behind.
#include "agent_blackbox_fixture.hpp"

#include <poll.h>

#include <gtest/gtest.h>

namespace psgw::control {
namespace {

using namespace std::chrono_literals;
using namespace agent_test;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class AgentHardening : public AgentBlackBox {
protected:
    /// An executable script in the test's directory (readable by nobody).
    fs::path script(const std::string& name, const std::string& body) const {
        fs::path path = work_ / name;
        {
            std::ofstream out(path);
            out << "#!/bin/sh\n" << body;
        }
        fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
        return path;
    }

    /// Closes every fd in `fds`.
    static void close_all(std::vector<int>& fds) {
        for (int fd : fds) ::close(fd);
        fds.clear();
    }
};

/// True once `fd` sees EOF or an error within `limit`.
bool closed_by_peer(int fd, std::chrono::milliseconds limit) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
    char byte = 0;
    return ::recv(fd, &byte, 1, MSG_DONTWAIT) <= 0;
}

// 100 idle connections without a credential used to hold the agent's 64 slots for
// 2 x TIMEOUT_AGENT (16 s here): a real request waited behind them.
TEST_F(AgentHardening, IdleStrangersDoNotDelayARealRequest) {
    start_agent();
    std::vector<int> idle;
    for (int i = 0; i < 100; ++i) {
        const int fd = connect_from("127.0.0.3", port_);
        ASSERT_GE(fd, 0) << "connection " << i;
        idle.push_back(fd);
    }
    const auto begin = Clock::now();
    // A 5 s timeout: before the fix this throws "timed out" instead of hanging the test.
    EXPECT_NO_THROW(list_relays(agent(), 5s)) << agent_log();
    EXPECT_LT(Clock::now() - begin, 2s);
    // Strangers past the per-source cap are closed at once, the others after the 2 s
    // frame deadline: none of them holds a slot for long.
    EXPECT_TRUE(closed_by_peer(idle.back(), 1s));
    EXPECT_TRUE(closed_by_peer(idle.front(), 4s));
    close_all(idle);
    EXPECT_NO_THROW(list_relays(agent(), 5s)) << agent_log();
}

// A --gw_binary that writes a byte that is not UTF-8 and fails made the agent throw
// while encoding the error reply, and its exit path killed every other job's relays.
TEST_F(AgentHardening, BadBytesFromOneJobsBinaryHurtNoOtherJob) {
    write_config("0");
    start_agent();
    const StartReply a = start(request(1));
    ASSERT_EQ(a.relays.size(), 1u);

    auto b = request(1);
    b.job = job_ + 1;
    b.binary = script("bad-bytes", "printf 'relay broke: \\377\\376 here\\n' >&2\nexit 1\n").string();
    try {
        start(b);
        ADD_FAILURE() << "a relay that exited at once was accepted";
    } catch (const ControlError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("exited before it was ready"), std::string::npos) << what;
        EXPECT_NE(what.find("relay broke"), std::string::npos) << what;
    }
    EXPECT_TRUE(process_exists(agent_)) << agent_log();
    EXPECT_TRUE(process_exists(a.relays[0].pid));
    EXPECT_TRUE(can_connect("127.0.0.1", a.relays[0].port));
    const auto listed = list_relays(agent(), kTimeout);
    ASSERT_EQ(listed.at("jobs").size(), 1u) << listed.dump();
    EXPECT_EQ(listed["jobs"][0].at("job"), job_);
    stop_relays(agent(), job_, kTimeout);
}

// A list larger than the frame limit (here 96 relays with 64 KiB of stats each, over
// 6 MiB) was answered with an error; now it is cut and says so.
TEST_F(AgentHardening, ListLargerThanTheFrameLimitIsCutAndSaysSo) {
    write_config("0");
    start_agent();
    // A stand-in relay: announces a port from RELAY_PORTS, then idles.
    const fs::path fake = script("fake-relay",
                                 "echo \"psgw-relay v1 port=$((43000 + PSGWD_ID)) pid=$$\" >&3\n"
                                 "exec 3>&-\nexec sleep 120\n");
    constexpr unsigned kJobs = 3;
    const unsigned per_job = psgw::contract::kMaxPsgwdPerNode;
    const std::string stats = "\"" + std::string(64 * 1024 - 16, 'x') + "\"";
    for (unsigned j = 0; j < kJobs; ++j) {
        auto r = request(per_job);
        r.job = job_ + j;
        r.binary = fake.string();
        ASSERT_EQ(start(r).relays.size(), per_job);
        for (unsigned index = 0; index < per_job; ++index) {
            std::ofstream out(work_ / "state" / ("job-" + std::to_string(r.job)) /
                              ("relay-" + std::to_string(index) + ".stats"));
            out << stats;
        }
    }
    nlohmann::json listed;
    ASSERT_NO_THROW(listed = list_relays(agent(), kTimeout)) << agent_log();
    EXPECT_EQ(listed.value("stats_omitted", false), true) << listed.dump().substr(0, 500);
    EXPECT_EQ(listed.at("jobs").size(), kJobs);
    EXPECT_TRUE(process_exists(agent_));
    for (unsigned j = 0; j < kJobs; ++j) stop_relays(agent(), job_ + j, kTimeout);
}

// A failed start left the user-owned job directory behind for the next job with that id.
TEST_F(AgentHardening, FailedStartLeavesNoJobDirectory) {
    write_config("0");
    start_agent();
    auto r = request(2);
    r.binary = "/bin/false";
    EXPECT_THROW(start(r), ControlError);
    EXPECT_FALSE(fs::exists(work_ / "state" / ("job-" + std::to_string(job_)))) << agent_log();

    // One left over from before (an agent killed mid-start) is not inherited either.
    const fs::path stale = work_ / "state" / ("job-" + std::to_string(job_ + 1));
    fs::create_directory(stale);
    std::ofstream(stale / "planted") << "from an earlier job\n";
    auto next = request(1);
    next.job = job_ + 1;
    ASSERT_EQ(start(next).relays.size(), 1u);
    EXPECT_FALSE(fs::exists(stale / "planted"));
    stop_relays(agent(), next.job, kTimeout);
}

}  // namespace
}  // namespace psgw::control
