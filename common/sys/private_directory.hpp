// Directories whose files root acts on (the controller ledger, the agent's relay state).
#pragma once

#include <sys/types.h>
#include <filesystem>
#include <string_view>

namespace psgw::sys {

/// Creates `dir` with `mode` if it is missing, then insists that it is a real directory
/// (not a symlink) owned by this process's effective uid and writable by nobody else:
/// whoever may write there could make root release gateways or signal any process.
/// Throws std::runtime_error "psgw: <what>: ..." naming the path.
void ensure_private_directory(const std::filesystem::path& dir, std::string_view what, mode_t mode = 0700);

}  // namespace psgw::sys
