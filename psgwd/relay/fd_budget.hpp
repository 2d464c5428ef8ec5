// How many sessions the relay's descriptor limit can hold (RLIMIT_NOFILE).
#pragma once

#include <cstdint>

namespace psgw::relay {

/// Descriptors one relayed session holds: two sockets and two pipes of two ends each.
inline constexpr std::uint32_t kFdsPerSession = 6;
/// Descriptors kept free beyond those open at start: listeners, the io_context, the
/// signal pipe, the spare descriptor for refusing at EMFILE, the stats temp file.
inline constexpr std::uint32_t kFdReserve = 24;

/// The outcome of fit_sessions_to_nofile().
struct FdBudget {
    std::uint64_t nofile = 0;         ///< soft RLIMIT_NOFILE after raising it
    std::uint64_t open_at_start = 0;  ///< descriptors already open (counted in the reserve)
    std::uint32_t max_sessions = 0;   ///< sessions that fit (<= the wanted number, >= 1)
};

/// Raises the soft RLIMIT_NOFILE to the hard limit (systemd's default soft limit is
/// 1024) and returns how many of `wanted` sessions fit in it at kFdsPerSession each.
/// Never throws: without /proc or setrlimit it works from the current limit.
FdBudget fit_sessions_to_nofile(std::uint32_t wanted);

}  // namespace psgw::relay
