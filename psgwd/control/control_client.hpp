// Controller side of the agent control protocol (contract.hpp): every request is
// a MUNGE credential carrying the JSON body, so psgwd can tell who sent it.
#pragma once

#include <psgw/error.hpp>

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace psgw::control {

/// Failure talking to an agent or an agent's refusal; what() is one line naming the agent.
class ControlError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// What the controller asks one gateway's agent to start for a job.
struct StartRequest {
    std::uint32_t job = 0;  ///< het leader job id
    std::string user;       ///< job user name
    uid_t uid = 0;
    gid_t gid = 0;
    unsigned relays = 1;                     ///< --gw_psgwd_per_node
    std::vector<std::string> env;            ///< KEY=VALUE: GATEWAY_ENV, --gw_env, --gw_inherit
    bool debug = false;                      ///< --gw_debug
    std::string binary;                      ///< --gw_binary (empty: PSGWD_BINARY)
    std::string cwd;                         ///< where debug files go
    std::vector<std::string> cluster_peers;  ///< job nodes' cluster-fabric addresses
    std::vector<std::string> booster_peers;  ///< job nodes' booster-fabric addresses
    /// The prologue run's random nonce, so a stale stop of an earlier run of the same
    /// (requeued) job id cannot stop these relays; 0: unknown (older controller).
    std::uint64_t incarnation = 0;
};

/// One started relay process.
struct RelayInfo {
    std::uint16_t port = 0;  ///< same port on both fabric addresses
    int pid = 0;
};

/// The agent's answer to start.
struct StartReply {
    std::string cluster_addr;  ///< gateway's cluster-fabric address
    std::string booster_addr;  ///< gateway's booster-fabric address
    std::vector<RelayInfo> relays;
};

/// An agent endpoint on the management network.
struct AgentAddress {
    std::string host;  ///< address or name
    std::uint16_t port = 6470;
    std::string munge_socket;  ///< MUNGE socket signing the requests (psgw.conf MUNGE_SOCKET; empty: default)
};

/// Starts (idempotently) the relays of a job. Throws ControlError.
StartReply start_relays(const AgentAddress& agent, const StartRequest& request,
                        std::chrono::milliseconds timeout);

/// Stops the relays of the job started with `incarnation` (0: whatever runs); succeeds if
/// none were running. Returns the reply's fields ("stopped", maybe "note"). Throws ControlError.
nlohmann::json stop_relays(const AgentAddress& agent, std::uint32_t job, std::chrono::milliseconds timeout,
                           std::uint64_t incarnation = 0);

/// Lists the jobs and relays the agent runs, with relay counters. Throws ControlError.
nlohmann::json list_relays(const AgentAddress& agent, std::chrono::milliseconds timeout);

}  // namespace psgw::control
