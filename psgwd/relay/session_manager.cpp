#include "relay/session_manager.hpp"

#include "relay/relay_session.hpp"

namespace psgw::relay {

void SessionManager::start(const std::shared_ptr<RelaySession>& session) {
    sessions_.insert(session);
    session->start();
}

void SessionManager::stop(const std::shared_ptr<RelaySession>& session) {
    if (sessions_.erase(session) > 0) session->stop();
}

void SessionManager::stop_all() {
    // Move out first: stop() may call back into stop(session) for the same session.
    auto sessions = std::move(sessions_);
    sessions_.clear();
    for (const auto& session : sessions) session->stop();
}

}  // namespace psgw::relay
