// psmgmt's shipped route plugins as O(1) functions of the pair numbers.
// Each takes psroute's routeConnectionS arguments and returns the gateway index.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace psgw::route {

/// The built-in plugins, by psmgmt's file names.
enum class BuiltinPlugin { kPlugin01, kPlugin02, kPlugin03 };

/// "plugin01" or "plugin01.py" -> kPlugin01, etc.; nullopt for anything else.
std::optional<BuiltinPlugin> find_builtin(std::string_view name);

/// plugin01.py: (i + j) mod numGw.
constexpr std::uint64_t route_plugin01(std::uint64_t /*size_a*/, std::uint64_t /*size_b*/,
                                       std::uint64_t num_gw, std::uint64_t i, std::uint64_t j) {
    return (i + j) % num_gw;
}

/// plugin02.py as shipped: its first line computes numeralNodeA - numeralNodeA (always 0),
/// so the result is (i + ((j - i) mod sizeB) mod numGw) mod numGw, with Python's
/// non-negative modulo. Kept bug-for-bug so existing jobs get the same routes.
constexpr std::uint64_t route_plugin02(std::uint64_t /*size_a*/, std::uint64_t size_b, std::uint64_t num_gw,
                                       std::uint64_t i, std::uint64_t j) {
    const std::uint64_t rel_b = (j + size_b - i % size_b) % size_b;  // (j - i) mod sizeB, j < sizeB
    return (i + rel_b % num_gw) % num_gw;
}

/// plugin03.py: pairs numbered row-major (i * sizeB + j), assigned round-robin.
/// psmgmt searched the list of all pairs on every call; this is the same number.
constexpr std::uint64_t route_plugin03(std::uint64_t /*size_a*/, std::uint64_t size_b, std::uint64_t num_gw,
                                       std::uint64_t i, std::uint64_t j) {
    return (i * size_b + j) % num_gw;
}

}  // namespace psgw::route
