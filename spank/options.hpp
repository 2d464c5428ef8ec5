// The ten psmgmt --gw_* options: one table, one typed struct, pure validation.
// Nothing here includes Slurm headers, so unit tests use it directly.
#pragma once

#include <psgw/error.hpp>

#include "config/psgw_config.hpp"

#include <psgw/contract.hpp>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace psgw::spank {

/// Option ids; the value is the `val` Slurm passes back to the callback.
enum class Opt : int { kNum, kFile, kPlugin, kEnv, kCleanup, kBinary, kPerNode, kQuiet, kDebug, kInherit };
inline constexpr std::size_t kOptionCount = 10;

/// One row of the option table.
struct OptionDef {
    Opt id;
    std::string_view name;     ///< without "--", e.g. "gw_num"
    std::string_view arginfo;  ///< value syntax shown by --help; empty for flags
    std::string_view usage;    ///< "[psgw] ..." help text
};

/// The option table, in --help order.
const std::array<OptionDef, kOptionCount>& option_defs();
/// The table row of `id`.
const OptionDef& option_def(Opt id);

inline constexpr std::int64_t kMaxGwNum = 1024;

/// A user error; what() is the complete one-line message ("psgw: --gw_num=0 is invalid: ...").
class OptionError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Validated option values; unset optionals mean "not given".
struct GwOptions {
    std::optional<unsigned> num;
    std::optional<std::string> file;    ///< absolute
    std::optional<std::string> plugin;  ///< built-in name (plugin0N) or absolute real path
    std::optional<std::string> env;     ///< whitespace-separated KEY=VALUE tokens
    std::optional<std::string> binary;  ///< absolute path of an executable
    std::optional<unsigned> per_node;
    bool cleanup = false;
    bool quiet = false;
    bool debug = false;
    bool inherit = false;
};

// Pure validators: return the stored value or throw OptionError naming option and value.
unsigned validate_num(std::string_view value);
unsigned validate_per_node(std::string_view value);
std::string validate_file(std::string_view value);
/// Built-in plugin01..03 (".py" optional), a path with '/' to a regular file (realpath),
/// or a bare NAME found as DIR_ROUTE_SCRIPTS/NAME or NAME.py.
std::string resolve_plugin(std::string_view value, const config::Config& cfg);
std::string validate_env(std::string_view value);
/// Refused with STRICT_MODE=1; else an absolute path to an executable regular file.
std::string validate_binary(std::string_view value, const config::Config& cfg);

/// Every --gw_* value given so far, with the heterogeneous job component it was first
/// given in. Slurm may call an option callback twice: the same value again is fine.
class OptionSet {
public:
    /// Records `value` (nullptr for flags). With `cfg` the value is validated and stored
    /// typed (submit side); without, only the raw value is kept (remote side).
    /// Throws OptionError for a bad value or a value different from an earlier one.
    void set(Opt id, const char* value, int component, const config::Config* cfg);

    /// True if any --gw_* option was given.
    bool any() const;
    /// The raw value of `id` if it was given ("" for flags).
    std::optional<std::string> raw(Opt id) const;
    /// The validated values (only filled when set() had a config).
    const GwOptions& values() const { return values_; }

    /// Throws unless every given option sits in component 0 (psmgmt would silently ignore it).
    void check_components() const;
    /// Throws unless --gw_num is given whenever another --gw_* option is.
    void check_requires_num() const;

private:
    struct Seen {
        std::string raw;
        int component = 0;
    };
    std::array<std::optional<Seen>, kOptionCount> seen_;
    GwOptions values_;
};

}  // namespace psgw::spank
