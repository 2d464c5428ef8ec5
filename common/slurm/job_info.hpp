// Whether a job still holds gateways, as far as slurmctld knows: used by the
// reservation ledger to reclaim what a lost epilogue left behind.
//
// Rule (docs/admin.md, "Ledger and reconciliation"):
//   kActive  — RUNNING, SUSPENDED, or any state while the prologue runs
//              (RUNNING|CONFIGURING): its gateways stay reserved.
//   kGone    — unknown to slurmctld ("Invalid job id"), or finished (COMPLETED,
//              CANCELLED, FAILED, TIMEOUT, NODE_FAIL, PREEMPTED, BOOT_FAIL,
//              DEADLINE, OOM, also while COMPLETING), or PENDING. A pending job holds
//              nothing: after a requeue its PrologSlurmctld runs again and reserves
//              anew, so whatever it held before the requeue is stale.
//   kUnknown — slurmctld could not be asked (timeout, connection refused, ...).
//              Never treated as gone: the entry is kept.
#pragma once

#include <cstdint>
#include <string_view>

namespace psgw::slurm {

enum class JobPresence { kActive, kGone, kUnknown };

/// "active" / "gone" / "unknown".
std::string_view to_string(JobPresence presence);

/// Classifies a job state word (job_info_t::job_state) by the rule above.
JobPresence presence_from_state(std::uint32_t job_state);

/// Asks slurmctld about one job (slurm_load_job). Never throws.
JobPresence job_presence(std::uint32_t job_id);

}  // namespace psgw::slurm
