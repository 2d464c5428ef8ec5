// Asking several gateway agents at once: one thread per gateway, each call bounded
// by its own timeout, so one hung agent costs TIMEOUT_AGENT, not N times that.
#pragma once

#include "control/control_client.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace psgw::controller {

/// A reserved gateway node and its agent.
struct GatewayTarget {
    std::string name;
    control::AgentAddress agent;
    std::uint64_t incarnation = 0;  ///< of the relays there (LedgerEntry::incarnation)
};

/// One agent's successful answer.
struct StartedGateway {
    GatewayTarget target;
    control::StartReply reply;
};

/// Outcome of asking every agent.
struct StartOutcome {
    std::vector<StartedGateway> started;  ///< in target order
    std::vector<std::string> errors;      ///< one line per failed gateway
};

/// start_relays on every target in parallel.
StartOutcome start_on_all(const std::vector<GatewayTarget>& targets, const control::StartRequest& request,
                          std::chrono::milliseconds timeout);

/// stop_relays on every target in parallel, each with its target's incarnation; returns
/// one line per failure.
std::vector<std::string> stop_on_all(const std::vector<GatewayTarget>& targets, std::uint32_t job,
                                     std::chrono::milliseconds timeout);

}  // namespace psgw::controller
