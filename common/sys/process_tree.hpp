// Everything a program started, gone when it is done: the caller becomes a child
// subreaper, so descendants that daemonise (fork + setsid) are re-parented to it
// instead of init and can still be found and killed.
#pragma once

#include <chrono>

namespace psgw::sys {

/// PR_SET_CHILD_SUBREAPER on the calling process. Throws std::system_error.
void become_subreaper();

/// SIGKILLs every child the caller has, then the children re-parented to it as those
/// die, until none is left (or `limit` has passed); reaps them all. For a subreaper.
/// Returns the number of processes killed.
unsigned kill_and_reap_descendants(std::chrono::milliseconds limit);

}  // namespace psgw::sys
