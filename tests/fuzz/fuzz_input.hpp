// What every fuzz target shares: the input as text, and the rule that a parser may
// refuse bad input only with a psgw::Error (anything else escapes the target and
// libFuzzer reports it as a crash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace psgw::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// Stops the run with `what` when an invariant of a successful parse does not hold.
[[noreturn]] inline void invariant_broken(const char* what) {
    std::fprintf(stderr, "psgw fuzz: invariant broken: %s\n", what);
    std::abort();
}

}  // namespace psgw::fuzz

#define PSGW_FUZZ_CHECK(condition) \
    ((condition) ? static_cast<void>(0) : ::psgw::fuzz::invariant_broken(#condition))
