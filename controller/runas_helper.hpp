// psgw-runas, the setuid-root helper of the controller side (grammar in contract.hpp):
// with SlurmUser=slurm, PrologSlurmctld runs unprivileged, yet the routing file, the
// .gw map, the .err file, ROUTE_SCRIPT and external plugins must be written or run as
// the job user, never as root or SlurmUser. The helper does exactly that and nothing
// else: it drops to the user before touching a path or running a program.
#pragma once

#include "sys/user_identity.hpp"

#include <sys/stat.h>
#include <sys/types.h>
#include <chrono>
#include <string>
#include <vector>

namespace psgw::runas {

struct Request {
    uid_t uid = 0;                         ///< the job user; never 0
    std::string cwd = "/";                 ///< exec: working directory (as the user)
    std::chrono::milliseconds timeout{0};  ///< exec: 0 = none
    int report_fd = -1;                    ///< exec: where the outcome goes
    std::vector<std::string> args;         ///< VERB ARGS...
};

/// Who may use the helper: root, or a member of the group that owns the helper file
/// (SlurmUser's), and only when the file is not executable by others. The empty
/// string when `caller` may; else the one-line reason.
std::string caller_refusal(const struct stat& helper, uid_t caller, const std::vector<gid_t>& caller_groups);

/// The user to act as: known to passwd and not root. Throws psgw::Error.
sys::UserIdentity target_user(uid_t uid);

/// Carries out an authorised request (drop, then the operation); the helper's exit
/// code. Refusals and failures print one "psgw: " line on stderr.
int perform(const Request& request);

}  // namespace psgw::runas
