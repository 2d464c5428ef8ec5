#include "relay/relay_config.hpp"

#include <spdlog/common.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>

namespace psgw::relay {

namespace {

using nlohmann::json;
namespace ip = boost::asio::ip;

[[noreturn]] void fail(std::string_view key, std::string_view what) {
    throw RelayConfigError("psgw: relay config: \"" + std::string(key) + "\": " + std::string(what));
}

std::string shown(const json& value) {
    std::string text = value.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

// Integers must be JSON integers (not 5000.0, not "5000", not true) within [min, max].
std::uint64_t get_uint(const json& value, std::string_view key, std::uint64_t min, std::uint64_t max) {
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() < min || value.get<std::uint64_t>() > max) {
        fail(key, "expected an integer " + std::to_string(min) + "-" + std::to_string(max) + ", got " +
                      shown(value));
    }
    return value.get<std::uint64_t>();
}

ip::address get_address(const json& value, std::string_view key) {
    if (!value.is_string()) fail(key, "expected an IP address string, got " + shown(value));
    boost::system::error_code ec;
    ip::address addr = ip::make_address(value.get<std::string>(), ec);
    if (ec) fail(key, "not an IP address: " + shown(value));
    if (addr.is_unspecified() || addr.is_multicast()) fail(key, "not a unicast address: " + shown(value));
    return addr;
}

std::vector<ip::address> get_peers(const json& value, std::string_view key) {
    if (!value.is_array() || value.empty()) fail(key, "expected a non-empty array of IP addresses");
    std::vector<ip::address> peers;
    peers.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        peers.push_back(get_address(value[i], std::string(key) + "[" + std::to_string(i) + "]"));
    }
    return peers;
}

const json& required(const json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end()) fail(key, "missing");
    return *it;
}

}  // namespace

RelayConfig parse_relay_config(std::string_view json_text) {
    json root;
    try {
        root = json::parse(json_text);
    } catch (const json::exception& e) {
        // parse_error, or out_of_range for a number overflow; nlohmann's message is one
        // line ("[json.exception.parse_error.101] parse error at line 1...").
        throw RelayConfigError(std::string("psgw: relay config: not valid JSON: ") + e.what());
    }
    if (!root.is_object()) throw RelayConfigError("psgw: relay config: expected one JSON object");

    static const std::set<std::string> kKnown = {
        "job",           "cluster_addr",         "booster_addr",       "ports",           "cluster_peers",
        "booster_peers", "handshake_timeout_ms", "connect_timeout_ms", "max_connections", "pipe_size",
        "keepalive_s",   "stats_file",           "log_level"};
    for (const auto& [key, value] : root.items()) {
        if (!kKnown.contains(key)) fail(key, "unknown key");
    }

    constexpr std::uint64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();
    constexpr std::uint64_t kMaxTimeoutMs = 3600 * 1000;  // anything longer is a unit mistake
    RelayConfig cfg;
    cfg.job = static_cast<std::uint32_t>(get_uint(required(root, "job"), "job", 1, kMaxU32));
    cfg.cluster_addr = get_address(required(root, "cluster_addr"), "cluster_addr");
    cfg.booster_addr = get_address(required(root, "booster_addr"), "booster_addr");
    if (cfg.cluster_addr == cfg.booster_addr) fail("booster_addr", "must differ from cluster_addr");

    const json& ports = required(root, "ports");
    if (!ports.is_object()) fail("ports", "expected {\"first\":N,\"last\":M}, got " + shown(ports));
    for (const auto& [key, value] : ports.items()) {
        if (key != "first" && key != "last") fail("ports." + key, "unknown key");
    }
    cfg.port_first = static_cast<std::uint16_t>(get_uint(required(ports, "first"), "ports.first", 1, 65535));
    cfg.port_last = static_cast<std::uint16_t>(get_uint(required(ports, "last"), "ports.last", 1, 65535));
    if (cfg.port_last < cfg.port_first) fail("ports.last", "is below ports.first");

    cfg.cluster_peers = get_peers(required(root, "cluster_peers"), "cluster_peers");
    cfg.booster_peers = get_peers(required(root, "booster_peers"), "booster_peers");

    if (root.contains("handshake_timeout_ms")) {
        cfg.handshake_timeout = std::chrono::milliseconds(
            get_uint(root["handshake_timeout_ms"], "handshake_timeout_ms", 1, kMaxTimeoutMs));
    }
    if (root.contains("connect_timeout_ms")) {
        cfg.connect_timeout = std::chrono::milliseconds(
            get_uint(root["connect_timeout_ms"], "connect_timeout_ms", 1, kMaxTimeoutMs));
    }
    if (root.contains("max_connections")) {
        cfg.max_connections =
            static_cast<std::uint32_t>(get_uint(root["max_connections"], "max_connections", 1, 1u << 20));
    }
    if (root.contains("pipe_size")) {
        // The kernel rounds up to a power-of-two number of pages; 1 GiB is far above pipe-max-size.
        cfg.pipe_size = static_cast<std::uint32_t>(get_uint(root["pipe_size"], "pipe_size", 4096, 1u << 30));
    }
    if (root.contains("keepalive_s")) {
        cfg.keepalive = std::chrono::seconds(get_uint(root["keepalive_s"], "keepalive_s", 0, 86400));
    }
    if (root.contains("stats_file")) {
        const json& value = root["stats_file"];
        if (!value.is_string() || value.get<std::string>().empty() ||
            value.get<std::string>().front() != '/') {
            fail("stats_file", "expected an absolute path, got " + shown(value));
        }
        cfg.stats_file = value.get<std::string>();
    }
    if (root.contains("log_level")) {
        const json& value = root["log_level"];
        static const std::set<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                      "error", "critical", "off"};
        if (!value.is_string() || !kLevels.contains(value.get<std::string>())) {
            fail("log_level", "expected trace|debug|info|warn|error|critical|off, got " + shown(value));
        }
        cfg.log_level = value.get<std::string>();
    }
    return cfg;
}

}  // namespace psgw::relay
