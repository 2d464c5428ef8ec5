#pragma once

#include "ip_address.hpp"

#include <string_view>
#include <vector>

namespace psgw::client {

/// Parses "ADDR[,ADDR...]" (blanks around entries allowed). Throws RoutingError
/// naming PSGW_LOCAL_ADDRESSES and the bad entry.
std::vector<IpAddress> parse_address_list(std::string_view csv);

/// This node's addresses: PSGW_LOCAL_ADDRESSES if set, else every IPv4/IPv6 address
/// of every interface (getifaddrs). Throws RoutingError on a bad override or when
/// getifaddrs fails.
std::vector<IpAddress> local_addresses();

}  // namespace psgw::client
