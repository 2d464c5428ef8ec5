#include "slurm/job_info.hpp"

#include <gtest/gtest.h>

#include <slurm/slurm.h>

namespace psgw::slurm {
namespace {

TEST(JobInfo, PresenceFromState) {
    EXPECT_EQ(presence_from_state(JOB_RUNNING), JobPresence::kActive);
    EXPECT_EQ(presence_from_state(JOB_RUNNING | JOB_CONFIGURING), JobPresence::kActive);  // in prologue
    EXPECT_EQ(presence_from_state(JOB_SUSPENDED), JobPresence::kActive);
    // Pending (also right after a requeue): its prologue runs again and reserves anew.
    EXPECT_EQ(presence_from_state(JOB_PENDING), JobPresence::kGone);
    EXPECT_EQ(presence_from_state(JOB_PENDING | JOB_REQUEUE | JOB_COMPLETING), JobPresence::kGone);
    for (auto state : {JOB_COMPLETE, JOB_CANCELLED, JOB_FAILED, JOB_TIMEOUT, JOB_NODE_FAIL, JOB_PREEMPTED,
                       JOB_BOOT_FAIL, JOB_DEADLINE, JOB_OOM}) {
        EXPECT_EQ(presence_from_state(state), JobPresence::kGone) << state;
        EXPECT_EQ(presence_from_state(state | JOB_COMPLETING), JobPresence::kGone) << state;
    }
}

TEST(JobInfo, Names) {
    EXPECT_EQ(to_string(JobPresence::kUnknown), "unknown");
    EXPECT_EQ(to_string(JobPresence::kGone), "gone");
}

}  // namespace
}  // namespace psgw::slurm
