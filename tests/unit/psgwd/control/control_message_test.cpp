// Control protocol v1: request validation (one test per bad field), framing limits, replies.
#include "control/control_message.hpp"
#include "control/framing.hpp"

#include <psgw/contract.hpp>

#include <gtest/gtest.h>

namespace psgw::control {
namespace {

using nlohmann::json;

json good_start() {
    StartRequest request;
    request.job = 42;
    request.user = "alice";
    request.uid = 1000;
    request.gid = 1000;
    request.relays = 2;
    request.env = {"A=1", "B="};
    request.cluster_peers = {"10.78.0.11", "fe80::1"};
    request.booster_peers = {"10.79.0.21"};
    return to_json(request);
}

/// Expects parse_request to fail with a message naming `field`.
void expect_bad(const json& payload, const std::string& field) {
    try {
        parse_request(payload.dump());
        ADD_FAILURE() << "accepted: " << payload.dump();
    } catch (const MessageError& e) {
        EXPECT_NE(std::string(e.what()).find("'" + field + "'"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
        EXPECT_EQ(std::string(e.what()).rfind("psgw: ", 0), 0u) << e.what();
    }
}

TEST(ControlMessage, StartRoundTrip) {
    const auto request = std::get<StartRequest>(parse_request(good_start().dump()));
    EXPECT_EQ(request.job, 42u);
    EXPECT_EQ(request.user, "alice");
    EXPECT_EQ(request.relays, 2u);
    EXPECT_EQ(request.env.size(), 2u);
    EXPECT_EQ(to_json(request), good_start());
}

TEST(ControlMessage, StopAndList) {
    EXPECT_EQ(std::get<StopRequest>(parse_request(R"({"v":2,"op":"stop","job":7})")).job, 7u);
    EXPECT_TRUE(std::holds_alternative<ListRequest>(parse_request(R"({"v":2,"op":"list"})")));
    expect_bad(json{{"v", 2}, {"op", "stop"}}, "job");
    expect_bad(json{{"v", 2}, {"op", "stop"}, {"job", 0}}, "job");
}

TEST(ControlMessage, IncarnationRoundTripsInStartAndStop) {
    auto payload = good_start();
    payload["incarnation"] = 0xfedcba9876543210ull;
    const auto start = std::get<StartRequest>(parse_request(payload.dump()));
    EXPECT_EQ(start.incarnation, 0xfedcba9876543210ull);
    EXPECT_EQ(to_json(start), payload);
    const StopRequest stop{7, 0xfedcba9876543210ull};
    const auto parsed = std::get<StopRequest>(parse_request(to_json(stop).dump()));
    EXPECT_EQ(parsed.job, 7u);
    EXPECT_EQ(parsed.incarnation, 0xfedcba9876543210ull);
    // Older peers send none: 0, "unknown".
    payload.erase("incarnation");
    EXPECT_EQ(std::get<StartRequest>(parse_request(payload.dump())).incarnation, 0u);
    EXPECT_EQ(std::get<StopRequest>(parse_request(R"({"v":2,"op":"stop","job":7})")).incarnation, 0u);
    expect_bad(json{{"v", 2}, {"op", "stop"}, {"job", 7}, {"incarnation", -1}}, "incarnation");
    expect_bad(json{{"v", 2}, {"op", "stop"}, {"job", 7}, {"incarnation", "1"}}, "incarnation");
}

TEST(ControlMessage, IncarnationsMatchWhenEqualOrUnknown) {
    EXPECT_TRUE(incarnation_matches(5, 5));
    EXPECT_TRUE(incarnation_matches(0, 5));
    EXPECT_TRUE(incarnation_matches(5, 0));
    EXPECT_FALSE(incarnation_matches(5, 6));
}

// Found by tests/fuzz/control_message_fuzz: nlohmann throws out_of_range, not
// parse_error, for a number it cannot hold; it escaped as a foreign exception.
TEST(ControlMessage, NumberOverflowIsNotValidJson) {
    const auto message_of = [](auto parse) -> std::string {
        try {
            parse();
        } catch (const MessageError& e) {
            return e.what();
        }
        return "accepted";
    };
    EXPECT_EQ(message_of([] { parse_request(R"({"v":2,"op":"stop","job":99000000e01330575735})"); }),
              "psgw: control request: not valid JSON");
    EXPECT_EQ(message_of([] { parse_reply(R"({"v":1e999999})"); }), "psgw: reply is not valid JSON");
}

TEST(ControlMessage, RejectsBadVersionAndOp) {
    auto payload = good_start();
    payload["v"] = 1;  // v1 (unsigned replies) is gone
    expect_bad(payload, "v");
    payload.erase("v");
    expect_bad(payload, "v");
    payload = good_start();
    payload["op"] = "reboot";
    expect_bad(payload, "op");
    EXPECT_THROW(parse_request("not json"), MessageError);
    EXPECT_THROW(parse_request("[1,2]"), MessageError);
}

TEST(ControlMessage, RejectsEachBadStartField) {
    const std::vector<std::pair<std::string, json>> cases = {
        {"job", 0},
        {"job", -1},
        {"job", "42"},
        {"job", 4294967296ull},
        {"user", ""},
        {"user", "al ice"},
        {"user", "-rf"},
        {"user", "a;b"},
        {"user", std::string(40, 'a')},
        {"uid", 0},
        {"uid", -5},
        {"uid", 4294967295ull},
        {"gid", "x"},
        {"relays", 0},
        {"relays", 33},
        {"env", json::array({"NOEQUALS"})},
        {"env", json::array({"1BAD=x"})},
        {"env", json::array({"A B=x"})},
        {"env", "A=1"},
        {"env", json::array({1})},
        {"debug", "yes"},
        {"binary", "relative/psgwd"},
        {"cwd", "relative"},
        {"cluster_peers", json::array({"cluster01"})},
        {"cluster_peers", json::array({"10.0.0.256"})},
        {"booster_peers", json::array({"10.0.0.1:80"})},
        {"booster_peers", "10.0.0.1"},
        {"incarnation", -1},
        {"incarnation", "1"},
        {"incarnation", 1.5},
    };
    for (const auto& [field, value] : cases) {
        auto payload = good_start();
        payload[field] = value;
        SCOPED_TRACE(field + " = " + value.dump());
        expect_bad(payload, field);
    }
    for (const char* required : {"job", "user", "uid", "gid", "relays"}) {
        auto payload = good_start();
        payload.erase(required);
        SCOPED_TRACE(std::string("missing ") + required);
        expect_bad(payload, required);
    }
}

TEST(ControlMessage, EnvValuesAreNeverInterpreted) {
    auto payload = good_start();
    payload["env"] = json::array({"X=$(touch /tmp/pwned); `id`", "Y=a b 'c'"});
    const auto request = std::get<StartRequest>(parse_request(payload.dump()));
    EXPECT_EQ(request.env[0], "X=$(touch /tmp/pwned); `id`");
}

TEST(ControlMessage, PeerLimit) {
    auto payload = good_start();
    payload["cluster_peers"] = json::array();
    payload["booster_peers"] = json::array();
    for (std::size_t i = 0; i < kMaxPeers / 2; ++i) payload["cluster_peers"].push_back("10.0.0.1");
    for (std::size_t i = 0; i < kMaxPeers / 2; ++i) payload["booster_peers"].push_back("10.0.0.2");
    EXPECT_NO_THROW(parse_request(payload.dump()));
    payload["booster_peers"].push_back("10.0.0.3");
    expect_bad(payload, "cluster_peers");
}

/// The error text parse_reply() throws for a refusal.
std::string parse_reply_error(const std::string& body) {
    try {
        parse_reply(body);
    } catch (const MessageError& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(ControlMessage, Replies) {
    EXPECT_THROW(
        {
            try {
                parse_reply(error_reply("not authorized: uid 5").dump());
            } catch (const MessageError& e) {
                EXPECT_STREQ(e.what(), "not authorized: uid 5");
                throw;
            }
        },
        MessageError);
    EXPECT_THROW(parse_reply(R"({"v":1,"ok":true})"), MessageError);
    EXPECT_THROW(parse_reply(R"({"v":2})"), MessageError);
    EXPECT_THROW(parse_reply("garbage"), MessageError);

    StartReply reply{"10.78.0.101", "10.79.0.101", {{41000, 123}, {41001, 124}}};
    const auto parsed = parse_start_reply(parse_reply(to_json(reply).dump()));
    EXPECT_EQ(parsed.cluster_addr, "10.78.0.101");
    ASSERT_EQ(parsed.relays.size(), 2u);
    EXPECT_EQ(parsed.relays[1].port, 41001);
    EXPECT_EQ(parsed.relays[1].pid, 124);
    EXPECT_THROW(parse_start_reply(parse_reply(R"({"v":2,"ok":true,"relays":[]})")), MessageError);
}

// A child's stderr quoted in an error may be any bytes: encoding must not throw.
TEST(ControlMessage, ReplyTextReplacesBytesThatAreNotUtf8) {
    const std::string text = reply_text(error_reply("psgw: relay said bad \xff byte"));
    EXPECT_NE(text.find("bad \xEF\xBF\xBD byte"), std::string::npos) << text;
    EXPECT_EQ(parse_reply_error(text), "psgw: relay said bad \xEF\xBF\xBD byte");
}

TEST(Framing, HeaderIsBigEndianAndBounded) {
    const auto header = encode_frame_header(0x01020304 & 0x3FFFFF);
    EXPECT_EQ(decode_frame_header(header), 0x01020304u & 0x3FFFFF);
    EXPECT_EQ(encode_frame("abc"), std::string("\0\0\0\3abc", 7));
    EXPECT_THROW(encode_frame(""), FrameError);
    EXPECT_THROW(encode_frame_header(contract::kMaxControlMessage + 1), FrameError);
    EXPECT_NO_THROW(encode_frame_header(contract::kMaxControlMessage));
    EXPECT_THROW(decode_frame_header({0, 0, 0, 0}), FrameError);
    EXPECT_THROW(decode_frame_header({0xff, 0xff, 0xff, 0xff}), FrameError);
    EXPECT_THROW(decode_frame_header({0x00, 0x40, 0x00, 0x01}), FrameError);  // 4 MiB + 1
}

}  // namespace
}  // namespace psgw::control
