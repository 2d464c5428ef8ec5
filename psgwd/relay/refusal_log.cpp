#include "relay/refusal_log.hpp"

#include "relay/relay_log.hpp"
#include "wire/relay_handshake.hpp"

namespace psgw::relay {

namespace {

using contract::RelayStatus;

spdlog::level::level_enum level_of(RelayStatus status) {
    const bool access = status == RelayStatus::kSourceNotInJob || status == RelayStatus::kDestNotInJob;
    return access ? spdlog::level::warn : spdlog::level::info;
}

}  // namespace

void RefusalLog::refused(Fabric listener, std::string_view peer, RelayStatus status,
                         std::string_view detail) {
    stats_.on_refused(status);
    const auto decision = limiter_.on_refusal(status, RefusalLimiter::Clock::now());
    if (decision.suppressed_before > 0) {
        relay_log().log(level_of(status), "job {}: suppressed {} more refusals ({})", job_,
                        decision.suppressed_before, wire::to_string(status));
    }
    if (!decision.log) return;
    relay_log().log(level_of(status), "job {}: refused {} on {} listener: {}{}{}", job_, peer,
                    to_string(listener), wire::to_string(status), detail.empty() ? "" : ": ", detail);
}

void RefusalLog::flush() {
    const auto suppressed = limiter_.flush();
    for (std::size_t i = 0; i < suppressed.size(); ++i) {
        if (suppressed[i] == 0) continue;
        const auto status = static_cast<RelayStatus>(i);
        relay_log().log(level_of(status), "job {}: suppressed {} more refusals ({})", job_, suppressed[i],
                        wire::to_string(status));
    }
}

}  // namespace psgw::relay
