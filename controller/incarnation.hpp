// A prologue run's incarnation: a random nonce that tells this run's relays from those
// of an earlier run of the same (requeued) job id, so a late stop of the earlier run
// cannot stop them (docs/protocol.md, "control").
#pragma once

#include <cstdint>

namespace psgw::controller {

/// A random 64-bit value, never 0 (0 means "unknown" on the wire). Never throws.
std::uint64_t new_incarnation() noexcept;

}  // namespace psgw::controller
