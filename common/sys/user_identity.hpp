// Who a child process or a file operation acts as.
#pragma once

#include <sys/types.h>
#include <string>

namespace psgw::sys {

/// The job user. name is used for initgroups().
struct UserIdentity {
    uid_t uid = 0;
    gid_t gid = 0;
    std::string name;
    std::string home;  ///< from the passwd entry; empty when not looked up
};

/// Drops to the user in the safe order: initgroups (supplementary groups), setgid,
/// setuid; then checks that root cannot be regained. Only for a forked child.
/// Throws std::system_error on failure. No-op check when already that user.
void drop_privileges(const UserIdentity& user);

/// Looks the user up by uid (getpwuid_r), home included; throws std::runtime_error if unknown.
UserIdentity lookup_user(uid_t uid);

}  // namespace psgw::sys
