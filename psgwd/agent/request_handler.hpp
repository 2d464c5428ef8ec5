// Turns one framed request body into a reply: verify the MUNGE credential,
// authorize the sender, validate the payload, dispatch to the job registry
// (whose starts and stops complete later, so the reply is a callback), and seal
// the reply in a root credential only the sender can decode.
// Socket-free, so the authorization rules are testable without a network.
#pragma once

#include "agent/job_registry.hpp"
#include "control/munge_codec.hpp"

#include <sys/types.h>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace psgw::agent {

/// Serves control requests against one registry.
class RequestHandler {
public:
    /// `control_uid`: besides root, the one uid allowed to control the agent (CONTROL_USER).
    RequestHandler(JobRegistry& registry, const control::MungeCodec& munge, uid_t control_uid);

    /// The sealed reply body (see seal()).
    using Reply = std::function<void(const std::string& body)>;

    /// Answers `credential` received from `peer` ("ADDR:PORT", for the log) through
    /// `reply`, exactly once: at once for refusals and lists, later for starts and stops.
    void handle(std::string_view credential, const std::string& peer, const Reply& reply);

    /// `reply` as a frame body: a MUNGE credential of this (root) agent carrying the JSON,
    /// decodable only by `reader` when known. Never throws: a reply that cannot be encoded
    /// becomes an error reply; empty if not even that can be encoded (munged is down).
    std::string seal(const nlohmann::json& reply, std::optional<uid_t> reader) const;

private:
    nlohmann::json refuse(const std::string& peer, const std::string& reason);

    JobRegistry& registry_;
    const control::MungeCodec& munge_;
    uid_t control_uid_;
};

/// Fits a list reply body ({"jobs":[...]}) into `budget` bytes of JSON: drops the relay
/// stats first ("stats_omitted":true), then trailing jobs ("truncated":true,
/// "jobs_omitted":N).
nlohmann::json fit_list(nlohmann::json body, std::size_t budget);

}  // namespace psgw::agent
