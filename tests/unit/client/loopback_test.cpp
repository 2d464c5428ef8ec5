// Black-box tests on loopback with the real relay ("psgwd relay"): gateway
// 127.0.0.1 (cluster fabric) / 127.0.0.2 (booster fabric), cluster node 127.0.0.3,
// booster node 127.0.0.4. PSGW_LOCAL_ADDRESSES tells the client which node it is.
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <string>

namespace psgw::client::test {
namespace {

using Env = std::map<std::string, std::string>;

class Loopback : public ::testing::Test {
protected:
    LoopbackGateway gw_;

    /// The environment of a task on the node with address `self`.
    Env task_env(const std::string& self) const {
        return {{"PSP_GW_SERVER", gw_.route_file()},
                {"PSGW_LOCAL_ADDRESSES", self},
                {"PSGW_CONNECT_TIMEOUT_MS", "5000"},
                {"LD_PRELOAD", ""},
                {"PSGW_DEBUG", ""}};
    }
    static Env with_preload(Env env) {
        env["LD_PRELOAD"] = PSGW_LD_PRELOAD;
        return env;
    }
    static Finished connect_test(const std::string& mode, const std::string& addr, std::uint16_t port,
                                 const Env& env, std::size_t bytes = 100000) {
        return run({TEST_CONNECT_PATH, mode, addr, std::to_string(port), std::to_string(bytes)},
                   environment_with(env));
    }
};

TEST_F(Loopback, ApiReachesBoosterNodeThroughRelay) {
    EchoServer server("127.0.0.4");
    const auto r = connect_test("api", "127.0.0.4", server.port(), task_env("127.0.0.3"), 1 << 20);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("echo=ok bytes=1048576"), std::string::npos) << r.out;
    // The server saw the relay's booster-side address, and the relay counted the bytes.
    EXPECT_EQ(server.clients(), std::vector<std::string>{"127.0.0.2"});
    EXPECT_GE(gw_.wait_stat("bytes_cluster_to_booster", 1 << 20), 1u << 20);
    EXPECT_GE(gw_.wait_stat("bytes_booster_to_cluster", 1 << 20), 1u << 20);
}

TEST_F(Loopback, ApiFromBoosterSideUsesGatewayBoosterAddress) {
    EchoServer server("127.0.0.3");
    const auto r = connect_test("api", "127.0.0.3", server.port(), task_env("127.0.0.4"));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(server.clients(), std::vector<std::string>{"127.0.0.1"});
    EXPECT_GE(gw_.wait_stat("bytes_booster_to_cluster", 100000), 100000u);
}

TEST_F(Loopback, PreloadBlockingConnectIsRoutedAndGetpeernameShowsPeer) {
    EchoServer server("127.0.0.4");
    Env env = with_preload(task_env("127.0.0.3"));
    env["PSGW_DEBUG"] = "1";
    const auto r = connect_test("blocking", "127.0.0.4", server.port(), env);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("peer=127.0.0.4:" + std::to_string(server.port()) + " echo=ok"), std::string::npos)
        << r.out;
    EXPECT_EQ(server.clients(), std::vector<std::string>{"127.0.0.2"});
    EXPECT_NE(r.err.find("psgw-preload: fd "), std::string::npos) << r.err;  // one debug line
    EXPECT_NE(r.err.find("via gateway 127.0.0.1 port " + std::to_string(gw_.port()) + " (cluster side): ok"),
              std::string::npos)
        << r.err;
}

TEST_F(Loopback, PreloadSurvivesCloseOfRoutedSocketAfterItsFinalisation) {
    // Libraries finalised after the preload (and threads still running at exit) call
    // close(); the preload's peer table must still be valid then.
    EchoServer server("127.0.0.4");
    const auto r = connect_test("blocking-close-at-exit", "127.0.0.4", server.port(),
                                with_preload(task_env("127.0.0.3")));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("peer=127.0.0.4:" + std::to_string(server.port()) + " echo=ok"), std::string::npos)
        << r.out;
}

TEST_F(Loopback, PreloadNonBlockingConnectIsRouted) {
    EchoServer server("127.0.0.4");
    const auto r =
        connect_test("nonblocking", "127.0.0.4", server.port(), with_preload(task_env("127.0.0.3")));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("connect=immediate peer=127.0.0.4:"), std::string::npos) << r.out;
    EXPECT_EQ(server.clients(), std::vector<std::string>{"127.0.0.2"});
    EXPECT_TRUE(r.err.empty()) << r.err;  // silent without PSGW_DEBUG
}

TEST_F(Loopback, PreloadLeavesOtherDestinationsAlone) {
    EchoServer other("127.0.0.5");  // not in the routing file
    const auto r =
        connect_test("nonblocking", "127.0.0.5", other.port(), with_preload(task_env("127.0.0.3")));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("connect=inprogress peer=127.0.0.5:"), std::string::npos) << r.out;
    EXPECT_EQ(other.clients(), std::vector<std::string>{"127.0.0.1"});  // kernel's own source

    // Without PSP_GW_SERVER nothing is routed, even a routed pair.
    EchoServer booster("127.0.0.4");
    Env env = with_preload(task_env("127.0.0.3"));
    env["PSP_GW_SERVER"] = "";
    const auto d = connect_test("blocking", "127.0.0.4", booster.port(), env);
    EXPECT_EQ(d.exit_code, 0) << d.out << d.err;
    EXPECT_EQ(booster.clients(), std::vector<std::string>{"127.0.0.1"});
}

TEST_F(Loopback, BrokenRoutingFileDisablesPreloadButFailsTheApi) {
    EchoServer server("127.0.0.4");
    const std::string bad = gw_.dir() + "/bad-route";
    { std::ofstream(bad) << "127.0.0.1:" << gw_.port() << " 127.0.0.3\n"; }
    Env env = task_env("127.0.0.3");
    env["PSP_GW_SERVER"] = bad;
    const auto api = connect_test("api", "127.0.0.4", server.port(), env);
    EXPECT_EQ(api.exit_code, 2) << api.out;
    EXPECT_NE(api.out.find("connect errno=EBADMSG"), std::string::npos) << api.out;
    env = with_preload(env);
    env["PSGW_DEBUG"] = "1";
    const auto pre = connect_test("blocking", "127.0.0.4", server.port(), env);
    EXPECT_EQ(pre.exit_code, 0) << pre.out << pre.err;
    EXPECT_NE(pre.err.find("routing disabled: psgw: " + bad + ":1: expected 3 fields"), std::string::npos)
        << pre.err;
}

TEST_F(Loopback, RefusedDestinationGivesEconnrefused) {
    // A port nobody listens on: the relay's connect is refused and says so.
    const std::uint16_t closed = [] {
        EchoServer s("127.0.0.4");
        return s.port();
    }();
    for (const char* mode : {"api", "blocking", "nonblocking"}) {
        const Env env =
            std::string(mode) == "api" ? task_env("127.0.0.3") : with_preload(task_env("127.0.0.3"));
        const auto r = connect_test(mode, "127.0.0.4", closed, env);
        EXPECT_EQ(r.exit_code, 2) << mode << ": " << r.out << r.err;
        EXPECT_NE(r.out.find("connect errno=ECONNREFUSED"), std::string::npos) << mode << ": " << r.out;
    }
    EXPECT_GE(gw_.wait_stat("connections_total", 3), 3u);
}

TEST_F(Loopback, PsgwPpBothModesBothDirectionsDirectAndViaGateway) {
    Background server({PSGW_PP_PATH, "server", "--listen", "127.0.0.4:0"},
                      environment_with({{"LD_PRELOAD", ""}}), "");
    const std::string ready = server.read_line();
    ASSERT_EQ(ready.rfind("psgw-pp server listening on 127.0.0.4:", 0), 0u) << ready;
    const std::string addr = ready.substr(ready.rfind(' ') + 1);
    const auto env = environment_with(task_env("127.0.0.3"));
    std::uint64_t relayed = 0;
    for (const bool via : {false, true}) {
        std::vector<std::string> base{PSGW_PP_PATH, "client", "--connect", addr};
        if (via) base.emplace_back("--via-gateway");
        auto ping = base;
        ping.insert(ping.end(), {"--mode", "pingpong", "--count", "200", "--size", "1000"});
        const auto p = run(ping, env);
        EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
        EXPECT_NE(p.out.find(std::string("pingpong path=") + (via ? "gateway" : "direct") +
                             " size=1000 count=200 rtt_us_median="),
                  std::string::npos)
            << p.out;
        auto stream = base;
        stream.insert(stream.end(), {"--mode", "stream", "--direction", "both", "--count", "16", "--size",
                                     "65536", "--json"});
        const auto s = run(stream, env);
        EXPECT_EQ(s.exit_code, 0) << s.out << s.err;
        EXPECT_NE(s.out.find(R"("bytes":1048576,"direction":"send")"), std::string::npos) << s.out;
        EXPECT_NE(s.out.find(R"("bytes":1048576,"direction":"recv")"), std::string::npos) << s.out;
        if (via) relayed = 1048576 + 200 * 1000;
    }
    EXPECT_GE(gw_.wait_stat("bytes_cluster_to_booster", relayed), relayed);
    EXPECT_GE(gw_.wait_stat("bytes_booster_to_cluster", relayed), relayed);
    EXPECT_GE(gw_.wait_stat("connections_relayed", 2), 2u);
    // A pair the routing file does not route is refused with a clear line.
    auto unrouted = environment_with(task_env("127.0.0.4"));
    const auto u = run({PSGW_PP_PATH, "client", "--connect", addr, "--via-gateway"}, unrouted);
    EXPECT_EQ(u.exit_code, 1);
    EXPECT_NE(
        u.err.find("psgw: --via-gateway: the routing file (PSP_GW_SERVER) has no gateway from this node to " +
                   addr),
        std::string::npos)
        << u.err;
}

TEST_F(Loopback, PsgwPpDetectsACorruptingRelay) {
    Background server({PSGW_PP_PATH, "server", "--listen", "127.0.0.4:0"},
                      environment_with({{"LD_PRELOAD", ""}}), "");
    const std::string ready = server.read_line();
    ASSERT_EQ(ready.rfind("psgw-pp server listening on 127.0.0.4:", 0), 0u) << ready;
    const std::string addr = ready.substr(ready.rfind(' ') + 1);
    const std::string route = gw_.dir() + "/corrupt-route";
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--mode", "stream", "--direction", "send", "--count", "8", "--size", "65536"},
         "psgw: data corrupted"},
        {{"--mode", "pingpong", "--count", "100", "--size", "64"}, "psgw: data corrupted: echo of message"},
    };
    for (const auto& [args, expect] : cases) {
        CorruptingRelay bad(5000);  // past the 32-byte psgw-pp header: a payload byte
        { std::ofstream(route) << "127.0.0.1:" << bad.port() << " 127.0.0.3 127.0.0.4\n"; }
        Env env = task_env("127.0.0.3");
        env["PSP_GW_SERVER"] = route;
        std::vector<std::string> argv{PSGW_PP_PATH, "client", "--connect", addr, "--via-gateway"};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = run(argv, environment_with(env));
        EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
        EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
    }
}

TEST_F(Loopback, Iperf3UnmodifiedUnderPreload) {
    const std::string iperf3 = IPERF3_PATH;
    if (iperf3.empty()) GTEST_SKIP() << "iperf3 not installed";
    // A port in a range the relay does not use; iperf3 -s exits after one test (-1).
    const std::uint16_t port = static_cast<std::uint16_t>(43000 + ::getpid() % 1000);
    Background server({iperf3, "-s", "-1", "--forceflush", "-B", "127.0.0.4", "-p", std::to_string(port)},
                      environment_with({{"LD_PRELOAD", ""}}), "");
    const std::string first = server.read_line();  // "-----..." once it listens
    ASSERT_FALSE(first.empty()) << "iperf3 server did not start";
    Env env = with_preload(task_env("127.0.0.3"));
    // ASan checks the preload inside iperf3; iperf3's own leaks at exit are not ours.
    if (PSGW_ASAN_BUILD) env["ASAN_OPTIONS"] = "detect_leaks=0";
    const auto r =
        run({iperf3, "-c", "127.0.0.4", "-p", std::to_string(port), "-t", "1"}, environment_with(env));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("iperf Done."), std::string::npos) << r.out;
    // Both iperf3 connections (control + data) went through the relay, with the data.
    EXPECT_GE(gw_.wait_stat("connections_relayed", 2), 2u);
    EXPECT_GE(gw_.wait_stat("bytes_cluster_to_booster", 10u << 20), 10u << 20);
}

}  // namespace
}  // namespace psgw::client::test
