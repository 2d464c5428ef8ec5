// lstat() as the job user: root may be squashed on NFS homes, and the user's view
// is the one that matters for "is this still the file psgw wrote".
#pragma once

#include "sys/user_identity.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>

namespace psgw::controller {

/// Identity of a regular file.
struct FileIdentity {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
};

/// The dev/ino of `path` if it is a regular file (a symlink is not followed and
/// yields nullopt), looked up as `user` (sys::run_as) (or as the caller if
/// nullopt). Never throws; any failure yields nullopt.
std::optional<FileIdentity> stat_as_user(const std::filesystem::path& path,
                                         const std::optional<sys::UserIdentity>& user);

}  // namespace psgw::controller
