// Stopping relays without blocking the agent's event loop: SIGTERM to every group,
// a shared grace period, SIGKILL to what is left, completion once all have exited.
#pragma once

#include "agent/relay_process.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace psgw::agent {

/// Takes the relays over and stops them; `done` runs on `executor` once every one has
/// exited (or did not die within the SIGKILL wait either, which is logged). Should the
/// event loop go away first, the relays' destructors finish the stop synchronously.
void stop_relays_async(const boost::asio::any_io_executor& executor,
                       std::vector<std::unique_ptr<RelayProcess>> relays, std::chrono::milliseconds grace,
                       std::function<void()> done);

}  // namespace psgw::agent
