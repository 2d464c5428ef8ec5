#include "relay/access_policy.hpp"

namespace psgw::relay {

namespace {

namespace ip = boost::asio::ip;

// A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; compare them as IPv4.
ip::address normalise(const ip::address& addr) {
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
        return ip::make_address_v4(ip::v4_mapped, addr.to_v6());
    }
    return addr;
}

std::set<ip::address> normalised(const std::vector<ip::address>& addrs) {
    std::set<ip::address> out;
    for (const auto& a : addrs) out.insert(normalise(a));
    return out;
}

}  // namespace

AccessPolicy::AccessPolicy(const ip::address& cluster_addr, const ip::address& booster_addr,
                           const std::vector<ip::address>& cluster_peers,
                           const std::vector<ip::address>& booster_peers)
    : own_{normalise(cluster_addr), normalise(booster_addr)},
      cluster_peers_(normalised(cluster_peers)),
      booster_peers_(normalised(booster_peers)) {}

bool AccessPolicy::is_peer(Fabric fabric, const ip::address& addr) const {
    const ip::address a = normalise(addr);
    if (own_.contains(a)) return false;  // never relay to or from the gateway itself
    const auto& peers = fabric == Fabric::kCluster ? cluster_peers_ : booster_peers_;
    return peers.contains(a);
}

contract::RelayStatus AccessPolicy::check(Fabric listener, const ip::address& source,
                                          const ip::address& dest) const {
    if (!is_peer(listener, source)) return contract::RelayStatus::kSourceNotInJob;
    if (!is_peer(other(listener), dest)) return contract::RelayStatus::kDestNotInJob;
    return contract::RelayStatus::kOk;
}

}  // namespace psgw::relay
