// parse_relay_config: defaults, and one clear line for every kind of bad input.
#include "relay/relay_config.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using psgw::relay::parse_relay_config;
using psgw::relay::RelayConfigError;

json valid() {
    return json::parse(R"({"job":7,"cluster_addr":"10.78.0.101","booster_addr":"10.79.0.101",
        "ports":{"first":41000,"last":41999},"cluster_peers":["10.78.0.11","10.78.0.12"],
        "booster_peers":["10.79.0.21"]})");
}

// The error text for `config`, or "" if it was accepted.
std::string error_of(const std::string& text) {
    try {
        parse_relay_config(text);
    } catch (const RelayConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(RelayConfig, MinimalConfigGetsDefaults) {
    const auto cfg = parse_relay_config(valid().dump());
    EXPECT_EQ(cfg.job, 7u);
    EXPECT_EQ(cfg.cluster_addr.to_string(), "10.78.0.101");
    EXPECT_EQ(cfg.port_first, 41000);
    EXPECT_EQ(cfg.port_last, 41999);
    EXPECT_EQ(cfg.cluster_peers.size(), 2u);
    EXPECT_EQ(cfg.handshake_timeout.count(), 5000);
    EXPECT_EQ(cfg.connect_timeout.count(), 5000);
    EXPECT_EQ(cfg.max_connections, 4096u);
    EXPECT_EQ(cfg.pipe_size, 1048576u);
    EXPECT_EQ(cfg.keepalive.count(), 60);
    EXPECT_TRUE(cfg.stats_file.empty());
    EXPECT_EQ(cfg.log_level, "info");
}

TEST(RelayConfig, AllKeys) {
    json j = valid();
    j["handshake_timeout_ms"] = 100;
    j["connect_timeout_ms"] = 200;
    j["max_connections"] = 3;
    j["pipe_size"] = 65536;
    j["keepalive_s"] = 0;
    j["stats_file"] = "/tmp/x.json";
    j["log_level"] = "debug";
    const auto cfg = parse_relay_config(j.dump());
    EXPECT_EQ(cfg.handshake_timeout.count(), 100);
    EXPECT_EQ(cfg.connect_timeout.count(), 200);
    EXPECT_EQ(cfg.max_connections, 3u);
    EXPECT_EQ(cfg.pipe_size, 65536u);
    EXPECT_EQ(cfg.keepalive.count(), 0);
    EXPECT_EQ(cfg.stats_file, "/tmp/x.json");
    EXPECT_EQ(cfg.log_level, "debug");
}

struct BadCase {
    const char* name;
    std::function<void(json&)> mutate;
    const char* key_in_message;
};

// A number nlohmann cannot hold throws out_of_range, not parse_error (found by
// tests/fuzz/control_message_fuzz in the control protocol's parser).
TEST(RelayConfig, NumberOverflowIsNotValidJson) {
    EXPECT_EQ(error_of(R"({"job":1e999999})").rfind("psgw: relay config: not valid JSON: ", 0), 0u);
}

TEST(RelayConfig, EveryBadInputIsOneLineNamingTheKey) {
    const std::vector<BadCase> cases = {
        {"missing job", [](json& j) { j.erase("job"); }, "\"job\""},
        {"job zero", [](json& j) { j["job"] = 0; }, "\"job\""},
        {"job negative", [](json& j) { j["job"] = -1; }, "\"job\""},
        {"job string", [](json& j) { j["job"] = "7"; }, "\"job\""},
        {"job float", [](json& j) { j["job"] = 7.0; }, "\"job\""},
        {"job too big", [](json& j) { j["job"] = 4294967296ULL; }, "\"job\""},
        {"unknown key", [](json& j) { j["jobid"] = 1; }, "\"jobid\""},
        {"keepalive too long", [](json& j) { j["keepalive_s"] = 86401; }, "\"keepalive_s\""},
        {"bad address", [](json& j) { j["cluster_addr"] = "10.78.0.300"; }, "\"cluster_addr\""},
        {"host name", [](json& j) { j["booster_addr"] = "gw01"; }, "\"booster_addr\""},
        {"unspecified", [](json& j) { j["booster_addr"] = "0.0.0.0"; }, "\"booster_addr\""},
        {"same address", [](json& j) { j["booster_addr"] = "10.78.0.101"; }, "\"booster_addr\""},
        {"ports not object", [](json& j) { j["ports"] = "41000-41999"; }, "\"ports\""},
        {"ports missing last", [](json& j) { j["ports"].erase("last"); }, "\"last\""},
        {"ports extra key", [](json& j) { j["ports"]["step"] = 1; }, "\"ports.step\""},
        {"port zero", [](json& j) { j["ports"]["first"] = 0; }, "\"ports.first\""},
        {"port too big", [](json& j) { j["ports"]["last"] = 65536; }, "\"ports.last\""},
        {"ports reversed", [](json& j) { j["ports"]["first"] = 42000; }, "\"ports.last\""},
        {"peers empty", [](json& j) { j["cluster_peers"] = json::array(); }, "\"cluster_peers\""},
        {"peers not array", [](json& j) { j["booster_peers"] = "10.79.0.21"; }, "\"booster_peers\""},
        {"bad peer", [](json& j) { j["booster_peers"].push_back("booster01"); }, "\"booster_peers[1]\""},
        {"timeout zero", [](json& j) { j["handshake_timeout_ms"] = 0; }, "\"handshake_timeout_ms\""},
        {"timeout huge", [](json& j) { j["connect_timeout_ms"] = 3600001; }, "\"connect_timeout_ms\""},
        {"max zero", [](json& j) { j["max_connections"] = 0; }, "\"max_connections\""},
        {"pipe tiny", [](json& j) { j["pipe_size"] = 100; }, "\"pipe_size\""},
        {"stats relative", [](json& j) { j["stats_file"] = "stats.json"; }, "\"stats_file\""},
        {"stats empty", [](json& j) { j["stats_file"] = ""; }, "\"stats_file\""},
        {"log level", [](json& j) { j["log_level"] = "verbose"; }, "\"log_level\""},
    };
    for (const auto& c : cases) {
        json j = valid();
        c.mutate(j);
        const std::string err = error_of(j.dump());
        ASSERT_FALSE(err.empty()) << c.name;
        EXPECT_EQ(err.rfind("psgw: relay config: ", 0), 0u) << c.name << ": " << err;
        EXPECT_NE(err.find(c.key_in_message), std::string::npos) << c.name << ": " << err;
        EXPECT_EQ(err.find('\n'), std::string::npos) << c.name << ": " << err;
    }
}

TEST(RelayConfig, NotJsonOrNotAnObject) {
    for (const char* text : {"", "{", "{\"job\":1,}", "[]", "42", "{} {}", "{\"job\":7}\ngarbage"}) {
        const std::string err = error_of(text);
        ASSERT_FALSE(err.empty()) << text;
        EXPECT_EQ(err.rfind("psgw: relay config: ", 0), 0u) << err;
        EXPECT_EQ(err.find('\n'), std::string::npos) << err;
    }
}

}  // namespace
