#pragma once

#include "route_resolver.hpp"

#include <optional>
#include <string>

namespace psgw::client {

/// The process-wide routing state, loaded once (thread-safe) from PSP_GW_SERVER.
struct ClientContext {
    /// What the first load found.
    enum class State {
        kUnset,  ///< PSP_GW_SERVER unset or empty: nothing is routed
        kError,  ///< the routing file could not be loaded: `error` says why
        kReady,  ///< `resolver` is usable
    };
    State state = State::kUnset;            ///< see State
    std::string error;                      ///< one line "psgw: ..." when kError
    int error_errno = 0;                    ///< open(2) errno (unreadable) or EBADMSG (malformed)
    std::optional<RouteResolver> resolver;  ///< set when kReady
};

/// Loads the context on first call (never throws) and returns it afterwards.
const ClientContext& client_context() noexcept;

/// Default timeout for a routed connect: PSGW_CONNECT_TIMEOUT_MS, else 10000 ms.
int default_connect_timeout_ms() noexcept;

}  // namespace psgw::client
