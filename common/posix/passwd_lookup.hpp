// The one passwd lookup: reentrant (getpw*_r), retrying with a bigger buffer on
// ERANGE, so large NSS entries (LDAP, many fields) never read as "unknown user".
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace psgw::posix {

/// The fields of a passwd entry psgw uses.
struct PasswdEntry {
    uid_t uid = 0;
    gid_t gid = 0;
    std::string name;
    std::string home;  ///< pw_dir; empty if the entry has none
};

/// The entry for `uid`; nullopt if there is none or the lookup failed.
std::optional<PasswdEntry> find_user(uid_t uid);
/// The entry for the user `name`; nullopt if there is none or the lookup failed.
std::optional<PasswdEntry> find_user(std::string_view name);

}  // namespace psgw::posix
