// psgw-prologue (PrologSlurmctld): reserve gateway nodes, start the job's relays,
// write the routing file. See docs/admin.md for the flow and the failure path.
#pragma once

#include "job_environment.hpp"

#include <string_view>

namespace psgw::controller {

/// Runs the prologue for the job described by `env`; returns the exit code
/// (0: done or nothing to do, 1: failed — slurmctld requeues the job).
/// Non-leader het components and jobs without --gw_num return 0 at once,
/// without reading psgw.conf or asking slurmctld anything.
int run_prologue(const EnvMap& env, std::string_view config_path);

/// True if the prologue/epilogue has anything to do for this environment.
/// Throws JobEnvironmentError for an unparsable het offset.
bool concerns_psgw(const EnvMap& env);

}  // namespace psgw::controller
