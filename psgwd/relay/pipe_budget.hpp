// The splice pipe size that fits the kernel's per-user pipe budget.
#pragma once

#include <cstdint>

namespace psgw::relay {

/// What plan_pipe_size() read and decided.
struct PipePlan {
    std::uint64_t wanted = 0;             ///< the configured pipe_size
    std::uint64_t max_size = 0;           ///< fs.pipe-max-size (0: unknown)
    std::uint64_t user_budget_bytes = 0;  ///< fs.pipe-user-pages-soft in bytes (0: none applies)
    std::uint64_t size = 0;               ///< the size to ask F_SETPIPE_SZ for
};

/// Per-pipe size for `max_sessions` sessions of two pipes each. Beyond the per-user soft
/// budget the kernel silently gives new pipes 2 pages, so the relay sizes its pipes so
/// that all its sessions fit: size = min(wanted, pipe-max-size, budget / (2 × sessions)),
/// rounded down to a power of two, but never below 64 KiB (the kernel default; below it
/// splice throughput drops, and past the budget the kernel decides anyway). Processes
/// with CAP_SYS_RESOURCE (only root, in tests) are not subject to the budget.
PipePlan plan_pipe_size(std::uint64_t wanted, std::uint32_t max_sessions, bool privileged);

/// The same decision from explicit sysctl values (0: that limit is unknown/unset).
std::uint64_t pipe_size_for(std::uint64_t wanted, std::uint64_t max_size, std::uint64_t user_budget_bytes,
                            std::uint32_t max_sessions);

}  // namespace psgw::relay
