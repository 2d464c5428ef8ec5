// Owns the open relay sessions so they can all be stopped at shutdown.
#pragma once

#include <cstddef>
#include <memory>
#include <set>

namespace psgw::relay {

class RelaySession;

/// The set of live sessions (asio http server's connection_manager).
class SessionManager {
public:
    SessionManager() = default;
    SessionManager(const SessionManager&) = delete;
    SessionManager& operator=(const SessionManager&) = delete;

    /// Adds and starts `session`.
    void start(const std::shared_ptr<RelaySession>& session);
    /// Removes and stops `session` (no-op if already removed).
    void stop(const std::shared_ptr<RelaySession>& session);
    /// Stops every session (shutdown).
    void stop_all();
    /// Number of live sessions (enforces max_connections).
    std::size_t size() const { return sessions_.size(); }

private:
    std::set<std::shared_ptr<RelaySession>> sessions_;  ///< live sessions
};

}  // namespace psgw::relay
