// Shared test helpers (route_tests, common_tests): temporary directories, file reading, the user nobody.
#pragma once

#include "sys/user_identity.hpp"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace psgw::test {

/// A fresh directory under /tmp (mode 0755, so nobody can read it), removed at scope exit.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    /// The directory.
    const std::filesystem::path& path() const { return path_; }
    /// path() / name, with `content` written to it.
    std::filesystem::path write(const std::string& name, const std::string& content) const;

private:
    std::filesystem::path path_;
};

/// Whole file contents; throws if unreadable.
std::string read_file(const std::filesystem::path& path);

/// Names in a directory, sorted.
std::vector<std::string> list_dir(const std::filesystem::path& dir);

/// True if `pid` no longer runs: gone from /proc, or a zombie waiting to be reaped.
bool is_dead(pid_t pid);
/// Polls is_dead until `limit`: an orphan reaped by init disappears asynchronously.
bool dies_within(pid_t pid, std::chrono::milliseconds limit);

/// The user nobody when running as root (tests that drop privileges skip otherwise).
std::optional<sys::UserIdentity> nobody_if_root();

}  // namespace psgw::test
