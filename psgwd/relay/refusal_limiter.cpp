#include "relay/refusal_limiter.hpp"

namespace psgw::relay {

RefusalLimiter::Decision RefusalLimiter::on_refusal(contract::RelayStatus status, Clock::time_point now) {
    const auto index = static_cast<std::size_t>(status);
    if (index >= kReasons) return {.log = true};
    Window& w = windows_[index];
    Decision decision;
    if (w.logged == 0 || now - w.start >= kInterval) {
        // A new interval: report what the last one suppressed with its first line.
        decision.suppressed_before = w.suppressed;
        w = Window{.start = now, .logged = 0, .suppressed = 0};
    }
    if (w.logged < kBurst) {
        ++w.logged;
        decision.log = true;
    } else {
        ++w.suppressed;
    }
    return decision;
}

std::array<std::uint64_t, RefusalLimiter::kReasons> RefusalLimiter::flush() {
    std::array<std::uint64_t, kReasons> out{};
    for (std::size_t i = 0; i < kReasons; ++i) {
        out[i] = windows_[i].suppressed;
        windows_[i].suppressed = 0;
    }
    return out;
}

}  // namespace psgw::relay
