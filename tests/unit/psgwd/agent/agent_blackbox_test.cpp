// Black-box tests of a real "psgwd agent" on 127.0.0.1 with its own munged:
// start/stop/list, privilege drop, idempotence, authorization, agent restart.
// Needs root (the agent drops to `nobody`) and munged; skipped otherwise.
#include "agent_blackbox_fixture.hpp"

#include <psgw/version.hpp>

#include <gtest/gtest.h>

namespace psgw::control {
namespace {

using namespace std::chrono_literals;
using namespace agent_test;
namespace fs = std::filesystem;

TEST_F(AgentBlackBox, StartRunsRelaysAsTheUserAndStopRemovesThem) {
    start_agent();
    const StartReply reply = start(request());
    EXPECT_EQ(reply.cluster_addr, "127.0.0.1");
    EXPECT_EQ(reply.booster_addr, "127.0.0.2");
    ASSERT_EQ(reply.relays.size(), 2u);
    const std::string nobody = std::to_string(::getpwnam("nobody")->pw_uid);
    const std::string nogroup = std::to_string(::getpwnam("nobody")->pw_gid);
    for (const auto& relay : reply.relays) {
        SCOPED_TRACE("relay pid " + std::to_string(relay.pid));
        EXPECT_TRUE(can_connect("127.0.0.1", relay.port));
        EXPECT_TRUE(can_connect("127.0.0.2", relay.port));
        EXPECT_EQ(status_field(relay.pid, "Uid"), nobody + "\t" + nobody + "\t" + nobody + "\t" + nobody);
        EXPECT_EQ(status_field(relay.pid, "Gid"), nogroup + "\t" + nogroup + "\t" + nogroup + "\t" + nogroup);
        EXPECT_EQ(status_field(relay.pid, "Groups"), nogroup);
        EXPECT_EQ(status_field(relay.pid, "CapEff"), "0000000000000000");
        EXPECT_EQ(status_field(relay.pid, "CapPrm"), "0000000000000000");
        EXPECT_EQ(status_field(relay.pid, "NoNewPrivs"), "1");
        EXPECT_EQ(::getpgid(relay.pid), relay.pid);  // leader of its own process group
        EXPECT_EQ(::getsid(relay.pid), relay.pid);
        // Clean environment: request entries verbatim, identity set, nothing from the agent.
        std::string environ = read_file("/proc/" + std::to_string(relay.pid) + "/environ");
        std::replace(environ.begin(), environ.end(), '\0', '\n');
        EXPECT_NE(environ.find("PSGW_TEST_VAR=$(id) `x`\n"), std::string::npos) << environ;
        EXPECT_NE(environ.find("SLURM_JOB_ID=" + std::to_string(job_) + "\n"), std::string::npos) << environ;
        EXPECT_NE(environ.find("PATH=/usr/bin:/bin\n"), std::string::npos) << environ;
        EXPECT_NE(environ.find("USER=nobody\n"), std::string::npos) << environ;
        EXPECT_EQ(environ.find("PSGW_TEST_AGENT_SECRET"), std::string::npos) << environ;
        // STRICT_MODE (this fixture's default): no loader variable reaches the relay.
        EXPECT_EQ(environ.find("LD_PRELOAD"), std::string::npos) << environ;
    }
    EXPECT_NE(reply.relays[0].port, reply.relays[1].port);

    // Start again: the same relays (idempotent).
    const StartReply again = start(request());
    ASSERT_EQ(again.relays.size(), 2u);
    EXPECT_EQ(again.relays[0].pid, reply.relays[0].pid);
    EXPECT_EQ(again.relays[1].port, reply.relays[1].port);

    // Different parameters for a running job: an error, the relays stay.
    auto other = request(3);
    EXPECT_THROW(start(other), ControlError);
    EXPECT_TRUE(process_exists(reply.relays[0].pid));

    const auto listed = list_relays(agent(), kTimeout);
    ASSERT_EQ(listed.at("jobs").size(), 1u) << listed.dump();
    const auto& job = listed["jobs"][0];
    EXPECT_EQ(job.at("job"), job_);
    EXPECT_EQ(job.at("user"), "nobody");
    ASSERT_EQ(job.at("relays").size(), 2u);
    EXPECT_EQ(job["relays"][0].at("pid"), reply.relays[0].pid);
    EXPECT_EQ(job["relays"][0].at("alive"), true);

    stop_relays(agent(), job_, kTimeout);
    for (const auto& relay : reply.relays) EXPECT_FALSE(process_exists(relay.pid)) << relay.pid;
    EXPECT_TRUE(list_relays(agent(), kTimeout).at("jobs").empty());
    EXPECT_FALSE(fs::exists(work_ / "state" / "jobs" / (std::to_string(job_) + ".json")));
    // Stopping an unknown job succeeds.
    EXPECT_NO_THROW(stop_relays(agent(), job_ + 1, kTimeout));
}

// The version line once per process (agent and each relay), and SPDLOG_LEVEL in a job's
// environment (--gw_env) reaching its relays' log set-up.
TEST_F(AgentBlackBox, LogsTheVersionOnceAndRelaysHonourSpdlogLevel) {
    start_agent();
    const auto count = [](const std::string& text, const std::string& what) {
        std::size_t n = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
        return n;
    };
    const std::string version = std::string(psgw::kVersion);
    const auto relay_log = [this] {
        return read_file(work_ / "state" / ("job-" + std::to_string(job_) + "-relay-0.log"));
    };

    start(request(1));
    const std::string plain = relay_log();
    EXPECT_EQ(count(plain, "psgwd relay " + version), 1u) << plain;
    stop_relays(agent(), job_, kTimeout);

    auto quiet = request(1);
    quiet.env.emplace_back("SPDLOG_LEVEL=relay=warn");
    start(quiet);
    const std::string warn_only = relay_log();
    EXPECT_EQ(count(warn_only, "psgwd relay " + version), 0u) << warn_only;
    stop_relays(agent(), job_, kTimeout);

    const std::string log = agent_log();
    EXPECT_EQ(count(log, "psgwd agent " + version), 1u) << log;
}

TEST_F(AgentBlackBox, RefusesMissingForgedAndUnauthorizedCredentials) {
    start_agent();
    // No credential: the plain JSON request.
    std::string reply = exchange(R"({"v":2,"op":"list"})");
    EXPECT_NE(reply.find("\"ok\":false"), std::string::npos) << reply;
    // Garbage credential.
    reply = exchange("MUNGE:AwQFAAD0garbage==:");
    EXPECT_NE(reply.find("\"ok\":false"), std::string::npos) << reply;
    EXPECT_NE(reply.find("credential"), std::string::npos) << reply;

    // A valid credential minted by nobody.
    const std::string credential =
        as_nobody([&] { return MungeCodec(socket_).encode(R"({"v":2,"op":"list"})"); });
    ASSERT_FALSE(credential.empty()) << "minting as nobody failed";
    const std::string nobody_uid = std::to_string(::getpwnam("nobody")->pw_uid);
    reply = exchange(credential);
    EXPECT_NE(reply.find("not authorized: uid " + nobody_uid), std::string::npos) << reply;

    // A root credential replayed.
    const std::string root_credential = MungeCodec(socket_).encode(R"({"v":2,"op":"list"})");
    EXPECT_NE(exchange(root_credential).find("\"ok\":true"), std::string::npos);
    EXPECT_NE(exchange(root_credential).find("replayed"), std::string::npos);

    EXPECT_TRUE(eventually(
        [this, &nobody_uid] {
            const std::string log = agent_log();
            return log.find("not authorized: uid " + nobody_uid) != std::string::npos &&
                   log.find("replayed") != std::string::npos;
        },
        5s))
        << agent_log();
    const std::string log = agent_log();
    EXPECT_NE(log.find("refused control request from 127.0.0.1"), std::string::npos) << log;
    EXPECT_NE(log.find("bad credential"), std::string::npos) << log;
}

TEST_F(AgentBlackBox, AgentRestartKeepsRelays) {
    start_agent();
    const StartReply reply = start(request(1));
    ASSERT_EQ(reply.relays.size(), 1u);
    stop_agent(SIGKILL);
    EXPECT_TRUE(process_exists(reply.relays[0].pid));
    start_agent();
    const auto listed = list_relays(agent(), kTimeout);
    ASSERT_EQ(listed.at("jobs").size(), 1u) << listed.dump() << agent_log();
    EXPECT_EQ(listed["jobs"][0]["relays"][0].at("pid"), reply.relays[0].pid);
    EXPECT_EQ(listed["jobs"][0]["relays"][0].at("alive"), true);
    EXPECT_TRUE(can_connect("127.0.0.1", reply.relays[0].port));
    // Idempotent across the restart too.
    EXPECT_EQ(start(request(1)).relays[0].pid, reply.relays[0].pid);
    // A SIGTERM'ed agent (systemctl restart) leaves them running as well.
    stop_agent(SIGTERM);
    EXPECT_TRUE(process_exists(reply.relays[0].pid));
    start_agent();
    stop_relays(agent(), job_, kTimeout);
    EXPECT_TRUE(eventually([&] { return !process_exists(reply.relays[0].pid); }, 5s));
}

TEST_F(AgentBlackBox, SlurmQueryFailureNeverStopsRelays) {
    start_agent("1");
    const StartReply reply = start(request(1));
    // Wait until the agent has tried (and failed) to ask Slurm about the job at least twice.
    const std::string needle = "job " + std::to_string(job_) + ": cannot ask Slurm";
    EXPECT_TRUE(eventually(
        [&] {
            const std::string log = agent_log();
            const auto first = log.find(needle);
            return first != std::string::npos && log.find(needle, first + 1) != std::string::npos;
        },
        20s))
        << agent_log();
    EXPECT_TRUE(process_exists(reply.relays[0].pid));
    EXPECT_EQ(list_relays(agent(), kTimeout).at("jobs").size(), 1u);
}

TEST_F(AgentBlackBox, StrictModeRefusesOtherBinaries) {
    start_agent();
    auto r = request(1);
    r.binary = "/bin/true";
    try {
        start(r);
        ADD_FAILURE() << "accepted --gw_binary under STRICT_MODE";
    } catch (const ControlError& e) {
        EXPECT_NE(std::string(e.what()).find("--gw_binary not allowed: STRICT_MODE is on"), std::string::npos)
            << e.what();
    }
    r.binary = psgwd_binary();  // the configured binary itself is fine
    EXPECT_EQ(start(r).relays.size(), 1u);
}

TEST_F(AgentBlackBox, NonStrictBinaryRunsAsUserAndEarlyExitIsReported) {
    write_config("0");
    start_agent();
    auto r = request(2);
    r.binary = "/bin/false";  // exits at once without a readiness line
    try {
        start(r);
        ADD_FAILURE() << "a relay that never got ready was accepted";
    } catch (const ControlError& e) {
        EXPECT_NE(std::string(e.what()).find("exited before it was ready"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(list_relays(agent(), kTimeout).at("jobs").empty());
}

/// The agent's resident memory in KiB (VmRSS), 0 if unreadable.
long resident_kib(pid_t pid) { return std::atol(status_field(pid, "VmRSS").c_str()); }

/// A connection from `source` that announced `length` body bytes and sent only `sent` of them.
int announce_body(std::uint16_t port, std::uint32_t length, std::size_t sent, const char* source) {
    const int fd = connect_from(source, port);
    if (fd < 0) return -1;
    const auto header = encode_frame_header(length);
    std::string bytes(header.begin(), header.end());
    bytes.append(sent, 'x');
    if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Unauthenticated peers announcing the maximum frame must cost the agent only what
// they really send, and more of them than it serves at once must not wedge it.
TEST_F(AgentBlackBox, AnnouncedFrameLengthsCostNoMemoryAndFloodsDoNotWedgeTheAgent) {
    start_agent();
    ASSERT_NO_THROW(list_relays(agent(), kTimeout));
    const long before = resident_kib(agent_);
    ASSERT_GT(before, 0);
    constexpr int kConnections = 48;  // below the session limit: all of them are read
    std::vector<int> fds;
    for (int i = 0; i < kConnections; ++i) {
        // One per source: each is below the per-source limit of incomplete requests.
        const std::string source = "127.0.1." + std::to_string(i + 1);
        const int fd = announce_body(port_, psgw::contract::kMaxControlMessage, 16, source.c_str());
        ASSERT_GE(fd, 0);
        fds.push_back(fd);
    }
    // Served after the headers above were read (one io_context thread, FIFO).
    ASSERT_NO_THROW(list_relays(agent(), kTimeout)) << agent_log();
    const long grown_mib = (resident_kib(agent_) - before) / 1024;
    // Allocating every announced body would be 48 x 4 MiB = 192 MiB.
    EXPECT_LT(grown_mib, 32) << "agent grew by " << grown_mib << " MiB";
    for (int fd : fds) ::close(fd);
    fds.clear();

    // More idle connections than the agent serves at once; once they go, it serves again.
    for (int i = 0; i < 96; ++i) {
        const int fd = announce_body(port_, 100, 0, "127.0.0.3");
        ASSERT_GE(fd, 0);
        fds.push_back(fd);
    }
    for (int fd : fds) ::close(fd);
    EXPECT_NO_THROW(list_relays(agent(), kTimeout)) << agent_log();
    EXPECT_TRUE(process_exists(agent_));
}

// State files decide which processes the root agent signals: a state directory
// that someone else can write (a user's pre-created /tmp/psgwd) is refused.
TEST_F(AgentBlackBox, RefusesAStateDirectoryOthersCanWrite) {
    for (const auto mode : {fs::perms::all, fs::perms::owner_all | fs::perms::group_all}) {
        fs::permissions(work_ / "state", mode);
        spawn_agent();
        EXPECT_TRUE(agent_refused()) << agent_log();
        EXPECT_NE(
            agent_log().find("AGENT_STATE_DIR: " + (work_ / "state").string() + " must be owned by uid 0"),
            std::string::npos)
            << agent_log();
    }
    const passwd* nobody = ::getpwnam("nobody");
    fs::permissions(work_ / "state", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                         fs::perms::others_read | fs::perms::others_exec);
    fs::create_directory(work_ / "state" / "jobs");
    ASSERT_EQ(::chown((work_ / "state" / "jobs").c_str(), nobody->pw_uid, nobody->pw_gid), 0);
    spawn_agent();
    EXPECT_TRUE(agent_refused()) << agent_log();
    EXPECT_NE(agent_log().find("/jobs must be owned by uid 0"), std::string::npos) << agent_log();
    // Back to root's own: the agent serves.
    ASSERT_EQ(::chown((work_ / "state" / "jobs").c_str(), 0, 0), 0);
    start_agent();
    EXPECT_NO_THROW(list_relays(agent(), kTimeout));
}

}  // namespace
}  // namespace psgw::control
