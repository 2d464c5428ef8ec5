#include "wire/relay_handshake.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace psgw::wire {

namespace {

using contract::RelayStatus;

constexpr std::size_t kMagicSize = sizeof(contract::kRelayMagic);
// Hello field offsets (contract.hpp).
constexpr std::size_t kHelloVersion = 4;
constexpr std::size_t kHelloFamily = 5;
constexpr std::size_t kHelloPort = 6;
constexpr std::size_t kHelloAddr = 8;
constexpr std::size_t kAddrBytes = 16;
// Reply field offsets.
constexpr std::size_t kReplyVersion = 4;
constexpr std::size_t kReplyStatus = 5;
constexpr std::size_t kReplyReserved = 6;

constexpr std::uint8_t kFamilyV4 = 4;
constexpr std::uint8_t kFamilyV6 = 6;

bool magic_ok(std::span<const std::uint8_t> bytes) noexcept {
    return std::memcmp(bytes.data(), contract::kRelayMagic, kMagicSize) == 0;
}

void put_magic(std::uint8_t* out) noexcept { std::memcpy(out, contract::kRelayMagic, kMagicSize); }

bool known_status(std::uint8_t value) noexcept {
    return value <= static_cast<std::uint8_t>(RelayStatus::kOverloaded);
}

}  // namespace

bool can_encode_hello(const sockaddr_storage& dest) noexcept {
    if (dest.ss_family == AF_INET) {
        return reinterpret_cast<const sockaddr_in&>(dest).sin_port != 0;
    }
    if (dest.ss_family == AF_INET6) {
        return reinterpret_cast<const sockaddr_in6&>(dest).sin6_port != 0;
    }
    return false;
}

HelloBytes encode_hello(const sockaddr_storage& dest) {
    if (!can_encode_hello(dest)) {
        throw std::invalid_argument("psgw: relay hello needs an IPv4/IPv6 destination with a port");
    }
    HelloBytes out{};
    put_magic(out.data());
    out[kHelloVersion] = contract::kRelayVersion;
    std::uint16_t port_be = 0;  // sockaddr ports are already big-endian: copy the bytes
    if (dest.ss_family == AF_INET) {
        const auto& in4 = reinterpret_cast<const sockaddr_in&>(dest);
        out[kHelloFamily] = kFamilyV4;
        port_be = in4.sin_port;
        std::memcpy(out.data() + kHelloAddr, &in4.sin_addr, sizeof(in4.sin_addr));
    } else {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(dest);
        out[kHelloFamily] = kFamilyV6;
        port_be = in6.sin6_port;
        std::memcpy(out.data() + kHelloAddr, &in6.sin6_addr, sizeof(in6.sin6_addr));
    }
    std::memcpy(out.data() + kHelloPort, &port_be, sizeof(port_be));
    return out;
}

Decoded<sockaddr_storage> decode_hello(std::span<const std::uint8_t> bytes) noexcept {
    using Result = Decoded<sockaddr_storage>;
    if (bytes.size() != contract::kRelayHelloSize) return Result::failure(RelayStatus::kMalformed);
    if (!magic_ok(bytes) || bytes[kHelloVersion] != contract::kRelayVersion) {
        return Result::failure(RelayStatus::kBadVersion);
    }
    std::uint16_t port_be = 0;
    std::memcpy(&port_be, bytes.data() + kHelloPort, sizeof(port_be));
    if (port_be == 0) return Result::failure(RelayStatus::kMalformed);

    sockaddr_storage dest{};
    const std::uint8_t* addr = bytes.data() + kHelloAddr;
    if (bytes[kHelloFamily] == kFamilyV4) {
        // The padding must be zero so that one destination has exactly one encoding.
        if (std::any_of(addr + 4, addr + kAddrBytes, [](std::uint8_t b) { return b != 0; })) {
            return Result::failure(RelayStatus::kMalformed);
        }
        auto& in4 = reinterpret_cast<sockaddr_in&>(dest);
        in4.sin_family = AF_INET;
        in4.sin_port = port_be;
        std::memcpy(&in4.sin_addr, addr, sizeof(in4.sin_addr));
    } else if (bytes[kHelloFamily] == kFamilyV6) {
        auto& in6 = reinterpret_cast<sockaddr_in6&>(dest);
        in6.sin6_family = AF_INET6;
        in6.sin6_port = port_be;
        std::memcpy(&in6.sin6_addr, addr, sizeof(in6.sin6_addr));
    } else {
        return Result::failure(RelayStatus::kMalformed);
    }
    return dest;
}

ReplyBytes encode_reply(RelayStatus status) noexcept {
    ReplyBytes out{};
    put_magic(out.data());
    out[kReplyVersion] = contract::kRelayVersion;
    out[kReplyStatus] = static_cast<std::uint8_t>(status);
    return out;  // reserved bytes stay zero
}

Decoded<RelayStatus> decode_reply(std::span<const std::uint8_t> bytes) noexcept {
    using Result = Decoded<RelayStatus>;
    if (bytes.size() != contract::kRelayReplySize) return Result::failure(RelayStatus::kMalformed);
    if (!magic_ok(bytes) || bytes[kReplyVersion] != contract::kRelayVersion) {
        return Result::failure(RelayStatus::kBadVersion);
    }
    if (bytes[kReplyReserved] != 0 || bytes[kReplyReserved + 1] != 0 || !known_status(bytes[kReplyStatus])) {
        return Result::failure(RelayStatus::kMalformed);
    }
    return static_cast<RelayStatus>(bytes[kReplyStatus]);
}

std::string_view to_string(RelayStatus status) noexcept {
    switch (status) {
        case RelayStatus::kOk:
            return "ok";
        case RelayStatus::kBadVersion:
            return "unknown handshake magic or version";
        case RelayStatus::kMalformed:
            return "malformed or truncated handshake";
        case RelayStatus::kSourceNotInJob:
            return "source is not a node of this job on this fabric";
        case RelayStatus::kDestNotInJob:
            return "destination is not a node of this job on the other fabric";
        case RelayStatus::kConnectRefused:
            return "destination refused the connection";
        case RelayStatus::kConnectTimeout:
            return "destination did not answer in time";
        case RelayStatus::kUnreachable:
            return "destination unreachable";
        case RelayStatus::kOverloaded:
            return "relay at its connection limit";
    }
    return "unknown relay status";
}

int status_to_errno(RelayStatus status) noexcept {
    switch (status) {
        case RelayStatus::kOk:
            return 0;
        case RelayStatus::kSourceNotInJob:
        case RelayStatus::kDestNotInJob:
            return EACCES;
        // Overloaded maps to ECONNREFUSED, not EAGAIN: a blocking TCP connect() never
        // reports EAGAIN, and applications already retry on a refused connection.
        case RelayStatus::kConnectRefused:
        case RelayStatus::kOverloaded:
            return ECONNREFUSED;
        case RelayStatus::kConnectTimeout:
            return ETIMEDOUT;
        case RelayStatus::kUnreachable:
            return ENETUNREACH;
        case RelayStatus::kBadVersion:
        case RelayStatus::kMalformed:
            return EPROTO;
    }
    return EPROTO;
}

}  // namespace psgw::wire
