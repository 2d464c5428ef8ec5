// Acting as the job user: the one decision of how (here, a forked child that drops
// privileges, or the setuid helper psgw-runas when the caller is not root).
#pragma once

#include "sys/user_identity.hpp"
#include "sys/user_operation.hpp"

#include <optional>
#include <string>

namespace psgw::sys {

/// Performs `operation` as `user` and returns its answer (perform_here). Without a
/// user, or when the caller already is that user, it runs here; as root, in a forked
/// child after drop_privileges; otherwise (SlurmUser=slurm) through psgw-runas.
/// Errors are std::runtime_error with one "psgw: ..." line.
std::string run_as(const std::optional<UserIdentity>& user, const UserOperation& operation);

}  // namespace psgw::sys
