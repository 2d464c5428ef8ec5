#include "route_resolver.hpp"
#include "local_addresses.hpp"
#include "psgw/contract.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>

#include <cstdlib>

namespace psgw::client {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

constexpr const char* kRoutes =
    "10.78.0.101:41000 10.78.0.11 10.79.0.21\n"
    "10.78.0.102:41000 10.78.0.11 10.79.0.22\n"
    "10.78.0.102:41000 10.78.0.12 10.79.0.21\n"
    "10.78.0.101:41000 10.78.0.12 10.79.0.22\n";
constexpr const char* kMap = "10.78.0.101 10.79.0.101\n10.78.0.102 10.79.0.102\n";

RouteResolver resolver_for(std::vector<IpAddress> local) {
    return RouteResolver(RoutingTable::parse(kRoutes, "r", kMap, "r.gw", local), local);
}

std::string gateway_of(const Route& r) {
    const auto a = IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&r.gateway), r.gateway_len);
    return a->to_string() + ":" +
           std::to_string(sockaddr_port(reinterpret_cast<const sockaddr*>(&r.gateway), r.gateway_len));
}

TEST(RouteResolver, ClusterSideUsesTheGatewayClusterAddress) {
    // A multi-homed cluster node: a management address that is not in the file, and its fabric one.
    const auto res = resolver_for({ip("10.77.0.11"), ip("10.78.0.11")});
    ASSERT_EQ(res.self().size(), 1u);
    const auto r = res.resolve(ip("10.79.0.22"));
    ASSERT_TRUE(r);
    EXPECT_EQ(gateway_of(*r), "10.78.0.102:41000");
    EXPECT_EQ(r->self, ip("10.78.0.11"));
    EXPECT_FALSE(r->booster_side);
}

TEST(RouteResolver, BoosterSideTranslatesThroughTheMap) {
    const auto res = resolver_for({ip("10.79.0.22")});
    const auto r = res.resolve(ip("10.78.0.11"));
    ASSERT_TRUE(r);
    EXPECT_EQ(gateway_of(*r), "10.79.0.102:41000");
    EXPECT_TRUE(r->booster_side);
    EXPECT_EQ(gateway_of(*res.resolve(ip("10.78.0.12"))), "10.79.0.101:41000");
}

TEST(RouteResolver, SameSideAndUnknownPeersAreNotRouted) {
    const auto res = resolver_for({ip("10.78.0.11")});
    EXPECT_FALSE(res.resolve(ip("10.78.0.12")));                              // cluster to cluster: direct
    EXPECT_FALSE(res.resolve(ip("10.79.0.99")));                              // not in the job
    EXPECT_FALSE(resolver_for({ip("192.0.2.1")}).resolve(ip("10.79.0.21")));  // node not in the file
}

TEST(RouteResolver, MappedIpv6PeerMatchesIpv4Line) {
    const auto mapped = IpAddress::parse("::ffff:10.79.0.21");
    ASSERT_TRUE(mapped);
    EXPECT_EQ(mapped->family, AF_INET);
    EXPECT_TRUE(resolver_for({ip("10.78.0.11")}).resolve(*mapped));
}

TEST(LocalAddresses, OverrideListIsParsedStrictly) {
    const auto list = parse_address_list("127.0.0.3, ::1,127.0.0.3");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0], ip("127.0.0.3"));
    EXPECT_EQ(list[1], ip("::1"));
    try {
        parse_address_list("127.0.0.3,node1");
        ADD_FAILURE() << "a host name was accepted";
    } catch (const RoutingError& e) {
        EXPECT_STREQ(e.what(), "psgw: PSGW_LOCAL_ADDRESSES: 'node1' is not an IP address");
    }
}

TEST(LocalAddresses, GetifaddrsFindsLoopback) {
    ::unsetenv(contract::kEnvLocalAddresses.data());
    const auto list = local_addresses();
    EXPECT_NE(std::find(list.begin(), list.end(), ip("127.0.0.1")), list.end());
}

}  // namespace
}  // namespace psgw::client
