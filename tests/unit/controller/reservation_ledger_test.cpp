#include "reservation_ledger.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <fstream>
#include <set>

namespace psgw::controller {
namespace {

using slurm::JobPresence;
using test::TempDir;

std::vector<GatewayCandidate> pool(std::initializer_list<const char*> names) {
    std::vector<GatewayCandidate> out;
    for (const char* name : names) out.push_back({name, std::string("mgmt-") + name, 6470});
    return out;
}

JobPresence always_active(std::uint32_t) { return JobPresence::kActive; }

TEST(ReservationLedger, ReserveAndRelease) {
    TempDir dir;
    ReservationLedger ledger(dir.path() / "state");  // created on first use
    auto r = ledger.reserve(10, 2, pool({"gw02", "gw01", "gw03"}), always_active);
    EXPECT_EQ(r.gateways, (std::vector<std::string>{"gw01", "gw02"}));  // pool order, sorted
    EXPECT_FALSE(r.reused);
    auto entries = ledger.entries_of(10);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries.at("gw02").agent_host, "mgmt-gw02");
    EXPECT_EQ(entries.at("gw02").agent_port, 6470);
    EXPECT_GT(entries.at("gw02").since, 0);

    auto other = ledger.reserve(11, 1, pool({"gw01", "gw02", "gw03"}), always_active);
    EXPECT_EQ(other.gateways, (std::vector<std::string>{"gw03"}));

    auto released = ledger.release(10);
    EXPECT_EQ(released.size(), 2u);
    EXPECT_TRUE(ledger.release(10).empty());
    EXPECT_EQ(ledger.all().size(), 1u);
}

TEST(ReservationLedger, RerunForSameJobIsIdempotent) {
    TempDir dir;
    ReservationLedger ledger(dir.path());
    auto first = ledger.reserve(5, 2, pool({"gw01", "gw02", "gw03"}), always_active);
    auto again = ledger.reserve(5, 2, pool({"gw01", "gw02", "gw03"}), always_active);
    EXPECT_TRUE(again.reused);
    EXPECT_EQ(again.gateways, first.gateways);
    EXPECT_EQ(ledger.all().size(), 2u);
    // One of its gateways is no longer usable: pick anew, report the old ones.
    auto moved = ledger.reserve(5, 2, pool({"gw02", "gw03"}), always_active);
    EXPECT_FALSE(moved.reused);
    EXPECT_EQ(moved.gateways, (std::vector<std::string>{"gw02", "gw03"}));
    EXPECT_EQ(moved.reclaimed.size(), 2u);
    EXPECT_EQ(ledger.all().size(), 2u);
}

TEST(ReservationLedger, NotEnoughGatewaysReservesNothing) {
    TempDir dir;
    ReservationLedger ledger(dir.path());
    ledger.reserve(1, 1, pool({"gw01", "gw02"}), always_active);
    try {
        ledger.reserve(2, 2, pool({"gw01", "gw02"}), always_active);
        FAIL() << "expected NotEnoughGateways";
    } catch (const NotEnoughGateways& error) {
        EXPECT_STREQ(error.what(),
                     "psgw: job 2 needs 2 gateway node(s), but only 1 of 2 usable ones are free");
    }
    EXPECT_TRUE(ledger.entries_of(2).empty());
    EXPECT_EQ(ledger.all().size(), 1u);
}

TEST(ReservationLedger, ReconcileDropsGoneJobsOnlyAndKeepsUnknown) {
    TempDir dir;
    ReservationLedger ledger(dir.path());
    ledger.reserve(1, 1, pool({"gw01"}), always_active);
    ledger.reserve(2, 1, pool({"gw02"}), always_active);
    ledger.reserve(3, 1, pool({"gw03"}), always_active);
    std::vector<std::uint32_t> asked;
    auto presence = [&](std::uint32_t job) {
        asked.push_back(job);
        if (job == 1) return JobPresence::kGone;
        if (job == 2) return JobPresence::kUnknown;  // slurmctld did not answer
        return JobPresence::kActive;
    };
    auto r = ledger.reserve(4, 1, pool({"gw01", "gw02", "gw03"}), presence);
    EXPECT_EQ(r.gateways, (std::vector<std::string>{"gw01"}));
    ASSERT_EQ(r.reclaimed.size(), 1u);
    EXPECT_EQ(r.reclaimed[0].gateway, "gw01");
    EXPECT_EQ(r.reclaimed[0].entry.job, 1u);
    EXPECT_EQ(asked, (std::vector<std::uint32_t>{1, 2, 3}));
    EXPECT_EQ(ledger.entries_of(2).size(), 1u);
    EXPECT_EQ(ledger.entries_of(3).size(), 1u);
    EXPECT_TRUE(ledger.entries_of(1).empty());
}

TEST(ReservationLedger, ReconcileIsPersistedEvenWhenReserveFails) {
    TempDir dir;
    ReservationLedger ledger(dir.path());
    ledger.reserve(1, 1, pool({"gw01"}), always_active);
    ledger.reserve(2, 1, pool({"gw02"}), always_active);
    auto presence = [](std::uint32_t job) { return job == 1 ? JobPresence::kGone : JobPresence::kActive; };
    EXPECT_THROW(ledger.reserve(3, 2, pool({"gw01", "gw02"}), presence), NotEnoughGateways);
    EXPECT_TRUE(ledger.entries_of(1).empty());
    EXPECT_EQ(ledger.all().size(), 1u);
}

TEST(ReservationLedger, RecordFiles) {
    TempDir dir;
    ReservationLedger ledger(dir.path());
    ledger.reserve(9, 2, pool({"gw01", "gw02"}), always_active);
    ledger.record_files(9, {"/home/u/psgw-route-9", 1, 2}, {"/home/u/psgw-route-9.gw", 1, 3});
    for (const auto& [gateway, e] : ledger.entries_of(9)) {
        EXPECT_TRUE(e.created_by_psgw) << gateway;
        EXPECT_EQ(e.route_file.path, "/home/u/psgw-route-9");
        EXPECT_EQ(e.route_file.ino, 2u);
        EXPECT_EQ(e.map_file.ino, 3u);
    }
}

TEST(ReservationLedger, StoresTheIncarnationOfEachReservation) {
    TempDir dir;
    ReservationLedger ledger(dir.path());
    ledger.reserve(9, 2, pool({"gw01", "gw02", "gw03"}), always_active, 0xfedcba9876543210ull);
    ledger.reserve(10, 1, pool({"gw01", "gw02", "gw03"}), always_active, 77);
    const auto entries = ledger.entries_of(9);
    ASSERT_EQ(entries.size(), 2u);
    for (const auto& [gateway, e] : entries) EXPECT_EQ(e.incarnation, 0xfedcba9876543210ull) << gateway;
    EXPECT_EQ(ledger.entries_of(10).begin()->second.incarnation, 77u);
    // A later run of the job (requeue) keeping its gateways: its stops must carry the new one.
    EXPECT_TRUE(ledger.reserve(9, 2, pool({"gw01", "gw02", "gw03"}), always_active, 5).reused);
    for (const auto& [gateway, e] : ledger.entries_of(9)) EXPECT_EQ(e.incarnation, 5u) << gateway;
    // The stale entries of a gone job name the incarnation their relays were started with.
    auto gone = [](std::uint32_t job) { return job == 10 ? JobPresence::kGone : JobPresence::kActive; };
    const auto next = ledger.reserve(11, 1, pool({"gw01", "gw02", "gw03"}), gone, 8);
    ASSERT_EQ(next.reclaimed.size(), 1u);
    EXPECT_EQ(next.reclaimed[0].entry.incarnation, 77u);
}

TEST(ReservationLedger, ReadsALedgerWrittenBeforeIncarnations) {
    TempDir dir;
    std::ofstream(dir.path() / "ledger.json")
        << R"({"version":1,"gateways":{"gw01":{"job":4,"since":1,"agent":"mgmt-gw01","agent_port":6470,)"
        << R"("route_file":{"path":"","dev":0,"ino":0},"map_file":{"path":"","dev":0,"ino":0},)"
        << R"("created_by_psgw":false}}})";
    ReservationLedger ledger(dir.path());
    const auto entries = ledger.entries_of(4);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries.at("gw01").incarnation, 0u);  // unknown: its stop matches any relays of job 4
    EXPECT_EQ(entries.at("gw01").agent_host, "mgmt-gw01");
}

TEST(ReservationLedger, CorruptLedgerIsAnErrorNotAReset) {
    TempDir dir;
    std::ofstream(dir.path() / "ledger.json") << "{\"version\":1,\"gateways\":{";
    ReservationLedger ledger(dir.path());
    EXPECT_THROW(ledger.reserve(1, 1, pool({"gw01"}), always_active), LedgerError);
}

TEST(ReservationLedger, StateDirOthersCanWriteIsRefused) {
    TempDir dir;
    const auto state = dir.path() / "state";
    std::filesystem::create_directory(state);
    std::filesystem::permissions(state, std::filesystem::perms::all);  // 0777, e.g. made by a user
    ReservationLedger ledger(state);
    try {
        ledger.reserve(1, 1, pool({"gw01"}), always_active);
        ADD_FAILURE() << "reserved in a world-writable STATE_DIR";
    } catch (const LedgerError& error) {
        EXPECT_EQ(std::string(error.what()), "psgw: STATE_DIR: " + state.string() + " must be owned by uid " +
                                                 std::to_string(::geteuid()) +
                                                 " and writable by nobody else");
    }
}

TEST(ReservationLedger, StaleTemporaryFileIsIgnored) {
    TempDir dir;
    ReservationLedger ledger(dir.path());
    ledger.reserve(1, 1, pool({"gw01", "gw02"}), always_active);
    std::ofstream(dir.path() / "ledger.json.tmp") << "garbage from a writer killed mid-way";
    auto r = ledger.reserve(2, 1, pool({"gw01", "gw02"}), always_active);
    EXPECT_EQ(r.gateways, (std::vector<std::string>{"gw02"}));
    EXPECT_EQ(ledger.all().size(), 2u);
}

// Waits for a child and returns its exit code (or -signal).
int wait_child(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(ReservationLedger, ConcurrentProloguesNeverDoubleBook) {
    TempDir dir;
    int barrier[2];
    ASSERT_EQ(::pipe(barrier), 0);
    constexpr int kProcesses = 8;
    std::vector<pid_t> children;
    for (int i = 0; i < kProcesses; ++i) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(barrier[1]);
            char byte;
            if (::read(barrier[0], &byte, 1) != 0) ::_exit(4);  // EOF once the parent closes: all start
            try {
                ReservationLedger ledger(dir.path());
                ledger.reserve(100 + i, 1, pool({"gw01", "gw02"}), always_active);
                ::_exit(0);
            } catch (const NotEnoughGateways&) {
                ::_exit(2);
            } catch (...) {
                ::_exit(3);
            }
        }
        children.push_back(pid);
    }
    ::close(barrier[0]);
    ::close(barrier[1]);
    std::set<std::uint32_t> winners;
    int refused = 0;
    for (int i = 0; i < kProcesses; ++i) {
        int code = wait_child(children[i]);
        if (code == 0)
            winners.insert(100 + i);
        else if (code == 2)
            ++refused;
        else
            ADD_FAILURE() << "child " << i << " exited with " << code;
    }
    EXPECT_EQ(winners.size(), 2u);
    EXPECT_EQ(refused, kProcesses - 2);
    ReservationLedger ledger(dir.path());
    auto all = ledger.all();
    ASSERT_EQ(all.size(), 2u);
    std::set<std::uint32_t> holders;
    for (const auto& [gateway, e] : all) holders.insert(e.job);
    EXPECT_EQ(holders, winners);  // one gateway each, no job lost, none double-booked
}

TEST(ReservationLedger, KilledWriterNeverCorruptsTheLedger) {
    TempDir dir;
    int progress[2];
    ASSERT_EQ(::pipe(progress), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(progress[0]);
        ReservationLedger ledger(dir.path());
        for (unsigned round = 0;; ++round) {
            ledger.reserve(7, 1 + round % 2, pool({"gw01", "gw02", "gw03"}), always_active);
            ledger.release(7);
            if (round % 20 == 0 && ::write(progress[1], "x", 1) != 1) ::_exit(5);
        }
    }
    ::close(progress[1]);
    char buffer[5];
    std::size_t got = 0;
    while (got < sizeof buffer) {
        ssize_t n = ::read(progress[0], buffer + got, sizeof buffer - got);
        ASSERT_GT(n, 0);
        got += static_cast<std::size_t>(n);
    }
    ::kill(pid, SIGKILL);  // somewhere inside the write/rename cycle
    EXPECT_EQ(wait_child(pid), -SIGKILL);
    ::close(progress[0]);

    ReservationLedger ledger(dir.path());  // the lock died with the writer
    std::map<std::string, LedgerEntry> all;
    ASSERT_NO_THROW(all = ledger.all());
    for (const auto& [gateway, e] : all) EXPECT_EQ(e.job, 7u);
    EXPECT_LE(all.size(), 2u);
    auto r = ledger.reserve(8, 1, pool({"gw01", "gw02", "gw03"}), always_active);
    EXPECT_EQ(r.gateways.size(), 1u);
}

}  // namespace
}  // namespace psgw::controller
