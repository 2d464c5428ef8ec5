// Bounds the relay's refusal log lines: a flood of strangers must not flood the log.
#pragma once

#include <psgw/contract.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace psgw::relay {

/// Per refusal reason: the first kBurst refusals of each interval are logged, the rest
/// only counted; the count is reported once, by the first line of a later interval or
/// by flush(). Pure (the caller passes the time), single-threaded like the relay.
class RefusalLimiter {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr int kBurst = 5;                      ///< lines per reason per interval
    static constexpr std::chrono::seconds kInterval{10};  ///< the rate window

    /// What to do with one refusal of `status` at `now`.
    struct Decision {
        bool log = false;                     ///< write this refusal's line
        std::uint64_t suppressed_before = 0;  ///< then/also report this many suppressed lines
    };
    Decision on_refusal(contract::RelayStatus status, Clock::time_point now);

    /// One slot per RelayStatus value.
    static constexpr std::size_t kReasons = static_cast<std::size_t>(contract::RelayStatus::kOverloaded) + 1;

    /// Suppressed counts not reported yet, by RelayStatus (for the shutdown summary); resets them.
    std::array<std::uint64_t, kReasons> flush();

private:
    struct Window {
        Clock::time_point start{};     ///< when this reason's current interval began
        int logged = 0;                ///< lines logged in it
        std::uint64_t suppressed = 0;  ///< refusals not logged, not reported yet
    };
    std::array<Window, kReasons> windows_{};  ///< indexed by RelayStatus
};

}  // namespace psgw::relay
