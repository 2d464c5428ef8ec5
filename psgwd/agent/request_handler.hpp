// Turns one framed request body into a reply: verify the MUNGE credential,
// authorize the sender, validate the payload, dispatch to the job registry
// (whose starts and stops complete later, so the reply is a callback).
// Socket-free, so the authorization rules are testable without a network.
#pragma once

#include "agent/job_registry.hpp"
#include "control/munge_codec.hpp"

#include <sys/types.h>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace psgw::agent {

/// Serves control requests against one registry.
class RequestHandler {
public:
    /// `control_uid`: besides root, the one uid allowed to control the agent (CONTROL_USER).
    RequestHandler(JobRegistry& registry, const control::MungeCodec& munge, uid_t control_uid);

    using Reply = std::function<void(const nlohmann::json& reply)>;

    /// Answers `credential` received from `peer` ("ADDR:PORT", for the log) through
    /// `reply`, exactly once: at once for refusals and lists, later for starts and stops.
    void handle(std::string_view credential, const std::string& peer, const Reply& reply);

private:
    nlohmann::json refuse(const std::string& peer, const std::string& reason);

    JobRegistry& registry_;
    const control::MungeCodec& munge_;
    uid_t control_uid_;
};

}  // namespace psgw::agent
