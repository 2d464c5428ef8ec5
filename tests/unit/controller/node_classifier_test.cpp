#include "node_classifier.hpp"
#include "gateway_pool.hpp"

#include <gtest/gtest.h>

namespace psgw::controller {
namespace {

slurm::NodeInfo node(std::string name, std::vector<std::string> features, const std::string& addr = "") {
    slurm::NodeInfo n;
    n.addr = addr.empty() ? name : addr;
    n.name = std::move(name);
    n.features = std::move(features);
    return n;
}

const char* kFabric =
    "cluster01 cluster 10.78.0.11\n"
    "cluster02 cluster 10.78.0.12\n"
    "booster01 booster 10.79.0.21\n"
    "gw01 cluster 10.78.0.101\n"
    "gw01 booster 10.79.0.101\n";

std::vector<slurm::NodeInfo> table() {
    return {node("cluster01", {"cluster"}),        node("cluster02", {"cluster", "ib"}),
            node("booster01", {"booster"}),        node("gw01", {"gateway"}, "10.77.0.101"),
            node("odd01", {"cluster", "booster"}), node("cluster03", {"cluster"})};
}

TEST(NodeClassifier, SplitsAndMapsToFabricAddresses) {
    config::Config config;
    auto fabric = config::FabricMap::parse(kFabric, "test");
    auto split = classify_nodes({"booster01", "cluster02", "cluster01"}, table(), config, fabric);
    EXPECT_EQ(split.a_addresses(), (std::vector<std::string>{"10.78.0.12", "10.78.0.11"}));
    EXPECT_EQ(split.b_addresses(), (std::vector<std::string>{"10.79.0.21"}));
    EXPECT_EQ(split.a_columns(), split.a_addresses());
    config.route_node_columns = config::NodeColumns::kName;
    split = classify_nodes({"booster01", "cluster01"}, table(), config, fabric);
    EXPECT_EQ(split.a_columns(), (std::vector<std::string>{"cluster01"}));
    EXPECT_EQ(split.b_columns(), (std::vector<std::string>{"booster01"}));
}

std::string error_of(const std::vector<std::string>& nodes) {
    config::Config config;
    auto fabric = config::FabricMap::parse(kFabric, "test");
    try {
        classify_nodes(nodes, table(), config, fabric);
    } catch (const ClassificationError& error) {
        return error.what();
    }
    return "";
}

TEST(NodeClassifier, ClearErrors) {
    EXPECT_NE(error_of({"gw01", "cluster01", "booster01"}).find("'gw01' has neither"), std::string::npos);
    EXPECT_NE(error_of({"odd01", "booster01"}).find("'odd01' has both"), std::string::npos);
    EXPECT_NE(error_of({"nosuch", "booster01"}).find("'nosuch' is unknown"), std::string::npos);
    EXPECT_NE(error_of({"cluster03", "booster01"}).find("'cluster03' has no cluster address"),
              std::string::npos);
    auto one_sided = error_of({"cluster01", "cluster02"});
    EXPECT_NE(one_sided.find("all 2 job nodes are cluster nodes"), std::string::npos) << one_sided;
    EXPECT_EQ(one_sided.rfind("psgw: ", 0), 0u);
}

TEST(GatewayPool, FeatureBasedSkipsUnusableNodes) {
    config::Config config;
    std::vector<slurm::NodeInfo> nodes = {node("gw03", {"gateway"}, "10.77.0.103"),
                                          node("gw01", {"gateway"}, "10.77.0.101"),
                                          node("gw02", {"gateway"}),
                                          node("gw04", {"gateway"}),
                                          node("gw05", {"gateway"}),
                                          node("gw06", {"gateway"}),
                                          node("cluster01", {"cluster"})};
    nodes[2].down = true;
    nodes[3].drain = true;
    nodes[4].fail = true;
    nodes[5].not_responding = true;
    config.agent_port = 7000;
    std::vector<std::string> skipped;
    auto pool = usable_gateways(config, nodes, &skipped);
    ASSERT_EQ(candidate_names(pool), (std::vector<std::string>{"gw01", "gw03"}));
    EXPECT_EQ(pool[0].agent_host, "10.77.0.101");
    EXPECT_EQ(pool[0].agent_port, 7000);
    EXPECT_EQ(skipped, (std::vector<std::string>{"gw02 (DOWN)", "gw04 (DRAIN)", "gw05 (FAIL)",
                                                 "gw06 (NOT_RESPONDING)"}));
}

TEST(GatewayPool, ExplicitHostlist) {
    config::Config config;
    config.gateway_nodes = "gw[01-02]";
    std::vector<slurm::NodeInfo> nodes = {node("gw01", {}), node("gw02", {"gateway"}),
                                          node("gw03", {"gateway"})};
    EXPECT_EQ(candidate_names(usable_gateways(config, nodes)), (std::vector<std::string>{"gw01", "gw02"}));
    config.gateway_nodes = "gw[01-04]";
    EXPECT_THROW(usable_gateways(config, nodes), std::invalid_argument);
}

}  // namespace
}  // namespace psgw::controller
