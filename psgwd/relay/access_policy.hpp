// Which (listener fabric, source, destination) triples the relay serves. Pure: no I/O.
#pragma once

#include "relay/fabric.hpp"

#include <psgw/contract.hpp>

#include <boost/asio/ip/address.hpp>

#include <set>
#include <vector>

namespace psgw::relay {

/// The relay is never an open proxy: a connection accepted on one fabric must come from
/// a job node on that fabric and name a job node on the other fabric. The gateway's own
/// addresses are neither valid sources nor valid destinations, even if listed as peers.
class AccessPolicy {
public:
    /// `cluster_addr`/`booster_addr`: the gateway's own addresses; peers: the job's nodes.
    AccessPolicy(const boost::asio::ip::address& cluster_addr, const boost::asio::ip::address& booster_addr,
                 const std::vector<boost::asio::ip::address>& cluster_peers,
                 const std::vector<boost::asio::ip::address>& booster_peers);

    /// kOk, kSourceNotInJob or kDestNotInJob (the source is checked first). IPv4-mapped
    /// IPv6 addresses are compared as the IPv4 address they carry. Any destination port.
    contract::RelayStatus check(Fabric listener, const boost::asio::ip::address& source,
                                const boost::asio::ip::address& dest) const;

    /// The source half of check(): true if `source` may connect on `listener`'s fabric.
    /// Known at accept, so the relay can drop strangers before they cost a session.
    bool source_allowed(Fabric listener, const boost::asio::ip::address& source) const {
        return is_peer(listener, source);
    }

private:
    /// True if `addr` is a job node on `fabric` and not the gateway itself.
    bool is_peer(Fabric fabric, const boost::asio::ip::address& addr) const;

    std::set<boost::asio::ip::address> own_;            ///< the gateway's addresses
    std::set<boost::asio::ip::address> cluster_peers_;  ///< normalised cluster-side nodes
    std::set<boost::asio::ip::address> booster_peers_;  ///< normalised booster-side nodes
};

}  // namespace psgw::relay
