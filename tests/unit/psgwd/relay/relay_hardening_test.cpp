// Black-box tests of the relay's defences (issue 7): admission at accept, the session
// cap, urgent data, keepalive, descriptor and pipe budgets, bounded refusal logging.
// Same loopback layout as relay_loopback_test.cpp; every wait is bounded.
#include "relay_test_support.hpp"

#include "wire/relay_handshake.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using psgw::contract::RelayStatus;
using namespace psgw::relay::test;
using namespace std::chrono_literals;

// Owns test-side sockets.
struct Fds {
    std::vector<int> fds;
    ~Fds() {
        for (int fd : fds) close(fd);
    }
};

// Opens a relayed cluster -> booster connection; false (with a failure) if it was refused.
void open_pair(const RelayProcess& relay, int listen_fd, std::uint16_t listen_port, Pair& pair) {
    ASSERT_EQ(
        relay_connect(kClusterNode, kGatewayCluster, relay.port(), kBoosterNode, listen_port, pair.client),
        RelayStatus::kOk);
    pair.server = accept_one(listen_fd);
    ASSERT_GE(pair.server, 0);
}

// The reply the relay sends on `fd` within `limit` without a hello from us; nullopt if none.
std::optional<RelayStatus> unprompted_reply(int fd, std::chrono::milliseconds limit) {
    psgw::wire::ReplyBytes reply{};
    std::size_t got = 0;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (got < reply.size()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
        const ssize_t n = recv(fd, reply.data() + got, reply.size() - got, MSG_DONTWAIT);
        if (n <= 0) return std::nullopt;
        got += static_cast<std::size_t>(n);
    }
    const auto status = psgw::wire::decode_reply(reply);
    return status ? std::optional(*status) : std::nullopt;
}

// Reads exactly `n` bytes within `limit`; returns what arrived (fewer on timeout/EOF).
std::string read_n(int fd, std::size_t n, std::chrono::milliseconds limit) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (out.size() < n) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN | POLLPRI, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[256];
        const ssize_t got = recv(fd, buf, std::min(sizeof buf, n - out.size()), MSG_DONTWAIT);
        if (got <= 0) break;
        out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
}

// The live stats file once `ready(stats)` holds (it is rewritten every second).
nlohmann::json wait_stats(const nlohmann::json& config,
                          const std::function<bool(const nlohmann::json&)>& ready) {
    nlohmann::json stats;
    for (int i = 0; i < 40; ++i) {
        try {
            stats = read_stats(config);
            if (ready(stats)) return stats;
        } catch (const std::exception&) {}
        std::this_thread::sleep_for(100ms);
    }
    return stats;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// A log file path for one relay, removed at scope exit (also when an ASSERT returns).
struct TempLog {
    std::string path;
    TempLog() {
        static int n = 0;
        path = "/tmp/psgw-relay-hardening-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ".log";
    }
    ~TempLog() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
    TempLog(const TempLog&) = delete;
    TempLog& operator=(const TempLog&) = delete;
};

// utime + stime of `pid` in clock ticks (/proc/<pid>/stat fields 14 and 15).
long cpu_ticks(pid_t pid) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stol(field);
        if (i == 15) stime = std::stol(field);
    }
    return utime + stime;
}

TEST(RelayHardening, StrangerFloodHoldsNoSlotsAndTheJobClientGetsIn) {
    auto config = loopback_config();
    config["max_connections"] = 8;
    config["handshake_timeout_ms"] = 20000;  // strangers must not be the ones that time out
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    constexpr int kStrangers = 300;
    Fds strangers;
    for (int i = 0; i < kStrangers; ++i) {
        const int fd = connect_from(kStranger, kGatewayCluster, relay.port());
        ASSERT_GE(fd, 0) << i;
        strangers.fds.push_back(fd);
    }
    // The job's own node still gets in, at once, while all 300 are connected.
    const auto start = std::chrono::steady_clock::now();
    Pair pair;
    open_pair(relay, lfd, port, pair);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    ASSERT_TRUE(write_all(pair.client, "ping", 4));
    EXPECT_EQ(read_n(pair.server, 4, 5s), "ping");
    // Every stranger was answered at accept, without sending a hello, and closed.
    int answered = 0;
    for (int fd : strangers.fds) {
        if (unprompted_reply(fd, 2s) != RelayStatus::kSourceNotInJob) break;  // bounded when it fails
        ++answered;
    }
    EXPECT_EQ(answered, kStrangers);
    const auto stats = wait_stats(config, [](const nlohmann::json& s) {
        return s["refused"]["source_not_in_job"] == kStrangers && s["connections_active"] == 1;
    });
    EXPECT_EQ(stats["refused"]["source_not_in_job"], kStrangers) << stats.dump();
    EXPECT_EQ(stats["connections_active"], 1) << stats.dump();
    close(lfd);
}

TEST(RelayHardening, PastTheCapConnectionsAreAnsweredOverloadedAtAcceptAndHoldNoSession) {
    auto config = loopback_config();
    config["max_connections"] = 2;
    config["handshake_timeout_ms"] = 20000;
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    Pair a, b;
    open_pair(relay, lfd, port, a);
    open_pair(relay, lfd, port, b);
    Fds extra;
    for (int i = 0; i < 20; ++i) {
        const int fd = connect_from(kClusterNode, kGatewayCluster, relay.port());
        ASSERT_GE(fd, 0);
        extra.fds.push_back(fd);
        ASSERT_EQ(unprompted_reply(fd, 2s), RelayStatus::kOverloaded) << i;
    }
    const auto stats =
        wait_stats(config, [](const nlohmann::json& s) { return s["refused"]["overloaded"] == 20; });
    EXPECT_EQ(stats["refused"]["overloaded"], 20) << stats.dump();
    EXPECT_EQ(stats["connections_active"], 2) << stats.dump();
    close(lfd);
}

TEST(RelayHardening, UrgentDataIsRelayedInlineWithoutSpinning) {
    RelayProcess relay(loopback_config());
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    Pair pair;
    open_pair(relay, lfd, port, pair);
    ASSERT_EQ(send(pair.client, "abc", 3, 0), 3);
    ASSERT_EQ(send(pair.client, "X", 1, MSG_OOB), 1);
    ASSERT_EQ(send(pair.client, "def", 3, 0), 3);
    EXPECT_EQ(read_n(pair.server, 7, 5s), "abcXdef");
    // The other direction too.
    ASSERT_EQ(send(pair.server, "12", 2, 0), 2);
    ASSERT_EQ(send(pair.server, "!", 1, MSG_OOB), 1);
    ASSERT_EQ(send(pair.server, "34", 2, 0), 2);
    EXPECT_EQ(read_n(pair.client, 5, 5s), "12!34");
    // Idle after urgent data: the relay must not spin (it did at ~0.6 core).
    const long before = cpu_ticks(relay.pid());
    std::this_thread::sleep_for(1s);
    const long used = cpu_ticks(relay.pid()) - before;
    EXPECT_LT(used, sysconf(_SC_CLK_TCK) * 3 / 10) << "CPU ticks in 1 s idle";
    // And later bytes still flow.
    ASSERT_EQ(send(pair.client, "more", 4, 0), 4);
    EXPECT_EQ(read_n(pair.server, 4, 5s), "more");
    close(lfd);
}

// One row of /proc/net/tcp: addresses as the kernel prints them, timer and its expiry.
struct TcpRow {
    std::string local, remote;
    int state = 0, timer = 0;
    long when_ticks = 0;
};

std::string proc_addr(const char* ip, std::uint16_t port) {
    unsigned a, b, c, d;
    std::sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d);
    char buf[32];
    // /proc/net/tcp prints the IPv4 address as the host-order view of a network-order u32.
    std::snprintf(buf, sizeof buf, "%02X%02X%02X%02X:%04X", d, c, b, a, port);
    return buf;
}

std::vector<TcpRow> tcp_rows() {
    std::istringstream in(read_file("/proc/net/tcp"));
    std::string line;
    std::getline(in, line);  // header
    std::vector<TcpRow> rows;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string sl, local, remote, st, queues, timer;
        f >> sl >> local >> remote >> st >> queues >> timer;
        TcpRow row{local, remote, std::stoi(st, nullptr, 16), std::stoi(timer.substr(0, 2), nullptr, 16),
                   std::stol(timer.substr(3), nullptr, 16)};
        rows.push_back(row);
    }
    return rows;
}

TEST(RelayHardening, BothLegsHaveTcpKeepalive) {
    const auto config = loopback_config();  // keepalive_s defaults to 60
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    Pair pair;
    open_pair(relay, lfd, port, pair);
    const std::string client_leg = proc_addr(kGatewayCluster, relay.port());  // the relay's accepted socket
    const std::string dest_remote = proc_addr(kBoosterNode, port);            // the relay's connected socket
    const std::string dest_local_prefix = proc_addr(kGatewayBooster, 0).substr(0, 8);
    int seen = 0;
    for (const TcpRow& row : tcp_rows()) {
        const bool is_client_leg = row.local == client_leg && row.state == 1;
        const bool is_dest_leg = row.remote == dest_remote && row.local.rfind(dest_local_prefix, 0) == 0;
        if (!is_client_leg && !is_dest_leg) continue;
        ++seen;
        // Timer 2 is the keepalive timer; it expires about keepalive_s from now.
        EXPECT_EQ(row.timer, 2) << (is_client_leg ? "client leg " : "dest leg ") << row.local;
        const long hz = sysconf(_SC_CLK_TCK);
        EXPECT_GT(row.when_ticks, 50 * hz);
        EXPECT_LE(row.when_ticks, 60 * hz);
    }
    EXPECT_EQ(seen, 2);
    close(lfd);
}

TEST(RelayHardening, LowNofileLowersTheCapOnceAndBeyondItAnswersOverloaded) {
    auto config = loopback_config();
    config["max_connections"] = 100;
    const TempLog log_file;
    RelayProcess relay(config, {.nofile = 64, .stderr_path = log_file.path});
    const std::string log = read_file(log_file.path);  // written before the readiness line
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(log, m, std::regex("RLIMIT_NOFILE 64 holds ([0-9]+) sessions.*serving at most")))
        << log;
    EXPECT_EQ(count(log, "RLIMIT_NOFILE"), 1u) << log;
    const int cap = std::stoi(m[1]);
    ASSERT_GE(cap, 2);
    ASSERT_LE(cap, (64 - 6) / 6);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port, 256);
    std::vector<Pair> pairs(static_cast<std::size_t>(cap));
    for (auto& pair : pairs) {
        open_pair(relay, lfd, port, pair);
        ASSERT_FALSE(HasFatalFailure());
    }
    for (int i = 0; i < 10; ++i) {
        int fd = -1;
        EXPECT_EQ(relay_connect(kClusterNode, kGatewayCluster, relay.port(), kBoosterNode, port, fd),
                  RelayStatus::kOverloaded)
            << i;
        if (fd >= 0) close(fd);
    }
    // The sessions it holds still relay.
    ASSERT_TRUE(write_all(pairs.back().client, "ok", 2));
    EXPECT_EQ(read_n(pairs.back().server, 2, 5s), "ok");
    const auto stats =
        wait_stats(config, [](const nlohmann::json& s) { return s["refused"]["overloaded"] == 10; });
    EXPECT_EQ(stats["refused"]["unreachable"], 0) << stats.dump();
    EXPECT_EQ(stats["max_connections"]["configured"], 100) << stats.dump();
    EXPECT_EQ(stats["max_connections"]["effective"], cap) << stats.dump();
    close(lfd);
}

// F_GETPIPE_SZ of every pipe `pid` holds, by pipe inode (read through /proc/<pid>/fd).
std::map<std::string, long> pipe_sizes(pid_t pid) {
    std::map<std::string, long> sizes;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::error_code ec;
        const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
        if (ec || target.rfind("pipe:", 0) != 0) continue;
        const int fd = open(entry.path().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        sizes[target] = fcntl(fd, F_GETPIPE_SZ);
        close(fd);
    }
    return sizes;
}

TEST(RelayHardening, ReportedPipeSizeIsWhatTheKernelGave) {
    auto config = loopback_config();
    config["max_connections"] = 8;
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    Pair pair;
    open_pair(relay, lfd, port, pair);
    const auto stats = wait_stats(config, [](const nlohmann::json& s) {
        return s.contains("pipe_size") && s["pipe_size"]["granted_max"] > 0;
    });
    ASSERT_TRUE(stats.contains("pipe_size")) << stats.dump();
    const long granted = stats["pipe_size"]["granted_max"];
    EXPECT_EQ(stats["pipe_size"]["granted_min"], granted);
    EXPECT_EQ(stats["pipe_size"]["configured"], 1048576);
    // The two session pipes are the relay's pipes of exactly the reported size.
    int matching = 0;
    for (const auto& [inode, size] : pipe_sizes(relay.pid())) matching += size == granted ? 1 : 0;
    EXPECT_GE(matching, 2) << "no pipe of the reported " << granted << " bytes";
    close(lfd);
}

TEST(RelayHardening, RefusalFloodProducesBoundedLogLines) {
    auto config = loopback_config();
    const TempLog log_file;
    RelayProcess relay(config, {.nofile = std::nullopt, .stderr_path = log_file.path});
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    constexpr int kFlood = 500;
    for (int i = 0; i < kFlood; ++i) {
        int fd = -1;
        EXPECT_EQ(relay_connect(kStranger, kGatewayCluster, relay.port(), kBoosterNode, port, fd),
                  RelayStatus::kSourceNotInJob)
            << i;
        if (fd >= 0) close(fd);
    }
    const int status = relay.terminate();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    const std::string log = read_file(log_file.path);
    EXPECT_LE(count(log, "\n"), 20u) << log.substr(0, 4000);
    EXPECT_GE(count(log, "refused"), 1u) << log;
    // The rest is summarised, not lost: the summary counts add up to the flood.
    long reported = static_cast<long>(count(log, "refused 127.0.0.5"));
    const std::regex summary("suppressed ([0-9]+) more refusals \\(source is not a node");
    for (auto it = std::sregex_iterator(log.begin(), log.end(), summary); it != std::sregex_iterator();
         ++it) {
        reported += std::stol((*it)[1]);
    }
    EXPECT_EQ(reported, kFlood) << log;
    close(lfd);
}

}  // namespace
