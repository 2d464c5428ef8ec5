#include "slurm/job_info.hpp"

#include "slurm/node_info.hpp"

#include <memory>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

namespace psgw::slurm {

namespace {

struct JobInfoMsgDeleter {
    void operator()(job_info_msg_t* msg) const { slurm_free_job_info_msg(msg); }
};
using JobInfoMsgPtr = std::unique_ptr<job_info_msg_t, JobInfoMsgDeleter>;

}  // namespace

std::string_view to_string(JobPresence presence) {
    switch (presence) {
        case JobPresence::kActive:
            return "active";
        case JobPresence::kGone:
            return "gone";
        case JobPresence::kUnknown:
            return "unknown";
    }
    return "unknown";
}

JobPresence presence_from_state(std::uint32_t job_state) {
    switch (job_state & JOB_STATE_BASE) {
        case JOB_RUNNING:
        case JOB_SUSPENDED:
            return JobPresence::kActive;
        default:
            // PENDING and every finished state (COMPLETE .. OOM).
            return JobPresence::kGone;
    }
}

JobPresence job_presence(std::uint32_t job_id) {
    ensure_slurm_initialized();
    job_info_msg_t* raw = nullptr;
    if (slurm_load_job(&raw, job_id, SHOW_ALL) != SLURM_SUCCESS) {
        // Only this answer proves the job is gone; any transport error is "unknown".
        return slurm_get_errno() == ESLURM_INVALID_JOB_ID ? JobPresence::kGone : JobPresence::kUnknown;
    }
    JobInfoMsgPtr msg(raw);
    for (uint32_t i = 0; i < msg->record_count; ++i) {
        const slurm_job_info_t& job = msg->job_array[i];
        // A het leader query returns every component; the leader's record decides.
        if (job.job_id == job_id) return presence_from_state(job.job_state);
    }
    return JobPresence::kGone;
}

}  // namespace psgw::slurm
