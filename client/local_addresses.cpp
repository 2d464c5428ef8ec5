#include "local_addresses.hpp"

#include "routing_table.hpp"

#include <psgw/contract.hpp>

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace psgw::client {
namespace {

std::string_view trim(std::string_view s) {
    const std::size_t b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const std::size_t e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

void add_unique(std::vector<IpAddress>& out, const IpAddress& a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
}

}  // namespace

std::vector<IpAddress> parse_address_list(std::string_view csv) {
    std::vector<IpAddress> out;
    while (true) {
        const std::size_t comma = csv.find(',');
        const std::string_view entry = trim(csv.substr(0, comma));
        const auto addr = IpAddress::parse(entry);
        if (!addr) {
            throw RoutingError(std::string("psgw: ") + std::string(contract::kEnvLocalAddresses) + ": '" +
                               std::string(entry) + "' is not an IP address");
        }
        add_unique(out, *addr);
        if (comma == std::string_view::npos) break;
        csv.remove_prefix(comma + 1);
    }
    return out;
}

std::vector<IpAddress> local_addresses() {
    if (const char* env = std::getenv(contract::kEnvLocalAddresses.data()); env != nullptr && *env != '\0') {
        return parse_address_list(env);
    }
    ifaddrs* raw = nullptr;
    if (getifaddrs(&raw) != 0) {
        throw RoutingError(std::string("psgw: getifaddrs: ") + std::strerror(errno));
    }
    const std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> list(raw, &freeifaddrs);
    std::vector<IpAddress> out;
    for (const ifaddrs* it = raw; it != nullptr; it = it->ifa_next) {
        if (it->ifa_addr == nullptr) continue;
        const socklen_t len =
            it->ifa_addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
        if (const auto addr = IpAddress::from_sockaddr(it->ifa_addr, len)) add_unique(out, *addr);
    }
    return out;
}

}  // namespace psgw::client
