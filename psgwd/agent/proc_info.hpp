// What /proc says about a process: enough to recognise "the same process" across
// an agent restart, when the relays are no longer our children.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <optional>

namespace psgw::agent {

/// Start time (clock ticks since boot, /proc/<pid>/stat field 22) of a live process;
/// nullopt if there is no such process or it is a zombie.
std::optional<std::uint64_t> process_start_time(pid_t pid);

/// True if `pid` is alive (not a zombie) and started at `start_time`: guards against pid reuse.
bool is_same_process(pid_t pid, std::uint64_t start_time);

}  // namespace psgw::agent
