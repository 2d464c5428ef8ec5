// The caller's side of psgw-runas (contract.hpp): how an unprivileged SlurmUser, or
// root wanting the whole-process-tree guarantee, acts as the job user.
#pragma once

#include "sys/user_identity.hpp"
#include "sys/user_operation.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::sys {

/// The helper: $PSGW_RUNAS when set, else the installed path (PSGW_RUNAS_DEFAULT).
std::string runas_helper_path();

/// True when the process already acts as `user` (uid and gid): nothing to switch.
bool is_current_identity(const UserIdentity& user);

/// "psgw-runas --uid UID" and the options that precede the verb.
std::vector<std::string> runas_prefix(const UserIdentity& user);

/// The argv that runs `argv` as `user` through the helper's exec verb: in `working_dir`
/// ("/" when empty), killed with everything it started after `timeout` (0: none),
/// its outcome written to the helper's `report_fd`.
std::vector<std::string> runas_exec_argv(const UserIdentity& user, const std::string& working_dir,
                                         std::chrono::milliseconds timeout, int report_fd,
                                         const std::vector<std::string>& argv);

/// The exec verb's report: the program's exit code (128+signal), timed out, or not
/// started (errno and the helper's one-line reason, as spawn_exec reports it).
struct RunasOutcome {
    enum class Kind { kExited, kTimedOut, kNotStarted };
    Kind kind = Kind::kNotStarted;
    int exit_code = -1;
    int error = 0;
    std::string reason;
};
/// Parses "exit CODE\n", "timeout\n" or "error ERRNO REASON\n"; nullopt for anything
/// else (the helper refused before it could report).
std::optional<RunasOutcome> parse_runas_report(std::string_view report);

/// Performs a file operation through the helper; its answer, or std::runtime_error
/// with the helper's one line (or why it could not be run).
std::string perform_via_runas(const UserIdentity& user, const UserOperation& operation);

}  // namespace psgw::sys
