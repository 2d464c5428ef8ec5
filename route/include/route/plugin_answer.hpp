// The plugin runner's answer (psgw-plugin-runner.py): one gateway index per node pair,
// A-major, each 1, 2 or 4 bytes in native order depending on the gateway count; and its
// failure report on stderr. Pure, so that every byte a user's plugin can make the
// runner print is fuzzed (tests/fuzz/plugin_answer_fuzz.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::route {

/// Bytes per gateway index for `gateways` gateways: 1 up to 256, 2 up to 65536, else 4.
std::size_t answer_index_width(std::size_t gateways);

/// The indices of an answer for `pairs` pairs and `gateways` gateways. Throws RouteError
/// "WHO: ..." for a wrong length or an index out of range.
std::vector<std::uint32_t> decode_plugin_answer(std::string_view answer, std::size_t pairs,
                                                std::size_t gateways, std::string_view who);

/// Why the runner failed: its own "psgw-plugin-runner: " line, else the last line of
/// `error_output`, else the exit code.
std::string runner_failure_reason(std::string_view error_output, int exit_code);

}  // namespace psgw::route
