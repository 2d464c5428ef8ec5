// Privilege drop for forked children and user lookup.
#include "sys/user_identity.hpp"

#include <psgw/error.hpp>
#include "posix/passwd_lookup.hpp"

#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace psgw::sys {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

void drop_privileges(const UserIdentity& user) {
    if (geteuid() != 0) {
        // Unprivileged: we can only act as ourselves.
        if (geteuid() != user.uid || getuid() != user.uid) {
            throw std::system_error(
                EPERM, std::generic_category(),
                "psgw: cannot switch to uid " + std::to_string(user.uid) + " without root");
        }
    } else {
        // Order matters: groups first, while we are still root (psroute.py's changeUser).
        if (setgroups(0, nullptr) != 0) throw_errno("psgw: setgroups");
        if (initgroups(user.name.c_str(), user.gid) != 0)
            throw_errno("psgw: initgroups for user '" + user.name + "'");
        if (setresgid(user.gid, user.gid, user.gid) != 0)
            throw_errno("psgw: setgid " + std::to_string(user.gid));
        if (setresuid(user.uid, user.uid, user.uid) != 0)
            throw_errno("psgw: setuid " + std::to_string(user.uid));
    }
    // Setuid binaries (sudo, ...) must not hand root back to the user's code.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("psgw: PR_SET_NO_NEW_PRIVS");
    if (user.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        throw std::system_error(EPERM, std::generic_category(),
                                "psgw: privilege drop failed: root could be regained");
    }
}

UserIdentity lookup_user(uid_t uid) {
    const auto entry = posix::find_user(uid);
    if (!entry) throw psgw::Error("psgw: unknown user id " + std::to_string(uid));
    return *entry;
}

}  // namespace psgw::sys
