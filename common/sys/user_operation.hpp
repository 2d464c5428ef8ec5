// The closed set of file operations psgw performs as the job user in the user's own
// directories. A closed set (not a callback) so that the same request can be done
// here, in a forked child after the drop, or by the setuid helper psgw-runas, which
// receives it as argv: the helper never runs code it was not built with.
#pragma once

#include <sys/types.h>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace psgw::sys {

struct UserOperation {
    enum class Kind { kWrite, kAppend, kRemove, kStat };
    Kind kind;
    std::filesystem::path path;  ///< absolute for the helper
    std::string content;         ///< kWrite, kAppend: the bytes (the helper's stdin)
    mode_t mode = 0644;          ///< kWrite: the file's mode

    static UserOperation write(std::filesystem::path path, std::string content, mode_t mode);
    static UserOperation append(std::filesystem::path path, std::string content);
    static UserOperation remove(std::filesystem::path path);
    static UserOperation stat(std::filesystem::path path);

    /// The helper's arguments after the options: VERB PATH [MODE] (contract.hpp).
    std::vector<std::string> helper_args() const;
    /// Parses VERB PATH [MODE] back; nullopt with `error` set for anything else.
    static std::optional<UserOperation> from_helper_args(const std::vector<std::string>& args,
                                                         std::string& error);
};

/// Performs the operation as whoever calls it, never following a symlink at `path`.
/// Returns the operation's answer (kRemove: "1"/"0"; kStat: "DEV INO" or "" for not
/// a regular file; else ""). Throws std::runtime_error with one line naming the path.
std::string perform_here(const UserOperation& operation);

}  // namespace psgw::sys
