// Hook bodies per SPANK context, called by dispatch.cpp (the only C entry points).
#pragma once

#include "plugin_state.hpp"
#include "spank_api.hpp"

namespace psgw::spank {

/// sbatch/salloc (allocator) and srun (local): check the options of the component that
/// was just parsed and store them as job-control environment. -1 after one error line.
int submit_init_post_opt(spank_t sp, PluginState& state, bool allocator);

/// slurmstepd (remote): export PSP_GW_SERVER if the job has gateways. Always 0;
/// a failure is kept in state.user_init_error for remote_task_init.
int remote_user_init(spank_t sp, PluginState& state);

/// slurmstepd (remote), per task: -1 with the stored user_init error, else 0.
int remote_task_init(PluginState& state);

}  // namespace psgw::spank
