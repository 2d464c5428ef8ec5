// The relay's spdlog logger.
#pragma once

#include <spdlog/logger.h>

namespace psgw::relay {

/// The logger named "relay" (stderr); created on first use so library code and tests
/// work without relay_main having set it up.
spdlog::logger& relay_log();

}  // namespace psgw::relay
