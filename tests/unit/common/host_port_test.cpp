#include "posix/host_port.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace psgw::posix {
namespace {

using E = HostPortError;

struct Case {
    std::string text;
    HostPortRules rules;
    E error;
    std::string host = {};
    std::optional<std::uint16_t> port = std::nullopt;
};

constexpr HostPortRules kStrict{};  // relay endpoints: port required, IPv6 bracketed
constexpr HostPortRules kListen{.port_optional = true, .ipv6 = Ipv6Form::kBareWithoutPort};
constexpr HostPortRules kLenient{.ipv6 = Ipv6Form::kLastColon};
constexpr HostPortRules kIp{.ip_literal = true};
constexpr HostPortRules kZero{.port_zero = true};

TEST(HostPort, Grammar) {
    const std::vector<Case> cases = {
        {"10.0.0.1:40000", kStrict, E::kNone, "10.0.0.1", 40000},
        {"gw01:1", kStrict, E::kNone, "gw01", 1},
        {"[fe80::1]:65535", kStrict, E::kNone, "fe80::1", 65535},
        {"10.0.0.1", kStrict, E::kMissingPort, "10.0.0.1"},
        {"fe80::1:80", kStrict, E::kUnbracketedIpv6},
        {"[fe80::1]", kStrict, E::kBadBrackets},
        {"[fe80::1:80", kStrict, E::kBadBrackets},
        {"[fe80::1]x80", kStrict, E::kBadBrackets},
        {":80", kStrict, E::kBadHost},
        {"[]:80", kStrict, E::kBadHost},
        {"a b:80", kStrict, E::kBadHost},
        {"a]b:80", kStrict, E::kBadHost},
        {"h:", kStrict, E::kBadPort, "h"},
        {"h:0", kStrict, E::kBadPort},
        {"h:65536", kStrict, E::kBadPort},
        {"h:+80", kStrict, E::kBadPort},
        {"h:-1", kStrict, E::kBadPort},
        {"h:0x50", kStrict, E::kBadPort},
        {"h:80 ", kStrict, E::kBadPort},
        {"h:0", kZero, E::kNone, "h", 0},
        {"", kStrict, E::kMissingPort},
        // Optional port, bare IPv6 without a port.
        {"10.0.0.1", kListen, E::kNone, "10.0.0.1", std::nullopt},
        {"10.0.0.1:7", kListen, E::kNone, "10.0.0.1", 7},
        {"::", kListen, E::kNone, "::", std::nullopt},
        {"fe80::1", kListen, E::kNone, "fe80::1", std::nullopt},
        {"[fe80::1]", kListen, E::kNone, "fe80::1", std::nullopt},
        {"[fe80::1]:7", kListen, E::kNone, "fe80::1", 7},
        {"[fe80::1]x", kListen, E::kBadBrackets},
        {"", kListen, E::kBadHost},
        {"h:x", kListen, E::kBadPort},
        // Last-colon split for unbracketed IPv6 with a port.
        {"fe80::1:80", kLenient, E::kNone, "fe80::1", 80},
        {"[fe80::1]:80", kLenient, E::kNone, "fe80::1", 80},
        {"host:80", kLenient, E::kNone, "host", 80},
        // IP literal required.
        {"10.0.0.1:80", kIp, E::kNone, "10.0.0.1", 80},
        {"[::1]:80", kIp, E::kNone, "::1", 80},
        {"gw01:80", kIp, E::kBadHost, "gw01"},
        {"10.0.0.256:80", kIp, E::kBadHost},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE("'" + c.text + "'");
        const HostPort got = parse_host_port(c.text, c.rules);
        EXPECT_EQ(got.error, c.error);
        EXPECT_EQ(static_cast<bool>(got), c.error == E::kNone);
        if (c.error == E::kNone || !c.host.empty()) {
            EXPECT_EQ(got.host, c.host);
        }
        if (c.error == E::kNone) {
            EXPECT_EQ(got.port, c.port);
        }
    }
}

TEST(HostPort, PortTextKeptForMessages) { EXPECT_EQ(parse_host_port("h:99999", kStrict).port_text, "99999"); }

TEST(HostPort, FormatBracketsIpv6AndRoundTrips) {
    EXPECT_EQ(format_host_port("10.0.0.1", 40000), "10.0.0.1:40000");
    EXPECT_EQ(format_host_port("fe80::1", 7), "[fe80::1]:7");
    EXPECT_EQ(format_host_port("gw01", 1), "gw01:1");
    for (const std::string text : {"10.0.0.1:40000", "[fe80::1]:7", "gw01:1"}) {
        const HostPort parsed = parse_host_port(text, kStrict);
        ASSERT_TRUE(parsed) << text;
        EXPECT_EQ(format_host_port(parsed.host, *parsed.port), text);
    }
}

TEST(HostPort, IpLiteral) {
    EXPECT_TRUE(is_ip_literal("127.0.0.1"));
    EXPECT_TRUE(is_ip_literal("::ffff:10.0.0.1"));
    EXPECT_FALSE(is_ip_literal("localhost"));
    EXPECT_FALSE(is_ip_literal(""));
    EXPECT_FALSE(is_ip_literal("1.2.3"));
}

}  // namespace
}  // namespace psgw::posix
