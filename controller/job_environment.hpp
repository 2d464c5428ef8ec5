// What PrologSlurmctld/EpilogSlurmctld learn about a job from their environment.
// The --gw_* job-control variables arrive as "SPANK_" + name from stock Slurm and
// as the bare name from psmgmt-style wrappers (pspelogue); both are accepted.
#pragma once

#include <psgw/error.hpp>

#include <sys/types.h>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace psgw::controller {

/// A bad or missing variable; what() is one line starting "psgw: " naming it.
class JobEnvironmentError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// The process environment as a name -> value map (testable without setenv).
using EnvMap = std::map<std::string, std::string, std::less<>>;

/// Snapshot of `environ`.
EnvMap current_environment();

/// Looks a job-control variable up under "SPANK_" + name first, then name.
std::optional<std::string> job_control_value(const EnvMap& env, std::string_view name);

/// The --gw_* options, decoded and validated (slurmctld never validates spank_job_env,
/// so every value here may be forged by the submitting user).
struct GatewayOptions {
    unsigned num = 0;                                           ///< --gw_num
    std::string route_file;                                     ///< --gw_file (absolute) or empty
    std::string cwd;                                            ///< SLURM_SPANK_PSGW_CWD or empty
    std::string plugin;                                         ///< --gw_plugin or empty
    std::string gw_env;                                         ///< --gw_env, raw
    bool cleanup = false;                                       ///< --gw_cleanup
    std::string binary;                                         ///< --gw_binary or empty
    unsigned per_node = 1;                                      ///< --gw_psgwd_per_node
    bool quiet = false;                                         ///< --gw_quiet
    bool debug = false;                                         ///< --gw_debug
    std::optional<std::string> ld_library_path;                 ///< --gw_inherit: LD_LIBRARY_PATH
    std::vector<std::pair<std::string, std::string>> psp_vars;  ///< --gw_inherit: PSP_*
};

/// Everything the controller side reads from its environment.
struct JobEnvironment {
    std::uint32_t job_id = 0;            ///< SLURM_JOB_ID (the het leader's id at offset 0)
    std::optional<unsigned> het_offset;  ///< SLURM_HET_JOB_OFFSET / SLURM_PACK_JOB_OFFSET
    std::string nodelist;                ///< all nodes of the job (het: all components)
    uid_t uid = 0;
    gid_t gid = 0;
    std::string user;      ///< SLURM_JOB_USER
    std::string work_dir;  ///< SLURM_JOB_WORK_DIR (may be empty)
    GatewayOptions options;

    /// True for a non-het job or het component 0: the only one psgw acts for.
    bool is_leader() const { return !het_offset || *het_offset == 0; }
    /// True for a heterogeneous job (any component).
    bool is_het() const { return het_offset.has_value(); }
};

/// True if the job asked for gateways (--gw_num set to anything, even invalid).
bool wants_gateways(const EnvMap& env);

/// het offset if the job is heterogeneous; throws JobEnvironmentError if unparsable.
std::optional<unsigned> het_offset(const EnvMap& env);

/// Reads and validates everything. Throws JobEnvironmentError.
JobEnvironment read_job_environment(const EnvMap& env);

/// Whitespace-separated --gw_env tokens, each KEY=VALUE (never evaluated).
/// Throws JobEnvironmentError naming the first bad token.
std::vector<std::string> split_gw_env(std::string_view gw_env);

}  // namespace psgw::controller
