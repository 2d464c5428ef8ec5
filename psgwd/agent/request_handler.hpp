// Turns one framed request body into a reply: verify the MUNGE credential,
// authorize the sender, validate the payload, dispatch to the job registry.
// Socket-free, so the authorization rules are testable without a network.
#pragma once

#include "agent/job_registry.hpp"
#include "control/munge_codec.hpp"

#include <string>
#include <string_view>
#include <sys/types.h>

#include <nlohmann/json.hpp>

namespace psgw::agent {

/// Serves control requests against one registry.
class RequestHandler {
public:
    /// `control_uid`: besides root, the one uid allowed to control the agent (CONTROL_USER).
    RequestHandler(JobRegistry& registry, const control::MungeCodec& munge, uid_t control_uid);

    /// The reply for `credential` received from `peer` ("ADDR:PORT", for the log).
    nlohmann::json handle(std::string_view credential, const std::string& peer);

private:
    nlohmann::json refuse(const std::string& peer, const std::string& reason);

    JobRegistry& registry_;
    const control::MungeCodec& munge_;
    uid_t control_uid_;
};

}  // namespace psgw::agent
