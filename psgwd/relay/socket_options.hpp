// Per-leg TCP options every relayed socket gets (client leg at accept, dest leg at open).
#pragma once

#include <chrono>

namespace psgw::relay {

/// How a dead peer is detected on an idle or stuck leg.
struct KeepaliveTimes {
    int idle_s = 0;                ///< TCP_KEEPIDLE: quiet time before the first probe
    int interval_s = 0;            ///< TCP_KEEPINTVL: between unanswered probes
    int count = 0;                 ///< TCP_KEEPCNT: unanswered probes before the reset
    unsigned user_timeout_ms = 0;  ///< TCP_USER_TIMEOUT: unacknowledged data gives up after this
};

/// The probe schedule for `keepalive` (> 0): idle = keepalive, 4 probes every
/// keepalive/4 (at least 1 s), so a crashed peer frees its slot after about twice
/// `keepalive`; TCP_USER_TIMEOUT is the same total, so a peer that vanishes with data
/// in flight is dropped on the same schedule.
KeepaliveTimes keepalive_times(std::chrono::seconds keepalive);

/// Sets SO_OOBINLINE (urgent bytes arrive in the normal stream, which splice() then
/// carries like any other byte instead of stopping at the urgent mark) and, unless
/// `keepalive` is zero, SO_KEEPALIVE with keepalive_times(). Returns 0 or the errno of
/// the first option that failed.
int set_relay_socket_options(int fd, std::chrono::seconds keepalive);

}  // namespace psgw::relay
