#include "ip_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace psgw::client {
namespace {

constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

IpAddress from_in6(const in6_addr& a6) {
    IpAddress out;
    if (std::memcmp(a6.s6_addr, kMappedPrefix, sizeof kMappedPrefix) == 0) {
        out.family = AF_INET;
        std::memcpy(out.bytes.data(), a6.s6_addr + 12, 4);
    } else {
        out.family = AF_INET6;
        std::memcpy(out.bytes.data(), a6.s6_addr, 16);
    }
    return out;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // inet_pton needs a terminated string; anything longer than an IPv6 text is invalid.
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    IpAddress out;
    in_addr a4{};
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        out.family = AF_INET;
        std::memcpy(out.bytes.data(), &a4, 4);
        return out;
    }
    in6_addr a6{};
    if (inet_pton(AF_INET6, buf, &a6) == 1) return from_in6(a6);
    return std::nullopt;
}

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr* sa, socklen_t len) {
    if (sa == nullptr) return std::nullopt;
    if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        sockaddr_in in4{};
        std::memcpy(&in4, sa, sizeof in4);
        IpAddress out;
        out.family = AF_INET;
        std::memcpy(out.bytes.data(), &in4.sin_addr, 4);
        return out;
    }
    if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        sockaddr_in6 in6{};
        std::memcpy(&in6, sa, sizeof in6);
        return from_in6(in6.sin6_addr);
    }
    return std::nullopt;
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN] = "";
    if (family == AF_INET || family == AF_INET6) inet_ntop(family, bytes.data(), buf, sizeof buf);
    return buf;
}

socklen_t IpAddress::to_sockaddr(std::uint16_t port, sockaddr_storage& out) const {
    std::memset(&out, 0, sizeof out);
    if (family == AF_INET) {
        sockaddr_in in4{};
        in4.sin_family = AF_INET;
        in4.sin_port = htons(port);
        std::memcpy(&in4.sin_addr, bytes.data(), 4);
        std::memcpy(&out, &in4, sizeof in4);
        return sizeof in4;
    }
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&in6.sin6_addr, bytes.data(), 16);
    std::memcpy(&out, &in6, sizeof in6);
    return sizeof in6;
}

std::uint16_t sockaddr_port(const sockaddr* sa, socklen_t len) {
    if (sa == nullptr) return 0;
    if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        sockaddr_in in4{};
        std::memcpy(&in4, sa, sizeof in4);
        return ntohs(in4.sin_port);
    }
    if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        sockaddr_in6 in6{};
        std::memcpy(&in6, sa, sizeof in6);
        return ntohs(in6.sin6_port);
    }
    return 0;
}

std::size_t IpAddressHash::operator()(const IpAddress& a) const noexcept {
    std::size_t h = 1469598103934665603ull;
    auto mix = [&h](std::uint8_t b) { h = (h ^ b) * 1099511628211ull; };
    mix(a.family);
    const std::size_t n = a.family == AF_INET ? 4 : 16;
    for (std::size_t i = 0; i < n; ++i) mix(a.bytes[i]);
    return h;
}

}  // namespace psgw::client
