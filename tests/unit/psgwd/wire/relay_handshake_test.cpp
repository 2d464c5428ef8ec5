// Relay handshake v1 codec: round trips and every malformed input.
#include "wire/relay_handshake.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace {

using psgw::contract::RelayStatus;
using namespace psgw::wire;

sockaddr_storage v4(const char* addr, std::uint16_t port) {
    sockaddr_storage ss{};
    auto& in4 = reinterpret_cast<sockaddr_in&>(ss);
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    EXPECT_EQ(inet_pton(AF_INET, addr, &in4.sin_addr), 1);
    return ss;
}

sockaddr_storage v6(const char* addr, std::uint16_t port) {
    sockaddr_storage ss{};
    auto& in6 = reinterpret_cast<sockaddr_in6&>(ss);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    EXPECT_EQ(inet_pton(AF_INET6, addr, &in6.sin6_addr), 1);
    return ss;
}

constexpr RelayStatus kAllStatuses[] = {
    RelayStatus::kOk,
    RelayStatus::kBadVersion,
    RelayStatus::kMalformed,
    RelayStatus::kSourceNotInJob,
    RelayStatus::kDestNotInJob,
    RelayStatus::kConnectRefused,
    RelayStatus::kConnectTimeout,
    RelayStatus::kUnreachable,
    RelayStatus::kOverloaded,
};

TEST(RelayHandshake, HelloIpv4LayoutIsBigEndianAndPadded) {
    const HelloBytes hello = encode_hello(v4("10.79.0.21", 0x1234));
    const std::uint8_t expected[24] = {'P', 'S', 'G', 'W', 1, 4, 0x12, 0x34, 10, 79, 0, 21};
    EXPECT_EQ(std::memcmp(hello.data(), expected, sizeof(expected)), 0);
}

TEST(RelayHandshake, HelloIpv4RoundTrip) {
    const auto decoded = decode_hello(encode_hello(v4("10.78.0.11", 41000)));
    ASSERT_TRUE(decoded.has_value());
    const auto& in4 = reinterpret_cast<const sockaddr_in&>(*decoded);
    EXPECT_EQ(in4.sin_family, AF_INET);
    EXPECT_EQ(ntohs(in4.sin_port), 41000);
    EXPECT_EQ(ntohl(in4.sin_addr.s_addr), 0x0a4e000bu);
}

TEST(RelayHandshake, HelloIpv6RoundTrip) {
    const auto original = v6("fd00::79:0:21", 65535);
    const auto decoded = decode_hello(encode_hello(original));
    ASSERT_TRUE(decoded.has_value());
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(*decoded);
    EXPECT_EQ(in6.sin6_family, AF_INET6);
    EXPECT_EQ(ntohs(in6.sin6_port), 65535);
    EXPECT_EQ(std::memcmp(&in6.sin6_addr, &reinterpret_cast<const sockaddr_in6&>(original).sin6_addr, 16), 0);
}

TEST(RelayHandshake, EncodeHelloRejectsUnsupportedDestinations) {
    sockaddr_storage unix_addr{};
    unix_addr.ss_family = AF_UNIX;
    EXPECT_FALSE(can_encode_hello(unix_addr));
    EXPECT_THROW(encode_hello(unix_addr), std::invalid_argument);
    EXPECT_FALSE(can_encode_hello(v4("10.0.0.1", 0)));
    EXPECT_THROW(encode_hello(v6("::1", 0)), std::invalid_argument);
}

TEST(RelayHandshake, EveryTruncationIsMalformed) {
    const HelloBytes hello = encode_hello(v4("10.78.0.11", 80));
    for (std::size_t n = 0; n < hello.size(); ++n) {
        const auto decoded = decode_hello(std::span(hello.data(), n));
        ASSERT_FALSE(decoded.has_value()) << n;
        EXPECT_EQ(decoded.error(), RelayStatus::kMalformed) << n;
    }
    std::vector<std::uint8_t> longer(hello.begin(), hello.end());
    longer.push_back(0);
    EXPECT_EQ(decode_hello(longer).error(), RelayStatus::kMalformed);
}

TEST(RelayHandshake, EveryMagicByteIsChecked) {
    for (std::size_t i = 0; i < 4; ++i) {
        HelloBytes hello = encode_hello(v4("10.78.0.11", 80));
        hello[i] ^= 0x20;  // "psgw" in lower case is not the magic either
        const auto decoded = decode_hello(hello);
        ASSERT_FALSE(decoded.has_value()) << i;
        EXPECT_EQ(decoded.error(), RelayStatus::kBadVersion) << i;
    }
}

TEST(RelayHandshake, OtherVersionsAreRejected) {
    for (std::uint8_t version : {0, 2, 255}) {
        HelloBytes hello = encode_hello(v4("10.78.0.11", 80));
        hello[4] = version;
        EXPECT_EQ(decode_hello(hello).error(), RelayStatus::kBadVersion) << int(version);
    }
}

TEST(RelayHandshake, UnknownFamilyIsMalformed) {
    for (std::uint8_t family : {0, 2, 5, 10, 255}) {
        HelloBytes hello = encode_hello(v4("10.78.0.11", 80));
        hello[5] = family;
        EXPECT_EQ(decode_hello(hello).error(), RelayStatus::kMalformed) << int(family);
    }
}

TEST(RelayHandshake, NonZeroIpv4PaddingIsMalformed) {
    for (std::size_t i = 12; i < 24; ++i) {
        HelloBytes hello = encode_hello(v4("10.78.0.11", 80));
        hello[i] = 1;
        EXPECT_EQ(decode_hello(hello).error(), RelayStatus::kMalformed) << i;
    }
}

TEST(RelayHandshake, PortZeroIsMalformed) {
    HelloBytes hello = encode_hello(v4("10.78.0.11", 80));
    hello[6] = 0;
    hello[7] = 0;
    EXPECT_EQ(decode_hello(hello).error(), RelayStatus::kMalformed);
}

TEST(RelayHandshake, ReplyRoundTripsEveryStatus) {
    for (RelayStatus status : kAllStatuses) {
        const ReplyBytes reply = encode_reply(status);
        const std::uint8_t expected[8] = {'P', 'S', 'G', 'W', 1, static_cast<std::uint8_t>(status), 0, 0};
        EXPECT_EQ(std::memcmp(reply.data(), expected, 8), 0);
        const auto decoded = decode_reply(reply);
        ASSERT_TRUE(decoded.has_value());
        EXPECT_EQ(*decoded, status);
    }
}

TEST(RelayHandshake, MalformedRepliesAreRejected) {
    const ReplyBytes good = encode_reply(RelayStatus::kOk);
    for (std::size_t n = 0; n < good.size(); ++n) {
        EXPECT_EQ(decode_reply(std::span(good.data(), n)).error(), RelayStatus::kMalformed) << n;
    }
    ReplyBytes bad_magic = good;
    bad_magic[0] = 'X';
    EXPECT_EQ(decode_reply(bad_magic).error(), RelayStatus::kBadVersion);
    ReplyBytes bad_version = good;
    bad_version[4] = 2;
    EXPECT_EQ(decode_reply(bad_version).error(), RelayStatus::kBadVersion);
    ReplyBytes unknown_status = good;
    unknown_status[5] = 9;
    EXPECT_EQ(decode_reply(unknown_status).error(), RelayStatus::kMalformed);
    for (std::size_t i : {6, 7}) {
        ReplyBytes reserved = good;
        reserved[i] = 1;
        EXPECT_EQ(decode_reply(reserved).error(), RelayStatus::kMalformed) << i;
    }
}

TEST(RelayHandshake, StatusesMapToErrnoAndReason) {
    EXPECT_EQ(status_to_errno(RelayStatus::kOk), 0);
    EXPECT_EQ(status_to_errno(RelayStatus::kConnectRefused), ECONNREFUSED);
    EXPECT_EQ(status_to_errno(RelayStatus::kConnectTimeout), ETIMEDOUT);
    EXPECT_EQ(status_to_errno(RelayStatus::kSourceNotInJob), EACCES);
    EXPECT_EQ(status_to_errno(RelayStatus::kDestNotInJob), EACCES);
    EXPECT_EQ(status_to_errno(RelayStatus::kUnreachable), ENETUNREACH);
    EXPECT_EQ(status_to_errno(RelayStatus::kOverloaded), ECONNREFUSED);
    EXPECT_EQ(status_to_errno(RelayStatus::kBadVersion), EPROTO);
    EXPECT_EQ(status_to_errno(RelayStatus::kMalformed), EPROTO);
    EXPECT_EQ(status_to_errno(static_cast<RelayStatus>(200)), EPROTO);
    for (RelayStatus status : kAllStatuses) EXPECT_FALSE(to_string(status).empty());
    EXPECT_EQ(to_string(static_cast<RelayStatus>(200)), "unknown relay status");
}

}  // namespace
