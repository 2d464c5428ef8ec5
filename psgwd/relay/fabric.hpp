// The two fabrics a gateway is attached to.
#pragma once

#include <string_view>

namespace psgw::relay {

/// Which fabric a listener, peer or byte direction belongs to.
enum class Fabric { kCluster, kBooster };

/// The fabric on the other side of the gateway.
constexpr Fabric other(Fabric f) noexcept {
    return f == Fabric::kCluster ? Fabric::kBooster : Fabric::kCluster;
}

/// "cluster" or "booster".
constexpr std::string_view to_string(Fabric f) noexcept {
    return f == Fabric::kCluster ? "cluster" : "booster";
}

}  // namespace psgw::relay
