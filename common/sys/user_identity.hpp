// Who a child process or a file operation acts as.
#pragma once

#include "posix/passwd_lookup.hpp"

#include <sys/types.h>

namespace psgw::sys {

/// The job user: the passwd fields psgw uses (name is used for initgroups(); home is
/// empty when not looked up). One struct with posix::find_user's result.
using UserIdentity = posix::PasswdEntry;

/// Drops to the user in the safe order: initgroups (supplementary groups), setgid,
/// setuid; then checks that root cannot be regained. Only for a forked child.
/// Throws std::system_error on failure. No-op check when already that user.
void drop_privileges(const UserIdentity& user);

/// Looks the user up by uid (getpwuid_r), home included; throws std::runtime_error if unknown.
UserIdentity lookup_user(uid_t uid);

}  // namespace psgw::sys
