// The plugin's state in one process (sbatch, salloc, srun or one slurmstepd).
#pragma once

#include "config/psgw_config.hpp"
#include "options.hpp"

#include <optional>
#include <string>

namespace psgw::spank {

/// Everything the hooks share; one instance per process, cleared in slurm_spank_exit.
struct PluginState {
    std::optional<config::Config> config;  ///< unset if psgw.conf could not be read
    std::string config_error;              ///< why not, one line
    bool options_registered = false;
    bool version_logged = false;  ///< "psgw_spank VERSION" written once per process
    OptionSet options;
    int post_opt_calls = 0;        ///< = index of the het component whose options come next
    bool job_env_set = false;      ///< job-control variables already stored
    bool request_printed = false;  ///< "requesting N gateway nodes" shown
    std::string user_init_error;   ///< raised in task_init (see remote.cpp)
};

/// The process-wide state.
PluginState& plugin_state();
/// Back to the initial state (slurm_spank_exit, tests).
void reset_plugin_state();

}  // namespace psgw::spank
