#include "agent/request_handler.hpp"
#include <psgw/error.hpp>

#include "control/control_message.hpp"

#include <spdlog/spdlog.h>

namespace psgw::agent {

RequestHandler::RequestHandler(JobRegistry& registry, const control::MungeCodec& munge, uid_t control_uid)
    : registry_(registry), munge_(munge), control_uid_(control_uid) {}

nlohmann::json RequestHandler::refuse(const std::string& peer, const std::string& reason) {
    spdlog::warn("refused control request from {}: {}", peer, reason);
    return control::error_reply(reason);
}

void RequestHandler::handle(std::string_view credential, const std::string& peer, const Reply& reply) {
    control::DecodedCredential decoded;
    try {
        decoded = munge_.decode(credential);
    } catch (const control::MungeError& e) {
        return reply(refuse(peer, std::string("bad credential: ").append(error_body(e.what()))));
    }
    if (decoded.uid != 0 && decoded.uid != control_uid_)
        return reply(refuse(peer, "not authorized: uid " + std::to_string(decoded.uid)));

    control::Request request;
    try {
        request = control::parse_request(decoded.payload);
    } catch (const control::MessageError& e) {
        spdlog::warn("bad control request from {} (uid {}): {}", peer, decoded.uid, e.what());
        return reply(control::error_reply(e.what()));
    }
    auto failed = [peer, reply](const std::string& error) {
        spdlog::error("request from {} failed: {}", peer, error);
        reply(control::error_reply(error));
    };
    try {
        if (const auto* start = std::get_if<control::StartRequest>(&request)) {
            spdlog::info("start job {} for {} ({} relay(s)) from {} (uid {})", start->job, start->user,
                         start->relays, peer, decoded.uid);
            return registry_.start(*start, [reply, failed](const std::optional<control::StartReply>& started,
                                                           const std::string& error) {
                if (!started) return failed(error);
                reply(control::to_json(*started));
            });
        }
        if (const auto* stop = std::get_if<control::StopRequest>(&request)) {
            spdlog::info("stop job {} from {} (uid {})", stop->job, peer, decoded.uid);
            return registry_.stop(stop->job, [reply](bool) { reply(control::ok_reply()); });
        }
        reply(control::ok_reply(registry_.list()));
    } catch (const std::exception& e) {
        failed(e.what());
    }
}

}  // namespace psgw::agent
