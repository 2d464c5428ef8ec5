#include "control/control_message.hpp"

#include "config/strict_parse.hpp"

#include <psgw/contract.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <limits>

namespace psgw::control {
namespace {

using nlohmann::json;

[[noreturn]] void fail(std::string_view field, std::string_view what) {
    throw MessageError("psgw: control request: field '" + std::string(field) + "': " + std::string(what));
}

const json& require(const json& object, std::string_view field) {
    auto it = object.find(field);
    if (it == object.end()) fail(field, "missing");
    return *it;
}

std::uint64_t get_unsigned(const json& object, std::string_view field, std::uint64_t min, std::uint64_t max) {
    const json& value = require(object, field);
    if (!value.is_number_unsigned()) fail(field, "must be a non-negative integer");
    const auto number = value.get<std::uint64_t>();
    if (number < min || number > max)
        fail(field, "must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
                        std::to_string(number));
    return number;
}

std::string get_string(const json& object, std::string_view field, bool required) {
    auto it = object.find(field);
    if (it == object.end()) {
        if (required) fail(field, "missing");
        return {};
    }
    if (!it->is_string()) fail(field, "must be a string");
    return it->get<std::string>();
}

bool get_bool(const json& object, std::string_view field) {
    auto it = object.find(field);
    if (it == object.end()) return false;
    if (!it->is_boolean()) fail(field, "must be true or false");
    return it->get<bool>();
}

std::vector<std::string> get_strings(const json& object, std::string_view field) {
    auto it = object.find(field);
    if (it == object.end()) return {};
    if (!it->is_array()) fail(field, "must be an array of strings");
    std::vector<std::string> out;
    out.reserve(it->size());
    for (const json& item : *it) {
        if (!item.is_string()) fail(field, "must be an array of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::uint32_t get_job(const json& object) {
    return static_cast<std::uint32_t>(
        get_unsigned(object, "job", 1, std::numeric_limits<std::uint32_t>::max()));
}

/// Optional: absent (an older peer) is 0, "unknown".
std::uint64_t get_incarnation(const json& object) {
    if (!object.contains("incarnation")) return 0;
    return get_unsigned(object, "incarnation", 0, std::numeric_limits<std::uint64_t>::max());
}

json base(std::string_view op) { return json{{"v", contract::kControlVersion}, {"op", op}}; }

}  // namespace

bool is_ip_address(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
    const std::string copy(text);
    in6_addr buffer{};
    return inet_pton(AF_INET, copy.c_str(), &buffer) == 1 || inet_pton(AF_INET6, copy.c_str(), &buffer) == 1;
}

bool is_sane_user_name(std::string_view name) {
    if (name.empty() || name.size() > 32) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!alpha(name.front())) return false;
    for (char c : name)
        if (!alpha(c) && !digit(c) && c != '.' && c != '-') return false;
    return true;
}

void validate(const StartRequest& request) {
    if (request.job == 0) fail("job", "must be > 0");
    if (!is_sane_user_name(request.user)) fail("user", "not a valid user name: '" + request.user + "'");
    // Relays never run as root: a start request for uid 0 is always a mistake or an attack.
    if (request.uid == 0) fail("uid", "relays never run as root (uid 0)");
    if (request.uid == static_cast<uid_t>(-1)) fail("uid", "invalid");
    if (request.gid == static_cast<gid_t>(-1)) fail("gid", "invalid");
    if (request.relays < 1 || request.relays > contract::kMaxPsgwdPerNode)
        fail("relays", "must be 1.." + std::to_string(contract::kMaxPsgwdPerNode) + ", got " +
                           std::to_string(request.relays));
    for (const auto& entry : request.env)
        if (!config::is_env_assignment(entry)) fail("env", "not KEY=VALUE: '" + entry + "'");
    if (!request.binary.empty() && request.binary.front() != '/')
        fail("binary", "must be an absolute path: '" + request.binary + "'");
    if (!request.cwd.empty() && request.cwd.front() != '/')
        fail("cwd", "must be an absolute path: '" + request.cwd + "'");
    if (request.cluster_peers.size() + request.booster_peers.size() > kMaxPeers)
        fail("cluster_peers", "more than " + std::to_string(kMaxPeers) + " peers");
    for (const auto& peer : request.cluster_peers)
        if (!is_ip_address(peer)) fail("cluster_peers", "not an IP address: '" + peer + "'");
    for (const auto& peer : request.booster_peers)
        if (!is_ip_address(peer)) fail("booster_peers", "not an IP address: '" + peer + "'");
}

json to_json(const StartRequest& request) {
    json out = base("start");
    out["job"] = request.job;
    out["user"] = request.user;
    out["uid"] = request.uid;
    out["gid"] = request.gid;
    out["relays"] = request.relays;
    out["env"] = request.env;
    out["debug"] = request.debug;
    out["binary"] = request.binary;
    out["cwd"] = request.cwd;
    out["cluster_peers"] = request.cluster_peers;
    out["booster_peers"] = request.booster_peers;
    out["incarnation"] = request.incarnation;
    return out;
}

json to_json(const StopRequest& request) {
    json out = base("stop");
    out["job"] = request.job;
    out["incarnation"] = request.incarnation;
    return out;
}

json to_json(const ListRequest&) { return base("list"); }

Request parse_request(std::string_view payload) {
    json object;
    try {
        object = json::parse(payload);
    } catch (const json::exception&) {  // parse_error, or out_of_range for a number overflow
        throw MessageError("psgw: control request: not valid JSON");
    }
    if (!object.is_object()) throw MessageError("psgw: control request: not a JSON object");
    get_unsigned(object, "v", contract::kControlVersion, contract::kControlVersion);
    const std::string op = get_string(object, "op", true);
    if (op == "list") return ListRequest{};
    if (op == "stop") return StopRequest{get_job(object), get_incarnation(object)};
    if (op != "start") fail("op", "unknown operation '" + op + "'");

    StartRequest request;
    request.job = get_job(object);
    request.user = get_string(object, "user", true);
    constexpr std::uint64_t kMaxId = std::numeric_limits<std::uint32_t>::max() - 1;
    request.uid = static_cast<uid_t>(get_unsigned(object, "uid", 0, kMaxId));
    request.gid = static_cast<gid_t>(get_unsigned(object, "gid", 0, kMaxId));
    request.relays = static_cast<unsigned>(get_unsigned(object, "relays", 1, contract::kMaxPsgwdPerNode));
    request.env = get_strings(object, "env");
    request.debug = get_bool(object, "debug");
    request.binary = get_string(object, "binary", false);
    request.cwd = get_string(object, "cwd", false);
    request.cluster_peers = get_strings(object, "cluster_peers");
    request.booster_peers = get_strings(object, "booster_peers");
    request.incarnation = get_incarnation(object);
    validate(request);
    return request;
}

json error_reply(std::string_view message) {
    return json{{"v", contract::kControlVersion}, {"ok", false}, {"error", message}};
}

json ok_reply(json body) {
    body["v"] = contract::kControlVersion;
    body["ok"] = true;
    return body;
}

json to_json(const StartReply& reply) {
    json relays = json::array();
    for (const auto& relay : reply.relays) relays.push_back({{"port", relay.port}, {"pid", relay.pid}});
    return ok_reply(
        {{"cluster_addr", reply.cluster_addr}, {"booster_addr", reply.booster_addr}, {"relays", relays}});
}

std::string reply_text(const json& reply) {
    return reply.dump(-1, ' ', false, json::error_handler_t::replace);
}

json parse_reply(std::string_view body) {
    json object;
    try {
        object = json::parse(body);
    } catch (const json::exception&) {  // parse_error, or out_of_range for a number overflow
        throw MessageError("psgw: reply is not valid JSON");
    }
    if (!object.is_object()) throw MessageError("psgw: reply is not a JSON object");
    auto v = object.find("v");
    if (v == object.end() || !v->is_number_unsigned() || v->get<std::uint64_t>() != contract::kControlVersion)
        throw MessageError("psgw: reply has an unsupported protocol version");
    auto ok = object.find("ok");
    if (ok == object.end() || !ok->is_boolean()) throw MessageError("psgw: reply lacks 'ok'");
    if (!ok->get<bool>()) {
        auto error = object.find("error");
        throw MessageError(error != object.end() && error->is_string()
                               ? error->get<std::string>()
                               : std::string("psgw: refused without a reason"));
    }
    return object;
}

StartReply parse_start_reply(const json& reply) {
    StartReply out;
    try {
        out.cluster_addr = reply.at("cluster_addr").get<std::string>();
        out.booster_addr = reply.at("booster_addr").get<std::string>();
        for (const json& relay : reply.at("relays")) {
            RelayInfo info;
            info.port = relay.at("port").get<std::uint16_t>();
            info.pid = relay.at("pid").get<int>();
            if (info.port == 0 || info.pid <= 0) throw MessageError("psgw: start reply: bad relay entry");
            out.relays.push_back(info);
        }
    } catch (const json::exception& e) {
        throw MessageError(std::string("psgw: start reply: malformed (") + e.what() + ")");
    }
    if (out.relays.empty()) throw MessageError("psgw: start reply: no relays");
    return out;
}

}  // namespace psgw::control
