// psgw.conf: one table of keys (name, default, meaning) drives parsing, the
// shipped etc/psgw.conf and the tests that keep both in step.
#pragma once

#include <psgw/error.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::config {

/// Default location; the PSGW_CONF environment variable or a plugin/CLI argument overrides it.
inline constexpr std::string_view kDefaultConfigPath = "/etc/psgw/psgw.conf";

/// Thrown for any bad configuration; what() is one line, e.g.
/// "psgw: /etc/psgw/psgw.conf:12: unknown key 'FOO'".
class ConfigError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Which value the node columns of the routing file carry.
enum class NodeColumns { kAddress, kName };

/// Inclusive TCP port range.
struct PortRange {
    std::uint16_t first = 41000;
    std::uint16_t last = 41999;
    bool operator==(const PortRange&) const = default;
};

/// Every psgw.conf key, typed. Member names are the lower-cased keys.
struct Config {
    // psmgmt-compatible keys
    unsigned gateway_tpp = 8;
    std::chrono::seconds timeout_route_script{60};
    std::string default_route_prefix = "psgw-route";
    std::filesystem::path dir_route_scripts = "/usr/libexec/psgw";
    std::filesystem::path route_script;  ///< empty: built-in generator
    std::string default_route_plugin = "plugin01";
    bool strict_mode = true;
    std::filesystem::path psgwd_binary = "/usr/sbin/psgwd";
    unsigned debug_mask = 0;
    std::chrono::seconds timeout_prologue{300};
    std::chrono::seconds timeout_epilogue{300};
    std::chrono::seconds timeout_pe_grace{60};
    std::vector<std::string> gateway_env;  ///< validated KEY=VALUE tokens
    std::filesystem::path dir_prologue = "/etc/psgw/prologue.d";
    std::filesystem::path dir_epilogue = "/etc/psgw/epilogue.d";
    // psgw keys
    std::string gateway_nodes;  ///< hostlist expression; empty: nodes with gateway_feature
    std::string gateway_feature = "gateway";
    std::string cluster_feature = "cluster";
    std::string booster_feature = "booster";
    std::filesystem::path fabric_addresses = "/etc/psgw/fabric-addresses";
    NodeColumns route_node_columns = NodeColumns::kAddress;
    std::uint16_t agent_port = 6470;
    std::string agent_address;  ///< empty: the non-loopback address the node name resolves to
    PortRange relay_ports;
    std::string control_user = "slurm";
    std::filesystem::path state_dir = "/var/lib/psgw";
    std::filesystem::path agent_state_dir = "/run/psgwd";
    std::chrono::seconds timeout_agent{10};
    std::filesystem::path psgw_error = "/etc/psgw/psgw_error";
    std::filesystem::path python = "/usr/bin/python3";
    std::filesystem::path munge_socket;  ///< empty: libmunge default
    std::chrono::seconds relay_connect_timeout{5};
    std::chrono::seconds relay_handshake_timeout{5};
    unsigned relay_max_connections = 4096;
    unsigned relay_pipe_size = 1048576;
    std::chrono::seconds relay_keepalive{60};  ///< a dead peer frees its slot after ~2x this
    /// Member-wise; lets tests compare a parsed file with the defaults.
    bool operator==(const Config&) const = default;
};

/// One row of the key table: drives parsing and documentation.
struct KeyInfo {
    std::string_view name;           ///< e.g. "TIMEOUT_ROUTE_SCRIPT"
    std::string_view default_value;  ///< as written in psgw.conf
    std::string_view meaning;        ///< one line
};

/// All keys in documentation order.
const std::vector<KeyInfo>& keys();

/// Parses psgw.conf text. `origin` names the source in error messages.
/// Throws ConfigError on unknown keys, bad values, duplicates, or syntax errors.
Config parse(std::string_view text, std::string_view origin);

/// Reads and parses a file; a missing file is an error.
Config load(const std::filesystem::path& path);

/// Path to use: explicit argument if non-empty, else $PSGW_CONF, else kDefaultConfigPath.
std::filesystem::path resolve_path(std::string_view explicit_path);

}  // namespace psgw::config
