// The prologue's overall deadline (TIMEOUT_PROLOGUE): every step's own timeout is
// capped by what is left of it.
#pragma once

#include <algorithm>
#include <chrono>

namespace psgw::controller {

/// A point in time on the steady clock, with helpers to cap step timeouts.
class Deadline {
public:
    using Clock = std::chrono::steady_clock;

    /// `budget` from now; a zero budget means no deadline.
    explicit Deadline(std::chrono::seconds budget)
        : unlimited_(budget.count() == 0), end_(Clock::now() + budget) {}

    /// Time left (zero once passed); a day when unlimited.
    std::chrono::milliseconds remaining() const {
        if (unlimited_) return std::chrono::hours(24);
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - Clock::now());
        return std::max(left, std::chrono::milliseconds(0));
    }

    /// min(step, remaining()); a zero step means "only the deadline".
    std::chrono::milliseconds cap(std::chrono::milliseconds step) const {
        return step.count() == 0 ? remaining() : std::min(step, remaining());
    }

    /// True once the deadline has passed.
    bool expired() const { return !unlimited_ && Clock::now() >= end_; }

private:
    bool unlimited_;
    Clock::time_point end_;
};

}  // namespace psgw::controller
