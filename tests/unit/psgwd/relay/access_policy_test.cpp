// AccessPolicy: only job nodes, only across the gateway, never the gateway itself.
#include "relay/access_policy.hpp"

#include <gtest/gtest.h>

namespace {

using psgw::contract::RelayStatus;
using psgw::relay::AccessPolicy;
using psgw::relay::Fabric;
namespace ip = boost::asio::ip;

ip::address a(const char* text) { return ip::make_address(text); }

AccessPolicy policy() {
    return AccessPolicy(a("10.78.0.101"), a("10.79.0.101"), {a("10.78.0.11"), a("10.78.0.12")},
                        {a("10.79.0.21"), a("10.79.0.22")});
}

TEST(RelayAccessPolicy, AllowsJobNodesAcrossTheGatewayBothWays) {
    EXPECT_EQ(policy().check(Fabric::kCluster, a("10.78.0.11"), a("10.79.0.22")), RelayStatus::kOk);
    EXPECT_EQ(policy().check(Fabric::kBooster, a("10.79.0.21"), a("10.78.0.12")), RelayStatus::kOk);
}

TEST(RelayAccessPolicy, RefusesSourcesThatAreNotJobNodesOnTheListenerFabric) {
    const auto p = policy();
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.13"), a("10.79.0.21")),
              RelayStatus::kSourceNotInJob);  // other job
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.77.0.11"), a("10.79.0.21")),
              RelayStatus::kSourceNotInJob);  // management
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.79.0.21"), a("10.79.0.22")),
              RelayStatus::kSourceNotInJob);  // wrong fabric
    EXPECT_EQ(p.check(Fabric::kBooster, a("10.78.0.11"), a("10.78.0.12")), RelayStatus::kSourceNotInJob);
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.101"), a("10.79.0.21")),
              RelayStatus::kSourceNotInJob);  // itself
}

TEST(RelayAccessPolicy, RefusesDestinationsThatAreNotJobNodesOnTheOtherFabric) {
    const auto p = policy();
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.11"), a("10.79.0.23")), RelayStatus::kDestNotInJob);
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.11"), a("10.78.0.12")),
              RelayStatus::kDestNotInJob);  // same side
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.11"), a("10.77.0.1")), RelayStatus::kDestNotInJob);
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.11"), a("10.79.0.101")),
              RelayStatus::kDestNotInJob);  // gateway
    EXPECT_EQ(p.check(Fabric::kBooster, a("10.79.0.21"), a("10.78.0.101")), RelayStatus::kDestNotInJob);
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.11"), a("127.0.0.1")), RelayStatus::kDestNotInJob);
}

TEST(RelayAccessPolicy, GatewayAddressesListedAsPeersStayRefused) {
    const AccessPolicy p(a("10.78.0.101"), a("10.79.0.101"), {a("10.78.0.11"), a("10.78.0.101")},
                         {a("10.79.0.21"), a("10.79.0.101")});
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.11"), a("10.79.0.101")), RelayStatus::kDestNotInJob);
    EXPECT_EQ(p.check(Fabric::kCluster, a("10.78.0.101"), a("10.79.0.21")), RelayStatus::kSourceNotInJob);
}

TEST(RelayAccessPolicy, Ipv4MappedAddressesCompareAsIpv4) {
    const auto p = policy();
    EXPECT_EQ(p.check(Fabric::kCluster, a("::ffff:10.78.0.11"), a("::ffff:10.79.0.21")), RelayStatus::kOk);
    EXPECT_EQ(p.check(Fabric::kCluster, a("::ffff:10.78.0.11"), a("::ffff:10.79.0.101")),
              RelayStatus::kDestNotInJob);
}

TEST(RelayAccessPolicy, Ipv6Peers) {
    const AccessPolicy p(a("fd78::101"), a("fd79::101"), {a("fd78::11")}, {a("fd79::21")});
    EXPECT_EQ(p.check(Fabric::kCluster, a("fd78::11"), a("fd79::21")), RelayStatus::kOk);
    EXPECT_EQ(p.check(Fabric::kCluster, a("fd78::11"), a("fd79::22")), RelayStatus::kDestNotInJob);
}

}  // namespace
