// The route generator: psmgmt psroute.py's routing file, computed in C++.
//
// Given the A nodes, the B nodes and the relay endpoints, every (A, B) pair is
// assigned to one gateway by a route plugin: built in (plugin01..03, O(1) per
// pair) or an external psmgmt-style Python file run in a separate process as
// the job user. See docs/route-file.md for the grammar and ordering rules.
#pragma once

#include <psgw/error.hpp>

#include "sys/user_identity.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::route {

/// Everything one routing file depends on.
struct RouteRequest {
    /// A-side node column values (cluster), as they appear in the file; sorted as strings here.
    std::vector<std::string> nodes_a;
    /// B-side node column values (booster), as they appear in the file; sorted as strings here.
    std::vector<std::string> nodes_b;
    /// Relay endpoints "ADDR:PORT", one per relay, any order; IPv6 as "[addr]:port".
    /// Several ports on one address are one gateway whose lines rotate over the ports
    /// in the order given here (psroute's --gw_psgwd_per_node behaviour).
    std::vector<std::string> gateways;
    /// "plugin01" | "plugin02" | "plugin03" (".py" optional) for a built-in; a path
    /// (contains '/', ".py" optional); or a bare name looked up in plugin_dir as NAME or NAME.py.
    std::string plugin = "plugin01";
    /// Where bare external plugin names are looked up (psgw.conf DIR_ROUTE_SCRIPTS).
    std::filesystem::path plugin_dir = "/usr/libexec/psgw";
    /// Interpreter for external plugins (psgw.conf PYTHON).
    std::filesystem::path python = "/usr/bin/python3";
    /// psgw.conf STRICT_MODE=1: external plugins only from inside plugin_dir (a path
    /// elsewhere, or one whose real path leaves it through a symlink, is refused).
    bool only_plugin_dir = false;
    /// External plugins run as this user (the job user), through psgw-runas when the
    /// caller is someone else; never as root. Without one they run as the caller,
    /// which must not be root.
    std::optional<sys::UserIdentity> plugin_user;
    /// Deadline for an external plugin run (psgw.conf TIMEOUT_ROUTE_SCRIPT); 0: none.
    std::chrono::seconds timeout{60};
    /// The plugin runner script; empty: the copy compiled into the library.
    std::filesystem::path runner;
};

/// Any failure to produce a routing file; what() is one line starting "psgw: "
/// and naming the plugin (or the bad gateway/node value).
class RouteError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// True if `plugin` names a built-in plugin ("plugin01", "plugin02.py", ...).
bool is_builtin_plugin(std::string_view plugin);

/// The complete routing file text: exactly |A|*|B| lines "ADDR:PORT NODEA NODEB\n",
/// grouped by gateway address (sorted as strings), pairs in A-major order within a
/// gateway. Throws RouteError; nothing is written anywhere.
std::string generate_routes(const RouteRequest& request);

/// Writes the routing file atomically (temporary file + rename, never following a
/// symlink), as `as_user` when given. Throws RouteError naming the path.
void write_routing_file(const std::filesystem::path& path, const std::string& text,
                        const std::optional<sys::UserIdentity>& as_user);

}  // namespace psgw::route
