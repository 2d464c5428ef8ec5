// psgw.conf: one static table of keys drives parsing, keys() and (through the
// tests) the shipped etc/psgw.conf.
#include "config/psgw_config.hpp"

#include "config/key_value.hpp"
#include "config/strict_parse.hpp"

#include <psgw/contract.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <type_traits>

namespace psgw::config {
namespace {

/// Applies a non-empty (or, where allowed, empty) value; returns "" or why it is bad.
using Apply = std::string (*)(Config&, std::string_view);

struct Row {
    KeyInfo info;
    bool allows_empty;  ///< an empty value means "none" for this key
    Apply apply;
};

std::string range_text(std::int64_t min, std::int64_t max) {
    return "expected a decimal integer in " + std::to_string(min) + ".." + std::to_string(max);
}

template <auto Member, std::int64_t Min, std::int64_t Max>
std::string set_int(Config& cfg, std::string_view value) {
    const auto parsed = parse_decimal(value, Min, Max);
    if (!parsed) {
        return range_text(Min, Max);
    }
    using T = std::remove_reference_t<decltype(cfg.*Member)>;
    cfg.*Member = static_cast<T>(*parsed);
    return {};
}

template <auto Member, std::int64_t Min, std::int64_t Max>
std::string set_seconds(Config& cfg, std::string_view value) {
    const auto parsed = parse_decimal(value, Min, Max);
    if (!parsed) {
        return range_text(Min, Max) + " (whole seconds)";
    }
    cfg.*Member = std::chrono::seconds{*parsed};
    return {};
}

template <auto Member>
std::string set_bool(Config& cfg, std::string_view value) {
    const auto parsed = parse_bool(value);
    if (!parsed) {
        return "expected 0, 1, yes, no, true or false";
    }
    cfg.*Member = *parsed;
    return {};
}

/// Absolute path; empty only for keys whose row allows it.
template <auto Member>
std::string set_path(Config& cfg, std::string_view value) {
    if (!value.empty() && value.front() != '/') {
        return "expected an absolute path";
    }
    cfg.*Member = std::filesystem::path(value);
    return {};
}

bool has_space(std::string_view value) {
    return std::any_of(value.begin(), value.end(), [](unsigned char c) { return std::isspace(c); });
}

/// A single word (no whitespace); empty only where the row allows it.
template <auto Member>
std::string set_word(Config& cfg, std::string_view value) {
    if (has_space(value)) {
        return "expected a single word without spaces";
    }
    cfg.*Member = std::string(value);
    return {};
}

std::string set_route_prefix(Config& cfg, std::string_view value) {
    if (has_space(value) || value.find('/') != std::string_view::npos) {
        return "expected a file name prefix without '/' or spaces";
    }
    cfg.default_route_prefix = std::string(value);
    return {};
}

std::string set_gateway_env(Config& cfg, std::string_view value) {
    EnvTokens split = split_env_tokens(value);
    if (split.bad) {
        return "token '" + *split.bad + "' is not KEY=VALUE";
    }
    cfg.gateway_env = std::move(split.tokens);
    return {};
}

std::string set_node_columns(Config& cfg, std::string_view value) {
    if (value == "address") {
        cfg.route_node_columns = NodeColumns::kAddress;
    } else if (value == "name") {
        cfg.route_node_columns = NodeColumns::kName;
    } else {
        return "expected 'address' or 'name'";
    }
    return {};
}

std::string set_relay_ports(Config& cfg, std::string_view value) {
    std::string why = "expected FIRST-LAST with 1 <= FIRST <= LAST <= 65535";
    const auto dash = value.find('-');
    if (dash == std::string_view::npos) {
        return why;
    }
    const auto first = parse_decimal(value.substr(0, dash), 1, 65535);
    const auto last = parse_decimal(value.substr(dash + 1), 1, 65535);
    if (!first || !last || *first > *last) {
        return why;
    }
    cfg.relay_ports = {static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last)};
    return {};
}

constexpr std::int64_t kDay = 86400;

// The order here is the documentation order of etc/psgw.conf.
const std::vector<Row>& table() {
    static const std::vector<Row> rows = {
        // psmgmt-compatible keys
        {{"GATEWAY_TPP", "8", "accepted for psmgmt compatibility; psgw always takes whole gateway nodes"},
         false,
         set_int<&Config::gateway_tpp, 1, 65536>},
        {{"TIMEOUT_ROUTE_SCRIPT", "60", "seconds the route generator may run (0: no limit)"},
         false,
         set_seconds<&Config::timeout_route_script, 0, kDay>},
        {{"DEFAULT_ROUTE_PREFIX", "psgw-route",
          "routing file name without --gw_file: <cwd or $HOME>/<prefix>-<jobid>"},
         false,
         set_route_prefix},
        {{"DIR_ROUTE_SCRIPTS", "/usr/libexec/psgw",
          "where bare --gw_plugin names are looked up as NAME or NAME.py"},
         false,
         set_path<&Config::dir_route_scripts>},
        {{"ROUTE_SCRIPT", "",
          "empty: built-in route generator; else an executable run with psroute.py's environment"},
         true,
         set_path<&Config::route_script>},
        {{"DEFAULT_ROUTE_PLUGIN", "plugin01", "route plugin used when the job gives no --gw_plugin"},
         false,
         set_word<&Config::default_route_plugin>},
        {{"STRICT_MODE", "1", "1: refuse --gw_binary and require a root-owned ROUTE_SCRIPT"},
         false,
         set_bool<&Config::strict_mode>},
        {{"PSGWD_BINARY", "/usr/sbin/psgwd", "gateway daemon that runs the relays"},
         false,
         set_path<&Config::psgwd_binary>},
        {{"DEBUG_MASK", "0",
          "decimal debug mask; 64 (0x40) sets PSGW_VERBOSE=1 for ROUTE_SCRIPT, other bits are accepted and "
          "unused"},
         false,
         set_int<&Config::debug_mask, 0, 0xffff>},
        {{"TIMEOUT_PROLOGUE", "300", "seconds psgw-prologue may take in all (reserve, start relays, route)"},
         false,
         set_seconds<&Config::timeout_prologue, 1, kDay>},
        {{"TIMEOUT_EPILOGUE", "300",
          "seconds psgw-epilogue may take in all (stop relays, release, clean up)"},
         false,
         set_seconds<&Config::timeout_epilogue, 1, kDay>},
        {{"TIMEOUT_PE_GRACE", "60", "seconds PSGW_ERROR may run before it is killed (0: no limit)"},
         false,
         set_seconds<&Config::timeout_pe_grace, 0, kDay>},
        {{"GATEWAY_ENV", "", "space-separated KEY=VALUE exported to every task and relay"},
         true,
         set_gateway_env},
        {{"DIR_PROLOGUE", "/etc/psgw/prologue.d",
          "accepted for psmgmt compatibility; psgw runs no gateway prologue scripts"},
         false,
         set_path<&Config::dir_prologue>},
        {{"DIR_EPILOGUE", "/etc/psgw/epilogue.d",
          "accepted for psmgmt compatibility; psgw runs no gateway epilogue scripts"},
         false,
         set_path<&Config::dir_epilogue>},
        // psgw keys
        {{"GATEWAY_NODES", "", "hostlist of gateway nodes; empty: every node with GATEWAY_FEATURE"},
         true,
         set_word<&Config::gateway_nodes>},
        {{"GATEWAY_FEATURE", "gateway", "Slurm node feature of gateway nodes"},
         false,
         set_word<&Config::gateway_feature>},
        {{"CLUSTER_FEATURE", "cluster", "Slurm node feature of cluster (partition A) nodes"},
         false,
         set_word<&Config::cluster_feature>},
        {{"BOOSTER_FEATURE", "booster", "Slurm node feature of booster (partition B) nodes"},
         false,
         set_word<&Config::booster_feature>},
        {{"FABRIC_ADDRESSES", "/etc/psgw/fabric-addresses", "file of 'NODENAME FABRIC ADDRESS' lines"},
         false,
         set_path<&Config::fabric_addresses>},
        {{"ROUTE_NODE_COLUMNS", "address", "node columns of the routing file: address or name"},
         false,
         set_node_columns},
        {{"AGENT_PORT", "6470", "TCP port of psgwd's control agent on the management network"},
         false,
         set_int<&Config::agent_port, 1, 65535>},
        {{"AGENT_ADDRESS", "",
          "IP address psgwd's control agent listens on; empty: the address of this node's name"},
         true,
         set_word<&Config::agent_address>},
        {{"RELAY_PORTS", "41000-41999", "TCP port range the relays listen on"}, false, set_relay_ports},
        {{"CONTROL_USER", "slurm", "besides root, the only user whose MUNGE credential may control psgwd"},
         false,
         set_word<&Config::control_user>},
        {{"STATE_DIR", "/var/lib/psgw", "controller state (gateway reservation ledger)"},
         false,
         set_path<&Config::state_dir>},
        {{"AGENT_STATE_DIR", "/run/psgwd", "psgwd agent state on the gateway nodes"},
         false,
         set_path<&Config::agent_state_dir>},
        {{"TIMEOUT_AGENT", "10", "seconds the controller waits for a psgwd agent reply"},
         false,
         set_seconds<&Config::timeout_agent, 1, kDay>},
        {{"PSGW_ERROR", "/etc/psgw/psgw_error",
          "admin script run with the job's environment on failure (empty: none)"},
         true,
         set_path<&Config::psgw_error>},
        {{"PYTHON", "/usr/bin/python3", "interpreter for Python route plugins"},
         false,
         set_path<&Config::python>},
        {{"MUNGE_SOCKET", "", "munged socket (empty: libmunge's default)"},
         true,
         set_path<&Config::munge_socket>},
        {{"RELAY_CONNECT_TIMEOUT", "5", "seconds a relay waits to connect to the destination"},
         false,
         set_seconds<&Config::relay_connect_timeout, 1, 3600>},
        {{"RELAY_HANDSHAKE_TIMEOUT", "5", "seconds a relay waits for a client's handshake"},
         false,
         set_seconds<&Config::relay_handshake_timeout, 1, 3600>},
        {{"RELAY_MAX_CONNECTIONS", "4096", "connections one relay accepts at most"},
         false,
         set_int<&Config::relay_max_connections, 1, 1048576>},
        {{"RELAY_PIPE_SIZE", "1048576", "bytes of each splice pipe of a relay"},
         false,
         set_int<&Config::relay_pipe_size, 4096, 1073741824>},
        {{"RELAY_KEEPALIVE", "60",
          "seconds of silence before a relay probes a connection (TCP keepalive); 0: off"},
         false,
         set_seconds<&Config::relay_keepalive, 0, 86400>},
    };
    return rows;
}

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

/// A '#' starts a comment at the line start or after whitespace, so values may contain '#'.
std::string_view strip_comment(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
            return line.substr(0, i);
        }
    }
    return line;
}

[[noreturn]] void fail(std::string_view origin, std::size_t line, const std::string& what) {
    throw ConfigError("psgw: " + std::string(origin) + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

const std::vector<KeyInfo>& keys() {
    static const std::vector<KeyInfo> infos = [] {
        std::vector<KeyInfo> out;
        for (const auto& row : table()) {
            out.push_back(row.info);
        }
        return out;
    }();
    return infos;
}

Config parse(std::string_view text, std::string_view origin) {
    Config cfg;
    std::map<std::string_view, std::size_t, std::less<>> seen;  // key -> line
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        const std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);

        const std::string_view line = trim(strip_comment(raw));
        if (line.empty()) {
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            fail(origin, line_no, "missing '=' in '" + std::string(line) + "'");
        }
        const std::string_view key = trim(line.substr(0, eq));
        const std::string_view value = trim(line.substr(eq + 1));
        if (key.empty()) {
            fail(origin, line_no, "missing key before '=' in '" + std::string(line) + "'");
        }
        const auto& rows = table();
        const auto row =
            std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.info.name == key; });
        if (row == rows.end()) {
            fail(origin, line_no, "unknown key '" + std::string(key) + "'");
        }
        if (const auto [it, inserted] = seen.emplace(row->info.name, line_no); !inserted) {
            fail(origin, line_no,
                 "duplicate key '" + std::string(key) + "' (first set on line " + std::to_string(it->second) +
                     ")");
        }
        if (value.empty() && !row->allows_empty) {
            fail(origin, line_no, "empty value for " + std::string(key) + " is not allowed");
        }
        if (const std::string why = row->apply(cfg, value); !why.empty()) {
            fail(origin, line_no,
                 "bad value '" + std::string(value) + "' for " + std::string(key) + ": " + why);
        }
    }
    return cfg;
}

Config load(const std::filesystem::path& path) {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "re"), &std::fclose);
    if (!file) {
        throw ConfigError("psgw: cannot read " + path.string() + ": " + std::strerror(errno));
    }
    std::string text;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0;) {
        text.append(buffer, n);
    }
    if (std::ferror(file.get())) {
        throw ConfigError("psgw: cannot read " + path.string() + ": " + std::strerror(errno));
    }
    return parse(text, path.string());
}

std::filesystem::path resolve_path(std::string_view explicit_path) {
    if (!explicit_path.empty()) {
        return std::filesystem::path(explicit_path);
    }
    if (const char* env = std::getenv(contract::kEnvConfigPath.data()); env != nullptr && *env != '\0') {
        return env;
    }
    return std::filesystem::path(kDefaultConfigPath);
}

}  // namespace psgw::config
