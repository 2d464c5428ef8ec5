#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psgw::client {

/// An IPv4 or IPv6 address as a small value (no port). IPv4-mapped IPv6 addresses
/// are normalised to IPv4 so that a v6 socket connecting to ::ffff:a.b.c.d matches
/// a routing file that names a.b.c.d.
struct IpAddress {
    std::uint8_t family = 0;               ///< AF_INET or AF_INET6 (0: empty)
    std::array<std::uint8_t, 16> bytes{};  ///< network order; IPv4 uses the first 4

    /// Parses a numeric address ("10.0.0.1", "fe80::1"); nullopt if it is not one.
    static std::optional<IpAddress> parse(std::string_view text);
    /// Extracts the address of an AF_INET/AF_INET6 sockaddr; nullopt otherwise.
    static std::optional<IpAddress> from_sockaddr(const sockaddr* sa, socklen_t len);
    /// Numeric text form.
    std::string to_string() const;
    /// Builds a sockaddr for this address and `port` (host order); returns its length.
    socklen_t to_sockaddr(std::uint16_t port, sockaddr_storage& out) const;

    bool operator==(const IpAddress&) const = default;
};

/// The port (host order) of an AF_INET/AF_INET6 sockaddr, 0 otherwise.
std::uint16_t sockaddr_port(const sockaddr* sa, socklen_t len);

/// Hash of an address, for unordered containers.
struct IpAddressHash {
    /// FNV-1a over family and the used bytes.
    std::size_t operator()(const IpAddress& a) const noexcept;
};

}  // namespace psgw::client
