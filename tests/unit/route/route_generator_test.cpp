// Built-in plugins: hand-derived golden files, coverage, balance, port rotation, errors.
#include "route/route_generator.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace psgw::route {
namespace {

RouteRequest request(std::vector<std::string> a, std::vector<std::string> b,
                     std::vector<std::string> gateways, std::string plugin) {
    RouteRequest r;
    r.nodes_a = std::move(a);
    r.nodes_b = std::move(b);
    r.gateways = std::move(gateways);
    r.plugin = std::move(plugin);
    return r;
}

std::vector<std::string> names(const std::string& prefix, int count) {
    std::vector<std::string> result;
    for (int k = 0; k < count; ++k) result.push_back(prefix + std::to_string(1000 + k));
    return result;
}

std::vector<std::string> endpoints(int count) {
    std::vector<std::string> result;
    for (int k = 0; k < count; ++k) result.push_back("10.78.1." + std::to_string(100 + k) + ":41000");
    return result;
}

struct Line {
    std::string endpoint, a, b;
};

std::vector<Line> parse(const std::string& text) {
    std::vector<Line> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        Line l;
        fields >> l.endpoint >> l.a >> l.b;
        lines.push_back(l);
    }
    return lines;
}

// Hand-derived: A={cluster01,cluster02} (i=0,1), B={booster01..03} (j=0..2), gateways
// sorted {10.78.0.101 (ports 41000, 41001), 10.78.0.102}. plugin01 (i+j)%2 puts
// (0,0) (0,2) (1,1) on .101 (ports rotate 41000, 41001, 41000) and (0,1) (1,0) (1,2) on .102.
TEST(RouteGolden, Plugin01) {
    auto r = request({"cluster02", "cluster01"}, {"booster03", "booster01", "booster02"},
                     {"10.78.0.102:41000", "10.78.0.101:41000", "10.78.0.101:41001"}, "plugin01");
    EXPECT_EQ(generate_routes(r),
              "10.78.0.101:41000 cluster01 booster01\n"
              "10.78.0.101:41001 cluster01 booster03\n"
              "10.78.0.101:41000 cluster02 booster02\n"
              "10.78.0.102:41000 cluster01 booster02\n"
              "10.78.0.102:41000 cluster02 booster01\n"
              "10.78.0.102:41000 cluster02 booster03\n");
}

// plugin02 as shipped: gw = (i + ((j - i) mod |B|) mod G) mod G. With |A|=2, |B|=4, G=3:
//   i=0: rel 0,1,2,3 -> %3 0,1,2,0 -> gw 0,1,2,0
//   i=1: rel 3,0,1,2 -> %3 0,0,1,2 -> gw 1,1,2,0
TEST(RouteGolden, Plugin02) {
    auto r = request({"a0", "a1"}, {"b0", "b1", "b2", "b3"}, {"g0:1", "g1:1", "g2:1"}, "plugin02.py");
    EXPECT_EQ(generate_routes(r),
              "g0:1 a0 b0\n"
              "g0:1 a0 b3\n"
              "g0:1 a1 b3\n"
              "g1:1 a0 b1\n"
              "g1:1 a1 b0\n"
              "g1:1 a1 b1\n"
              "g2:1 a0 b2\n"
              "g2:1 a1 b2\n");
}

// plugin03: pair number i*|B|+j, round-robin over G=4: (0,0)0 (0,1)1 (0,2)2 (1,0)3 (1,1)0 (1,2)1.
TEST(RouteGolden, Plugin03) {
    auto r = request({"a0", "a1"}, {"b0", "b1", "b2"}, {"g3:9", "g2:9", "g1:9", "g0:9"}, "plugin03");
    EXPECT_EQ(generate_routes(r),
              "g0:9 a0 b0\n"
              "g0:9 a1 b1\n"
              "g1:9 a0 b1\n"
              "g1:9 a1 b2\n"
              "g2:9 a0 b2\n"
              "g3:9 a1 b0\n");
}

TEST(RouteGolden, NodesAndGatewaysSortAsStrings) {
    // "n10" < "n2" as strings, as Python's sorted() orders them.
    auto r = request({"n2", "n10"}, {"m1"}, {"10.0.0.9:1", "10.0.0.10:1"}, "plugin01");
    EXPECT_EQ(generate_routes(r), "10.0.0.10:1 n10 m1\n10.0.0.9:1 n2 m1\n");
}

TEST(RouteGolden, PortsRotateInTheOrderGiven) {
    auto r = request({"a"}, {"b1", "b2", "b3", "b4"}, {"gw:5002", "gw:5000", "gw:5001"}, "plugin01");
    EXPECT_EQ(generate_routes(r), "gw:5002 a b1\ngw:5000 a b2\ngw:5001 a b3\ngw:5002 a b4\n");
}

TEST(RouteGolden, Ipv6EndpointsKeepBrackets) {
    auto r = request({"a"}, {"b"}, {"[fd00::1]:41000"}, "plugin01");
    EXPECT_EQ(generate_routes(r), "[fd00::1]:41000 a b\n");
}

struct Shape {
    int a, b, g;
};

class RouteProperties : public ::testing::TestWithParam<std::tuple<std::string, Shape>> {};

TEST_P(RouteProperties, EveryPairOnceGroupedByGateway) {
    const auto& [plugin, shape] = GetParam();
    auto r = request(names("a", shape.a), names("b", shape.b), endpoints(shape.g), plugin);
    auto lines = parse(generate_routes(r));
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(shape.a * shape.b));
    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& line : lines) pairs.emplace(line.a, line.b);
    EXPECT_EQ(pairs.size(), lines.size());
    for (const auto& a : r.nodes_a) {
        for (const auto& b : r.nodes_b) EXPECT_TRUE(pairs.count({a, b})) << a << " " << b;
    }
    // Grouped: once a gateway's block ends it never reappears, and blocks are sorted.
    std::vector<std::string> order;
    for (const auto& line : lines) {
        if (order.empty() || order.back() != line.endpoint) order.push_back(line.endpoint);
    }
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
    EXPECT_EQ(std::set<std::string>(order.begin(), order.end()).size(), order.size());

    std::map<std::string, int> load;
    for (const auto& e : endpoints(shape.g)) load[e] = 0;
    for (const auto& line : lines) ++load[line.endpoint];
    auto [low, high] =
        std::minmax_element(load.begin(), load.end(), [](auto& x, auto& y) { return x.second < y.second; });
    const int spread = high->second - low->second;
    if (plugin == "plugin03") {
        EXPECT_LE(spread, 1);  // round-robin over the numbered pairs
    } else if (plugin == "plugin01") {
        // (i+j) mod G: each full row/column block is even; the rest differs by at most
        // min(|A| mod G, |B| mod G) (e.g. 3x4 on 10 gateways: 3,3,2,2,1,1,0,0,... not 1).
        EXPECT_LE(spread, std::min(shape.a % shape.g, shape.b % shape.g));
    }
}

INSTANTIATE_TEST_SUITE_P(
    Builtins, RouteProperties,
    ::testing::Combine(::testing::Values("plugin01", "plugin02", "plugin03"),
                       ::testing::Values(Shape{1, 1, 1}, Shape{5, 7, 3}, Shape{16, 16, 4}, Shape{3, 4, 10},
                                         Shape{2, 3, 8}, Shape{33, 17, 5}, Shape{64, 64, 64})));

TEST(RouteErrors, RejectBadInputNamingIt) {
    auto expect_error = [](const RouteRequest& r, const std::string& fragment) {
        try {
            generate_routes(r);
            ADD_FAILURE() << "no error, expected " << fragment;
        } catch (const RouteError& e) {
            std::string message = e.what();
            EXPECT_TRUE(message.starts_with("psgw: ")) << message;
            EXPECT_NE(message.find(fragment), std::string::npos) << message;
        }
    };
    expect_error(request({}, {"b"}, {"g:1"}, "plugin01"), "no A-side nodes");
    expect_error(request({"a"}, {}, {"g:1"}, "plugin01"), "no B-side nodes");
    expect_error(request({"a"}, {"b"}, {}, "plugin01"), "no gateways");
    expect_error(request({"a"}, {"b"}, {"g"}, "plugin01"), "'g'");
    expect_error(request({"a"}, {"b"}, {"g:0"}, "plugin01"), "'g:0'");
    expect_error(request({"a"}, {"b"}, {"g:70000"}, "plugin01"), "'g:70000'");
    expect_error(request({"a"}, {"b"}, {"fd00::1:5"}, "plugin01"), "'fd00::1:5'");
    expect_error(request({"a"}, {"b"}, {"g:1", "g:1"}, "plugin01"), "duplicate gateway endpoint 'g:1'");
    expect_error(request({"a", "a"}, {"b"}, {"g:1"}, "plugin01"), "node 'a' given twice");
    expect_error(request({"a b"}, {"b"}, {"g:1"}, "plugin01"), "'a b'");
    expect_error(request({"a"}, {"b"}, {"g:1"}, "plugin04"), "'plugin04'");
    expect_error(request({"a"}, {"b"}, {"g:1"}, ""), "no route plugin");
}

TEST(RouteWriter, WritesAtomically) {
    test::TempDir dir;
    write_routing_file(dir.path() / "psgw-route-1", "g:1 a b\n", std::nullopt);
    EXPECT_EQ(test::read_file(dir.path() / "psgw-route-1"), "g:1 a b\n");
    EXPECT_THROW(write_routing_file(dir.path() / "missing" / "f", "x", std::nullopt), RouteError);
}

TEST(RouteBuiltins, Names) {
    EXPECT_TRUE(is_builtin_plugin("plugin01"));
    EXPECT_TRUE(is_builtin_plugin("plugin03.py"));
    EXPECT_FALSE(is_builtin_plugin("plugin04"));
    EXPECT_FALSE(is_builtin_plugin("/x/plugin01.py"));
}

}  // namespace
}  // namespace psgw::route
