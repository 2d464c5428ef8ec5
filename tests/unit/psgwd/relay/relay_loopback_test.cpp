// Black-box tests of the real `psgwd relay` on loopback: 127.0.0.1/127.0.0.2 are the
// gateway's cluster/booster addresses, 127.0.0.3 a cluster node, 127.0.0.4 a booster
// node, 127.0.0.5 a stranger. Every wait is bounded by a socket event, not a clock.
#include "relay_test_support.hpp"

#include "wire/relay_handshake.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <regex>
#include <thread>
#include <vector>

namespace {

using psgw::contract::RelayStatus;
using namespace psgw::relay::test;

// Opens a relayed connection. `from_cluster`: the client is the cluster node.
void open_pair(const RelayProcess& relay, int listen_fd, std::uint16_t listen_port, bool from_cluster,
               Pair& pair) {
    const char* src = from_cluster ? kClusterNode : kBoosterNode;
    const char* gw = from_cluster ? kGatewayCluster : kGatewayBooster;
    const char* dst = from_cluster ? kBoosterNode : kClusterNode;
    ASSERT_EQ(relay_connect(src, gw, relay.port(), dst, listen_port, pair.client), RelayStatus::kOk);
    pair.server = accept_one(listen_fd);
    ASSERT_GE(pair.server, 0);
}

TEST(RelayLoopback, ReadinessLineNamesPortAndPid) {
    RelayProcess relay(loopback_config());
    EXPECT_TRUE(std::regex_match(relay.ready_line(), std::regex("psgw-relay v1 port=[0-9]+ pid=[0-9]+\n")))
        << relay.ready_line();
    EXPECT_NE(relay.ready_line().find("pid=" + std::to_string(relay.pid()) + "\n"), std::string::npos);
}

TEST(RelayLoopback, PicksFirstPortFreeOnBothAddresses) {
    auto config = loopback_config();
    std::uint16_t first = config["ports"]["first"];
    std::uint16_t busy = first;
    const int blocker = listen_on(kGatewayBooster, busy);  // busy only on the booster side
    ASSERT_GE(blocker, 0);
    RelayProcess relay(config);
    EXPECT_EQ(relay.port(), first + 1);
    RelayProcess second(config);  // same range: the next free port
    EXPECT_EQ(second.port(), first + 2);
    close(blocker);
}

TEST(RelayLoopback, NoFreePortIsOneLineAndExit1) {
    auto config = loopback_config();
    std::uint16_t port = config["ports"]["first"];
    const int blocker = listen_on(kGatewayCluster, port);
    ASSERT_GE(blocker, 0);
    config["ports"]["last"] = port;
    const auto result = run_relay_with_input(config.dump());
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.stderr_text.find("psgw: relay: no port in"), std::string::npos) << result.stderr_text;
    close(blocker);
}

TEST(RelayLoopback, MalformedConfigExits2WithOneLine) {
    for (const std::string& text : {std::string("{\"job\":"), std::string("{\"job\":1}"),
                                    loopback_config().dump().replace(1, 0, "\"bogus\":1,")}) {
        const auto result = run_relay_with_input(text);
        EXPECT_EQ(result.exit_code, 2) << text;
        EXPECT_EQ(result.stderr_text.rfind("psgw: relay config: ", 0), 0u) << result.stderr_text;
        EXPECT_EQ(std::count(result.stderr_text.begin(), result.stderr_text.end(), '\n'), 1)
            << result.stderr_text;
    }
}

TEST(RelayLoopback, DataIntegrity64MiBEachWayConcurrently) {
    const auto config = loopback_config();
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    Pair pair;
    open_pair(relay, lfd, port, true, pair);
    constexpr std::uint64_t kBytes = 64ull << 20;
    std::uint64_t sent_up = 0, sent_down = 0, got_up = kFnvInit, got_down = kFnvInit;
    long long n_up = 0, n_down = 0;
    {
        std::jthread w1([&] {
            sent_up = send_pattern(pair.client, 1, kBytes);
            shutdown(pair.client, SHUT_WR);
        });
        std::jthread w2([&] {
            sent_down = send_pattern(pair.server, 2, kBytes);
            shutdown(pair.server, SHUT_WR);
        });
        std::jthread r1([&] { n_up = read_to_eof(pair.server, got_up); });
        std::jthread r2([&] { n_down = read_to_eof(pair.client, got_down); });
    }
    EXPECT_EQ(n_up, static_cast<long long>(kBytes));
    EXPECT_EQ(n_down, static_cast<long long>(kBytes));
    EXPECT_EQ(got_up, sent_up);
    EXPECT_EQ(got_down, sent_down);
    close(lfd);
}

TEST(RelayLoopback, ManyConcurrentConnectionsBothDirections) {
    const auto config = loopback_config();
    RelayProcess relay(config);
    std::uint16_t booster_port = 0, cluster_port = 0;
    const int booster_lfd = listen_on(kBoosterNode, booster_port, 256);
    const int cluster_lfd = listen_on(kClusterNode, cluster_port, 256);
    constexpr int kConnections = 96;  // half from each side
    constexpr std::uint64_t kBytes = 256 * 1024;
    std::vector<Pair> pairs(kConnections);
    for (int i = 0; i < kConnections; ++i) {
        const bool from_cluster = i % 2 == 0;
        open_pair(relay, from_cluster ? booster_lfd : cluster_lfd, from_cluster ? booster_port : cluster_port,
                  from_cluster, pairs[i]);
        ASSERT_FALSE(HasFatalFailure());
    }
    std::vector<std::uint64_t> sent(kConnections), got(kConnections, kFnvInit);
    std::vector<long long> n(kConnections);
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < kConnections; ++i) {
            threads.emplace_back([&, i] {
                sent[i] = send_pattern(pairs[i].client, 100 + i, kBytes);
                close(pairs[i].client);
                pairs[i].client = -1;
            });
            threads.emplace_back([&, i] { n[i] = read_to_eof(pairs[i].server, got[i]); });
        }
    }
    for (int i = 0; i < kConnections; ++i) {
        EXPECT_EQ(n[i], static_cast<long long>(kBytes)) << i;
        EXPECT_EQ(got[i], sent[i]) << i;
    }
    close(booster_lfd);
    close(cluster_lfd);
}

// One side closes its sending half; the other side sees EOF after all data and can
// still answer over the other direction.
void half_close(bool client_first) {
    const auto config = loopback_config();
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    Pair pair;
    open_pair(relay, lfd, port, true, pair);
    const int first = client_first ? pair.client : pair.server;
    const int second = client_first ? pair.server : pair.client;
    const std::uint64_t sent1 = send_pattern(first, 7, 1 << 20);
    ASSERT_EQ(shutdown(first, SHUT_WR), 0);
    std::uint64_t got1 = kFnvInit;
    ASSERT_EQ(read_to_eof(second, got1), 1 << 20);  // EOF arrived, after every byte
    EXPECT_EQ(got1, sent1);
    const std::uint64_t sent2 = send_pattern(second, 8, 3 << 20);  // the other way still works
    ASSERT_EQ(shutdown(second, SHUT_WR), 0);
    std::uint64_t got2 = kFnvInit;
    ASSERT_EQ(read_to_eof(first, got2), 3 << 20);
    EXPECT_EQ(got2, sent2);
    close(lfd);
}

TEST(RelayLoopback, HalfCloseClientFirst) { half_close(true); }
TEST(RelayLoopback, HalfCloseServerFirst) { half_close(false); }

TEST(RelayLoopback, RefusesWhatIsNotTheJobsTraffic) {
    auto config = loopback_config();
    config["handshake_timeout_ms"] = 300;
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    std::uint16_t cluster_port = 0;
    const int cluster_lfd = listen_on(kClusterNode, cluster_port);
    int fd = -1;
    const auto expect = [&](const char* src, const char* gw, const char* dst, std::uint16_t dport,
                            RelayStatus want) {
        EXPECT_EQ(relay_connect(src, gw, relay.port(), dst, dport, fd), want)
            << src << " via " << gw << " to " << dst;
        if (fd >= 0) {
            char c;
            EXPECT_EQ(recv(fd, &c, 1, 0), 0);  // the relay closed after the reply
            close(fd);
        }
    };
    expect(kStranger, kGatewayCluster, kBoosterNode, port, RelayStatus::kSourceNotInJob);
    expect(kBoosterNode, kGatewayCluster, kBoosterNode, port, RelayStatus::kSourceNotInJob);  // wrong fabric
    expect(kClusterNode, kGatewayBooster, kBoosterNode, port, RelayStatus::kSourceNotInJob);
    expect(kClusterNode, kGatewayCluster, kStranger, port, RelayStatus::kDestNotInJob);
    expect(kClusterNode, kGatewayCluster, kClusterNode, cluster_port,
           RelayStatus::kDestNotInJob);  // same side
    expect(kClusterNode, kGatewayCluster, kGatewayBooster, relay.port(),
           RelayStatus::kDestNotInJob);  // itself
    expect(kBoosterNode, kGatewayBooster, kGatewayCluster, relay.port(), RelayStatus::kDestNotInJob);
    // Nothing listens on 127.0.0.13:1 (a cluster job node): the connect is refused.
    expect(kBoosterNode, kGatewayBooster, "127.0.0.13", 1, RelayStatus::kConnectRefused);

    // Bad magic, bad version: the relay answers, then closes.
    for (int variant = 0; variant < 2; ++variant) {
        fd = connect_from(kClusterNode, kGatewayCluster, relay.port());
        ASSERT_GE(fd, 0);
        std::uint8_t hello[24] = {'P', 'S', 'G', 'W', 1, 4, 0, 80, 127, 0, 0, 4};
        if (variant == 0)
            hello[0] = 'X';
        else
            hello[4] = 2;
        ASSERT_TRUE(write_all(fd, hello, sizeof hello));
        psgw::wire::ReplyBytes reply{};
        ASSERT_EQ(recv(fd, reply.data(), reply.size(), MSG_WAITALL), 8);
        EXPECT_EQ(*psgw::wire::decode_reply(reply), RelayStatus::kBadVersion);
        close(fd);
    }
    // Truncated hello: the handshake deadline answers kMalformed.
    fd = connect_from(kClusterNode, kGatewayCluster, relay.port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(write_all(fd, "PSGW\x01", 5));
    psgw::wire::ReplyBytes reply{};
    ASSERT_EQ(recv(fd, reply.data(), reply.size(), MSG_WAITALL), 8);
    EXPECT_EQ(*psgw::wire::decode_reply(reply), RelayStatus::kMalformed);
    close(fd);

    const int status = relay.terminate();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    const auto stats = read_stats(config);
    EXPECT_EQ(stats["refused"]["source_not_in_job"], 3);
    EXPECT_EQ(stats["refused"]["dest_not_in_job"], 4);
    EXPECT_EQ(stats["refused"]["connect_refused"], 1);
    EXPECT_EQ(stats["refused"]["bad_version"], 2);
    EXPECT_EQ(stats["refused"]["malformed"], 1);
    EXPECT_EQ(stats["connections_total"], 11);
    EXPECT_EQ(stats["connections_relayed"], 0);
    EXPECT_EQ(stats["connections_active"], 0);
    close(lfd);
    close(cluster_lfd);
}

TEST(RelayLoopback, ConnectTimeoutWhenDestinationDropsSyn) {
    auto config = loopback_config();
    config["connect_timeout_ms"] = 300;
    RelayProcess relay(config);
    // A listener that never accepts, with its accept queue (backlog 0: one entry) filled
    // by one connection: Linux then drops further SYNs, so the relay's connect hangs.
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port, 0);
    const int filler = connect_from("127.0.0.14", kBoosterNode, port);
    ASSERT_GE(filler, 0);
    int fd = -1;
    EXPECT_EQ(relay_connect(kClusterNode, kGatewayCluster, relay.port(), kBoosterNode, port, fd),
              RelayStatus::kConnectTimeout);
    if (fd >= 0) close(fd);
    close(filler);
    close(lfd);
}

TEST(RelayLoopback, MaxConnectionsAnswersOverloaded) {
    auto config = loopback_config();
    config["max_connections"] = 2;
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    Pair a, b;
    open_pair(relay, lfd, port, true, a);
    open_pair(relay, lfd, port, true, b);
    int fd = -1;
    EXPECT_EQ(relay_connect(kClusterNode, kGatewayCluster, relay.port(), kBoosterNode, port, fd),
              RelayStatus::kOverloaded);
    if (fd >= 0) close(fd);
    // Once a session ends there is room again.
    close(a.client);
    a.client = -1;
    std::uint64_t h = kFnvInit;
    EXPECT_EQ(read_to_eof(a.server, h), 0);
    close(a.server);  // both directions done: the session ends
    a.server = -1;
    RelayStatus status = RelayStatus::kOverloaded;
    // The relay notices the end asynchronously; retry a bounded number of times.
    for (int attempt = 0; attempt < 200 && status == RelayStatus::kOverloaded; ++attempt) {
        status = relay_connect(kClusterNode, kGatewayCluster, relay.port(), kBoosterNode, port, fd);
        if (fd >= 0) close(fd);
        if (status == RelayStatus::kOverloaded) usleep(10000);
    }
    EXPECT_EQ(status, RelayStatus::kOk);
    close(lfd);
}

TEST(RelayLoopback, BackpressureBlocksSenderAndBoundsRelayMemory) {
    const auto config = loopback_config();
    RelayProcess relay(config);
    std::uint16_t port = 0;
    const int lfd = listen_on(kBoosterNode, port);
    Pair pair;
    open_pair(relay, lfd, port, true, pair);
    const long rss_before = relay.rss_kib();
    // The server does not read. Send until the client's socket stays unwritable.
    std::vector<std::uint8_t> buf(64 * 1024);
    std::uint64_t sent = 0;
    constexpr std::uint64_t kLimit = 1ull << 30;  // an unbounded relay would swallow this
    std::uint64_t hash = kFnvInit;
    for (;;) {
        pollfd p{pair.client, POLLOUT, 0};
        if (poll(&p, 1, 1000) == 0) break;  // blocked: nobody drains the path any more
        fill_pattern(9, sent, buf.data(), buf.size());
        const ssize_t n = send(pair.client, buf.data(), buf.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        ASSERT_TRUE(n > 0 || errno == EAGAIN);
        if (n > 0) {
            hash = fnv1a(hash, buf.data(), static_cast<std::size_t>(n));
            sent += static_cast<std::uint64_t>(n);
        }
        ASSERT_LT(sent, kLimit) << "sender never blocked";
    }
    const long rss_blocked = relay.rss_kib();
    EXPECT_GT(sent, 0u);
    EXPECT_LT(rss_blocked, 64 * 1024) << "relay RSS KiB (before: " << rss_before << ")";
    EXPECT_LT(rss_blocked - rss_before, 16 * 1024);  // data stays in kernel pipes, not in the relay
    // Nothing was lost: the receiver now drains exactly what was sent.
    shutdown(pair.client, SHUT_WR);
    std::uint64_t got = kFnvInit;
    EXPECT_EQ(read_to_eof(pair.server, got), static_cast<long long>(sent));
    EXPECT_EQ(got, hash);
    close(lfd);
}

TEST(RelayLoopback, SigtermExits0WithFinalStatsMatchingTraffic) {
    const auto config = loopback_config();
    RelayProcess relay(config);
    std::uint16_t booster_port = 0, cluster_port = 0;
    const int booster_lfd = listen_on(kBoosterNode, booster_port);
    const int cluster_lfd = listen_on(kClusterNode, cluster_port);
    Pair up, down;
    open_pair(relay, booster_lfd, booster_port, true, up);     // opened from the cluster
    open_pair(relay, cluster_lfd, cluster_port, false, down);  // opened from the booster
    // Cluster->booster: 3 MiB + 5 bytes over `up`, 2 MiB over `down`'s reverse direction.
    ASSERT_NE(send_pattern(up.client, 1, (3 << 20) + 5), 0u);
    ASSERT_NE(send_pattern(down.server, 2, 2 << 20), 0u);
    ASSERT_NE(send_pattern(down.client, 3, 777), 0u);  // booster->cluster
    // Receive everything (the sessions stay open), so the relay has delivered it all.
    std::vector<std::uint8_t> buf(1 << 20);
    const auto drain = [&](int fd, std::size_t want) {
        std::size_t got = 0;
        while (got < want) {
            const ssize_t n = recv(fd, buf.data(), std::min(buf.size(), want - got), 0);
            ASSERT_GT(n, 0);
            got += static_cast<std::size_t>(n);
        }
    };
    drain(up.server, (3 << 20) + 5);
    drain(down.client, 2 << 20);
    drain(down.server, 777);

    const int status = relay.terminate();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    const auto stats = read_stats(config);
    EXPECT_EQ(stats["job"], 4242);
    EXPECT_EQ(stats["bytes_cluster_to_booster"], (3 << 20) + 5 + (2 << 20));
    EXPECT_EQ(stats["bytes_booster_to_cluster"], 777);
    EXPECT_EQ(stats["connections_total"], 2);
    EXPECT_EQ(stats["connections_relayed"], 2);
    EXPECT_EQ(stats["connections_active"], 0);
    // The relay closed the sessions: both ends see EOF.
    std::uint64_t h = kFnvInit;
    EXPECT_EQ(read_to_eof(up.client, h), 0);
    EXPECT_EQ(read_to_eof(down.server, h), 0);
    close(booster_lfd);
    close(cluster_lfd);
}

}  // namespace
