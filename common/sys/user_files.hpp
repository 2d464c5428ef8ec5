// File operations in a user's directories, done as that user (run_as: a forked child
// as root, psgw-runas as SlurmUser), never following a symlink (psmgmt's root unlink()
// of user paths is the hazard).
#pragma once

#include "sys/user_identity.hpp"

#include <sys/types.h>
#include <filesystem>
#include <optional>
#include <string_view>

namespace psgw::sys {

/// Writes `content` to `path` atomically: a new O_EXCL|O_NOFOLLOW temporary file in
/// the same directory, fsync, rename. Acts as `as_user` when given (run_as), else as
/// the caller. Throws std::runtime_error with a one-line
/// reason naming the path; on failure no temporary file is left behind.
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           const std::optional<UserIdentity>& as_user, mode_t mode = 0644);

/// Appends to `path` (O_APPEND|O_CREAT|O_NOFOLLOW, mode 0644) as the user. Throws.
void append_file(const std::filesystem::path& path, std::string_view content,
                 const std::optional<UserIdentity>& as_user);

/// Removes `path` as the user if it is a regular file (not a symlink target).
/// Returns false if it did not exist. Throws on other errors.
bool remove_file(const std::filesystem::path& path, const std::optional<UserIdentity>& as_user);

}  // namespace psgw::sys
