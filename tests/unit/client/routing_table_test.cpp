#include "routing_table.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace psgw::client {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const std::vector<IpAddress> kAll{};  // empty filter: index every pair

constexpr const char* kGood =
    "# written by psgw-route\n"
    "10.78.0.101:41000 10.78.0.11 10.79.0.21\n"
    "10.78.0.102:41000 10.78.0.11 10.79.0.22\n"
    "\n"
    "10.78.0.102:41000\t10.78.0.12  10.79.0.21\r\n"
    "10.78.0.101:41001 10.78.0.12 10.79.0.22\n";
constexpr const char* kGoodMap = "10.78.0.101 10.79.0.101\n10.78.0.102 10.79.0.102\n";

std::string error_of(std::string_view routes, std::optional<std::string_view> map = std::nullopt,
                     const std::vector<IpAddress>& local = kAll) {
    try {
        RoutingTable::parse(routes, "route", map, "route.gw", local);
    } catch (const RoutingError& e) {
        return e.what();
    }
    return "";
}

TEST(RoutingTable, ParsesGoodFileAndMap) {
    const auto t = RoutingTable::parse(kGood, "route", kGoodMap, "route.gw", kAll);
    EXPECT_EQ(t.size(), 4u);
    EXPECT_EQ(t.gateway_count(), 3u);  // 101:41000, 102:41000, 101:41001
    const GatewayEntry* g = t.find(ip("10.78.0.12"), ip("10.79.0.22"));
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->cluster, ip("10.78.0.101"));
    EXPECT_EQ(g->port, 41001);
    EXPECT_EQ(g->booster, ip("10.79.0.101"));
    const GatewayEntry* h = t.find(ip("10.78.0.12"), ip("10.79.0.21"));
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->cluster, ip("10.78.0.102"));
    EXPECT_EQ(h->booster, ip("10.79.0.102"));
    EXPECT_EQ(t.find(ip("10.79.0.21"), ip("10.78.0.12")), nullptr);  // columns are ordered
    EXPECT_TRUE(t.in_column_a(ip("10.78.0.11")));
    EXPECT_FALSE(t.in_column_a(ip("10.79.0.21")));
    EXPECT_TRUE(t.in_column_b(ip("10.79.0.22")));
}

TEST(RoutingTable, ParsesIpv6) {
    const auto t = RoutingTable::parse("[fd00::101]:41000 fd00::11 fd01::21\n", "route",
                                       std::string_view("fd00::101 fd01::101\n"), "route.gw", kAll);
    const GatewayEntry* g = t.find(ip("fd00::11"), ip("fd01::21"));
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->cluster, ip("fd00::101"));
    EXPECT_EQ(g->port, 41000);
    EXPECT_EQ(g->booster, ip("fd01::101"));
}

TEST(RoutingTable, FilterKeepsOnlyLocalPairs) {
    const std::vector<IpAddress> local{ip("10.79.0.21")};
    const auto t = RoutingTable::parse(kGood, "route", kGoodMap, "route.gw", local);
    EXPECT_EQ(t.size(), 2u);
    EXPECT_NE(t.find(ip("10.78.0.11"), ip("10.79.0.21")), nullptr);
    EXPECT_EQ(t.find(ip("10.78.0.11"), ip("10.79.0.22")), nullptr);
    EXPECT_TRUE(t.in_column_b(ip("10.79.0.22")));  // columns are always complete
}

TEST(RoutingTable, WrongFieldCountNamesFileAndLine) {
    EXPECT_EQ(error_of("10.0.0.1:1 10.0.0.2 10.0.0.3\n10.0.0.1:1 10.0.0.2\n"),
              "psgw: route:2: expected 3 fields 'GWADDR:PORT NODEA NODEB', got 2");
    EXPECT_EQ(error_of("10.0.0.1:1 10.0.0.2 10.0.0.3 extra\n"),
              "psgw: route:1: expected 3 fields 'GWADDR:PORT NODEA NODEB', got 4");
}

TEST(RoutingTable, BadGatewayColumn) {
    EXPECT_EQ(error_of("10.0.0.1 10.0.0.2 10.0.0.3\n"), "psgw: route:1: gateway '10.0.0.1' is not ADDR:PORT");
    EXPECT_EQ(error_of("gw01:41000 10.0.0.2 10.0.0.3\n"),
              "psgw: route:1: gateway address 'gw01' is not an IP address");
    EXPECT_EQ(error_of("nocolon 10.0.0.2 10.0.0.3\n"), "psgw: route:1: gateway 'nocolon' is not ADDR:PORT");
    EXPECT_EQ(error_of("[fd00::1 10.0.0.2 10.0.0.3\n"),
              "psgw: route:1: gateway '[fd00::1' is not [ADDR]:PORT");
}

TEST(RoutingTable, BadPort) {
    for (const char* port : {"0", "65536", "41x", "", "-1", "+5"}) {
        const std::string line = std::string("10.0.0.1:") + port + " 10.0.0.2 10.0.0.3\n";
        EXPECT_EQ(error_of(line),
                  std::string("psgw: route:1: gateway port '") + port + "' is not a number in 1-65535")
            << port;
    }
}

TEST(RoutingTable, NodeNamesAreRejectedWithAHint) {
    const std::string e = error_of("10.0.0.1:1 cluster01 10.0.0.3\n");
    EXPECT_EQ(e.rfind("psgw: route:1: NODEA 'cluster01' is not an IP address", 0), 0u) << e;
    EXPECT_NE(e.find("ROUTE_NODE_COLUMNS=address"), std::string::npos) << e;
    EXPECT_EQ(error_of("10.0.0.1:1 10.0.0.2 10.0.0.300\n").rfind("psgw: route:1: NODEB '10.0.0.300'", 0), 0u);
}

TEST(RoutingTable, DuplicatePair) {
    EXPECT_EQ(error_of("10.0.0.1:1 10.0.0.2 10.0.0.3\n# c\n10.0.0.9:1 10.0.0.2 10.0.0.3\n"),
              "psgw: route:3: duplicate pair '10.0.0.2 10.0.0.3' (first on line 1)");
}

TEST(RoutingTable, EmptyFile) {
    EXPECT_EQ(error_of("# nothing\n\n"), "psgw: route:1: no routes (the file is empty)");
}

TEST(RoutingTable, MalformedMapLines) {
    const char* routes = "10.0.0.1:1 10.0.0.2 10.0.0.3\n";
    EXPECT_EQ(error_of(routes, std::string_view("10.0.0.1\n")),
              "psgw: route.gw:1: expected 2 fields 'CLUSTER_ADDR BOOSTER_ADDR', got 1");
    EXPECT_EQ(error_of(routes, std::string_view("10.0.0.1 10.1.0.1\ngw 10.1.0.1\n")),
              "psgw: route.gw:2: CLUSTER_ADDR 'gw' is not an IP address");
    EXPECT_EQ(error_of(routes, std::string_view("10.0.0.1 booster\n")),
              "psgw: route.gw:1: BOOSTER_ADDR 'booster' is not an IP address");
    EXPECT_EQ(error_of(routes, std::string_view("10.0.0.1 10.1.0.1\n10.0.0.1 10.1.0.2\n")),
              "psgw: route.gw:2: duplicate gateway '10.0.0.1' (first on line 1)");
}

TEST(RoutingTable, MissingMapIsFineOnTheClusterSide) {
    const std::vector<IpAddress> local{ip("10.0.0.2")};
    const auto t =
        RoutingTable::parse("10.0.0.1:1 10.0.0.2 10.0.0.3\n", "route", std::nullopt, "route.gw", local);
    EXPECT_NE(t.find(ip("10.0.0.2"), ip("10.0.0.3")), nullptr);
}

TEST(RoutingTable, MissingMapIsAnErrorOnTheBoosterSide) {
    const std::vector<IpAddress> local{ip("10.0.0.3")};
    EXPECT_EQ(error_of("10.0.0.1:1 10.0.0.2 10.0.0.3\n", std::nullopt, local),
              "psgw: gateway map 'route.gw' is missing; this booster-side node needs it to "
              "reach gateway 10.0.0.1 on its own fabric");
    EXPECT_EQ(error_of("10.0.0.1:1 10.0.0.2 10.0.0.3\n", std::string_view("10.0.0.9 10.1.0.9\n"), local),
              "psgw: gateway map 'route.gw' has no line for gateway 10.0.0.1");
}

TEST(RoutingTable, LoadReadsFileAndMapFromDisk) {
    const auto dir = std::filesystem::temp_directory_path() / ("psgw-rt-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "psgw-route-1").string();
    std::ofstream(path) << kGood;
    const std::vector<IpAddress> booster{ip("10.79.0.21")};
    try {
        RoutingTable::load(path, booster);
        ADD_FAILURE() << "missing map accepted on the booster side";
    } catch (const RoutingError& e) {
        EXPECT_NE(std::string(e.what()).find(path + ".gw' is missing"), std::string::npos) << e.what();
    }
    std::ofstream(path + ".gw") << kGoodMap;
    const auto t = RoutingTable::load(path, booster);
    EXPECT_EQ(t.find(ip("10.78.0.11"), ip("10.79.0.21"))->booster, ip("10.79.0.101"));
    try {
        RoutingTable::load((dir / "absent").string(), booster);
        ADD_FAILURE() << "absent file accepted";
    } catch (const RoutingError& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("(PSP_GW_SERVER): No such file"), std::string::npos);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace psgw::client
