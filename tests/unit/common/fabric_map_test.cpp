#include "config/fabric_map.hpp"

#include "config/psgw_config.hpp"

#include <gtest/gtest.h>

namespace psgw::config {
namespace {

std::string error_of(std::string_view text) {
    try {
        FabricMap::parse(text, "fa");
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

TEST(FabricMap, ParsesAndLooksUp) {
    const FabricMap map = FabricMap::parse(
        "# gateway nodes have one line per fabric\n"
        "cluster01 cluster 10.78.0.11\n"
        "\n"
        "gw01\tcluster   10.78.0.101   # trailing comment\n"
        "gw01 booster fd00::79:101\n",
        "fa");
    EXPECT_EQ(map.address("cluster01", Fabric::kCluster), "10.78.0.11");
    EXPECT_EQ(map.address("cluster01", Fabric::kBooster), std::nullopt);
    EXPECT_EQ(map.address("gw01", Fabric::kCluster), "10.78.0.101");
    EXPECT_EQ(map.address("gw01", Fabric::kBooster), "fd00::79:101");
    EXPECT_EQ(map.node_for("10.78.0.101", Fabric::kCluster), "gw01");
    EXPECT_EQ(map.node_for("10.78.0.101", Fabric::kBooster), std::nullopt);
    EXPECT_EQ(map.node_for("10.1.1.1", Fabric::kCluster), std::nullopt);
    EXPECT_EQ(to_string(Fabric::kCluster), "cluster");
    EXPECT_EQ(to_string(Fabric::kBooster), "booster");
}

TEST(FabricMap, Errors) {
    EXPECT_EQ(error_of("n1 cluster"), "psgw: fa:1: expected 'NODENAME FABRIC ADDRESS', got 'n1 cluster'");
    EXPECT_EQ(error_of("n1 cluster 10.0.0.1 x"),
              "psgw: fa:1: expected 'NODENAME FABRIC ADDRESS', got 'n1 cluster 10.0.0.1 x'");
    EXPECT_EQ(error_of("\nn1 ib 10.0.0.1"), "psgw: fa:2: unknown fabric 'ib' (expected cluster or booster)");
    EXPECT_EQ(error_of("n1 cluster 10.0.0.256"), "psgw: fa:1: invalid IP address '10.0.0.256' for node n1");
    EXPECT_EQ(error_of("n1 cluster n1.example"), "psgw: fa:1: invalid IP address 'n1.example' for node n1");
    EXPECT_EQ(error_of("n1 cluster 10.0.0.1\nn1 cluster 10.0.0.2"),
              "psgw: fa:2: duplicate entry for node n1 on fabric cluster (first on line 1)");
    EXPECT_EQ(error_of("n1 cluster 10.0.0.1\nn1 booster 10.1.0.1"), "");
}

TEST(FabricMap, LoadMissingFile) {
    EXPECT_THROW(FabricMap::load("/nonexistent/fabric-addresses"), ConfigError);
}

}  // namespace
}  // namespace psgw::config
