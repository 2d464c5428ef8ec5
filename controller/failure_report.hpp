// What a failed prologue leaves behind for the user and the admin: a line in
// <cwd>/JOB-<jobid>-psgw.err (appended as the user) and a run of PSGW_ERROR.
#pragma once

#include "sys/user_identity.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::controller {

/// Whether retrying the job can succeed (contract.hpp kEnvErrorKind).
enum class FailureKind { kTransient, kPermanent };

/// "permanent" or "transient".
std::string_view failure_kind_name(FailureKind kind);

/// "<ISO time> psgw: gateway startup for job J failed: <reason> [<kind>: ...]\n".
std::string error_line(std::uint32_t job, const std::string& reason, FailureKind kind,
                       std::chrono::system_clock::time_point when);

/// Appends the line to `err_file` as `user`. Throws std::runtime_error.
void append_error_file(const std::filesystem::path& err_file, const std::string& line,
                       const sys::UserIdentity& user);

/// Runs PSGW_ERROR (as the caller, i.e. SlurmUser) with `env` (the prologue's own
/// environment plus PSGW_ERROR_REASON and PSGW_ERROR_KIND) under `timeout`. An empty
/// path does nothing. Returns a one-line description of what happened, for the log.
std::string run_psgw_error(const std::filesystem::path& script, std::vector<std::string> env,
                           const std::string& reason, FailureKind kind, std::chrono::milliseconds timeout);

}  // namespace psgw::controller
