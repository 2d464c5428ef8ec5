// Option table and validation of the --gw_* values.
#include "options.hpp"

#include "config/key_value.hpp"
#include "config/strict_parse.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>

namespace psgw::spank {
namespace {

// SPANK wants the help text as a literal; keep it in step with the contract.
static_assert(contract::kMaxPsgwdPerNode == 32, "update the --gw_psgwd_per_node help text");

const std::array<OptionDef, kOptionCount> kDefs = {{
    {Opt::kNum, "gw_num", "n",
     "[psgw] number of gateway nodes, n = 1..1024 (required by all --gw_* options)"},
    {Opt::kFile, "gw_file", "/abs/path",
     "[psgw] routing file to write (default <submit dir>/psgw-route-<jobid>)"},
    {Opt::kPlugin, "gw_plugin", "plugin01|plugin02|plugin03|NAME|/path.py", "[psgw] route plugin"},
    {Opt::kEnv, "gw_env", "'KEY=VALUE ...'", "[psgw] extra environment of the gateway daemons"},
    {Opt::kCleanup, "gw_cleanup", "", "[psgw] remove the routing file when the job ends"},
    {Opt::kBinary, "gw_binary", "/abs/path", "[psgw] gateway daemon to run (only if STRICT_MODE=0)"},
    {Opt::kPerNode, "gw_psgwd_per_node", "n",
     "[psgw] gateway daemons per gateway node, n = 1..32"},  // kMaxPsgwdPerNode
    {Opt::kQuiet, "gw_quiet", "", "[psgw] do not write JOB-<jobid>-psgw.err on failure"},
    {Opt::kDebug, "gw_debug", "", "[psgw] debug output of the gateway daemons"},
    {Opt::kInherit, "gw_inherit", "", "[psgw] pass LD_LIBRARY_PATH and PSP_* to the gateway daemons"},
}};

std::size_t index_of(Opt id) { return static_cast<std::size_t>(id); }

[[noreturn]] void invalid(Opt id, std::string_view value, std::string_view why) {
    throw OptionError("psgw: --" + std::string(option_def(id).name) + "=" + printable(value) +
                      " is invalid: " + printable(why));
}

unsigned parse_count(Opt id, std::string_view value, std::int64_t max) {
    const auto parsed = config::parse_decimal(value, 1, max);
    if (!parsed) {
        invalid(id, value, "expected a decimal number in 1.." + std::to_string(max));
    }
    return static_cast<unsigned>(*parsed);
}

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string real_path(const std::string& path) {
    const std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
    return resolved ? std::string(resolved.get()) : std::string();
}

}  // namespace

const std::array<OptionDef, kOptionCount>& option_defs() { return kDefs; }

const OptionDef& option_def(Opt id) { return kDefs.at(index_of(id)); }

unsigned validate_num(std::string_view value) { return parse_count(Opt::kNum, value, kMaxGwNum); }

unsigned validate_per_node(std::string_view value) {
    return parse_count(Opt::kPerNode, value, contract::kMaxPsgwdPerNode);
}

std::string validate_file(std::string_view value) {
    if (value.empty() || value.front() != '/') {
        invalid(Opt::kFile, value, "expected an absolute path");
    }
    return std::string(value);
}

namespace {

/// STRICT_MODE=1: the plugin's real path must lie in DIR_ROUTE_SCRIPTS. The prologue
/// refuses it too; saying so at submit time saves a failed start.
void check_strict_location(std::string_view value, const std::string& resolved, const config::Config& cfg) {
    if (!cfg.strict_mode) return;
    const std::string dir = real_path(cfg.dir_route_scripts.string());
    if (dir.empty() || !resolved.starts_with(dir + "/")) {
        invalid(Opt::kPlugin, value,
                "STRICT_MODE=1 allows only plugins in " + cfg.dir_route_scripts.string());
    }
}

}  // namespace

std::string resolve_plugin(std::string_view value, const config::Config& cfg) {
    if (value.empty()) {
        invalid(Opt::kPlugin, value, "expected a plugin name or path");
    }
    std::string_view stem = value;
    if (stem.ends_with(".py")) {
        stem.remove_suffix(3);
    }
    if (stem == "plugin01" || stem == "plugin02" || stem == "plugin03") {
        return std::string(stem);
    }
    if (value.find('/') != std::string_view::npos) {
        const std::string path(value);
        if (!is_regular_file(path)) {
            invalid(Opt::kPlugin, value, "no such regular file");
        }
        std::string resolved = real_path(path);
        if (resolved.empty()) {
            invalid(Opt::kPlugin, value, "cannot resolve the path");
        }
        check_strict_location(value, resolved, cfg);
        return resolved;
    }
    if (value == "." || value == "..") {
        invalid(Opt::kPlugin, value, "expected a plugin name or path");
    }
    const std::string dir = cfg.dir_route_scripts.string();
    for (const std::string& candidate :
         {dir + "/" + std::string(value), dir + "/" + std::string(value) + ".py"}) {
        if (is_regular_file(candidate)) {
            std::string resolved = real_path(candidate);
            if (resolved.empty()) return candidate;
            check_strict_location(value, resolved, cfg);
            return resolved;
        }
    }
    invalid(Opt::kPlugin, value,
            "not built in (plugin01, plugin02, plugin03) and not found in " + dir + " as " +
                std::string(value) + " or " + std::string(value) + ".py");
}

std::string validate_env(std::string_view value) {
    const config::EnvTokens split = config::split_env_tokens(value);
    if (split.bad) {
        invalid(Opt::kEnv, value, "token '" + *split.bad + "' is not KEY=VALUE");
    }
    if (split.tokens.empty()) {
        invalid(Opt::kEnv, value, "expected KEY=VALUE tokens");
    }
    return std::string(value);
}

std::string validate_binary(std::string_view value, const config::Config& cfg) {
    if (cfg.strict_mode) {
        throw OptionError("psgw: --gw_binary=" + printable(value) + " is not allowed: STRICT_MODE is on");
    }
    std::string path(value);
    if (path.empty() || path.front() != '/' || !is_regular_file(path) || ::access(path.c_str(), X_OK) != 0) {
        invalid(Opt::kBinary, value, "expected an absolute path to an executable file");
    }
    return path;
}

void OptionSet::set(Opt id, const char* value, int component, const config::Config* cfg) {
    // A flag has no value. For a heterogeneous job sbatch passes a flag on to the next
    // component through SLURM_SPANK__SLURM_SPANK_OPTION_* set from a NULL optarg, i.e.
    // "(null)", and calls the callback again with that: it is the same flag.
    const bool flag = option_def(id).arginfo.empty();
    const std::string raw_value = value != nullptr && !flag ? value : "";
    auto& seen = seen_.at(index_of(id));
    if (seen) {
        if (seen->raw != raw_value) {
            const std::string name(option_def(id).name);
            throw OptionError("psgw: --" + name + "=" + printable(raw_value) +
                              " conflicts with the earlier --" + name + "=" + printable(seen->raw));
        }
        return;  // Slurm may call a callback twice with the same value
    }
    if (cfg != nullptr) {
        switch (id) {
            case Opt::kNum:
                values_.num = validate_num(raw_value);
                break;
            case Opt::kFile:
                values_.file = validate_file(raw_value);
                break;
            case Opt::kPlugin:
                values_.plugin = resolve_plugin(raw_value, *cfg);
                break;
            case Opt::kEnv:
                values_.env = validate_env(raw_value);
                break;
            case Opt::kBinary:
                values_.binary = validate_binary(raw_value, *cfg);
                break;
            case Opt::kPerNode:
                values_.per_node = validate_per_node(raw_value);
                break;
            case Opt::kCleanup:
                values_.cleanup = true;
                break;
            case Opt::kQuiet:
                values_.quiet = true;
                break;
            case Opt::kDebug:
                values_.debug = true;
                break;
            case Opt::kInherit:
                values_.inherit = true;
                break;
        }
    }
    // Stored only after validation, so a refused value is not "seen".
    seen = Seen{raw_value, component};
}

bool OptionSet::any() const {
    for (const auto& seen : seen_) {
        if (seen) {
            return true;
        }
    }
    return false;
}

std::optional<std::string> OptionSet::raw(Opt id) const {
    const auto& seen = seen_.at(index_of(id));
    return seen ? std::optional<std::string>(seen->raw) : std::nullopt;
}

void OptionSet::check_components() const {
    for (const auto& def : kDefs) {
        const auto& seen = seen_.at(index_of(def.id));
        if (seen && seen->component > 0) {
            throw OptionError("psgw: --" + std::string(def.name) + " given in heterogeneous job component " +
                              std::to_string(seen->component) +
                              "; put all --gw_* options in the first component");
        }
    }
}

void OptionSet::check_requires_num() const {
    if (seen_.at(index_of(Opt::kNum))) {
        return;
    }
    for (const auto& def : kDefs) {
        if (seen_.at(index_of(def.id))) {
            throw OptionError("psgw: --" + std::string(def.name) + " requires --gw_num");
        }
    }
}

}  // namespace psgw::spank
