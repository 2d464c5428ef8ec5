// Counts every refusal and logs it, at most RefusalLimiter's rate per reason.
#pragma once

#include "relay/fabric.hpp"
#include "relay/refusal_limiter.hpp"
#include "relay/relay_stats.hpp"

#include <psgw/contract.hpp>

#include <cstdint>
#include <string_view>

namespace psgw::relay {

/// The one place refusals are recorded, whether at accept or after the hello.
class RefusalLog {
public:
    RefusalLog(std::uint32_t job, RelayStats& stats) : job_(job), stats_(stats) {}
    RefusalLog(const RefusalLog&) = delete;
    RefusalLog& operator=(const RefusalLog&) = delete;

    /// Counts the refusal in the stats and logs it unless its reason is over the rate
    /// (access refusals at warn, the others at info).
    void refused(Fabric listener, std::string_view peer, contract::RelayStatus status,
                 std::string_view detail);
    /// Logs one summary line per reason with suppressed refusals not reported yet.
    void flush();

private:
    std::uint32_t job_;       ///< for the log lines
    RelayStats& stats_;       ///< refusal counters
    RefusalLimiter limiter_;  ///< the per-reason rate
};

}  // namespace psgw::relay
