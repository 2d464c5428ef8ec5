// spdlog set-up for psgw-prologue/psgw-epilogue: stderr, which slurmctld captures,
// every line prefixed "psgw-prologue[job J]:" so it can be found in slurmctld.log.
#pragma once

#include <cstdint>
#include <string_view>

namespace psgw::controller {

/// Installs the default logger. `job` 0 leaves the job out of the prefix.
void setup_logging(std::string_view tool, std::uint32_t job);

}  // namespace psgw::controller
