// Running helper programs (route plugins, psgw_error, ROUTE_SCRIPT) with a
// timeout, optionally as the job user, capturing their output.
#pragma once

#include "sys/user_identity.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::sys {

struct ChildResult {
    int exit_code = -1;        ///< exit status, or 128+signal
    bool timed_out = false;    ///< killed (SIGKILL to its process group) at the deadline
    std::string output;        ///< stdout (and stderr if merged), capped at 1 MiB
    std::string error_output;  ///< stderr, capped at 64 KiB
};

struct ChildOptions {
    std::vector<std::string> argv;         ///< argv[0] is an absolute path; no shell
    std::vector<std::string> env;          ///< complete environment, KEY=VALUE
    std::optional<UserIdentity> as_user;   ///< drop privileges to this user first
    std::chrono::milliseconds timeout{0};  ///< 0: no timeout
    std::string stdin_data;                ///< written to the child's stdin, then closed
    std::string working_dir;               ///< chdir before exec (after the drop); empty: "/"
    std::size_t output_limit = 1u << 20;   ///< cap on ChildResult::output (bytes beyond are dropped)
    bool merge_stderr = false;             ///< stderr goes to the same pipe as stdout
};

/// Forks, puts the child in its own process group, drops privileges, execs.
/// Throws std::system_error if the child cannot be started at all.
ChildResult run_child(const ChildOptions& options);

}  // namespace psgw::sys
