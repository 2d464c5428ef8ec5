#include "agent/request_handler.hpp"
#include <psgw/error.hpp>

#include "control/control_message.hpp"

#include <psgw/contract.hpp>

#include <spdlog/spdlog.h>

namespace psgw::agent {

RequestHandler::RequestHandler(JobRegistry& registry, const control::MungeCodec& munge, uid_t control_uid)
    : registry_(registry), munge_(munge), control_uid_(control_uid) {}

nlohmann::json RequestHandler::refuse(const std::string& peer, const std::string& reason) {
    spdlog::warn("refused control request from {}: {}", peer, reason);
    return control::error_reply(reason);
}

std::string RequestHandler::seal(const nlohmann::json& reply, std::optional<uid_t> reader) const {
    auto encode = [this, reader](const nlohmann::json& body) {
        const std::string text = control::reply_text(body);
        if (text.size() > contract::kMaxControlReply)
            throw control::MessageError("psgw: reply of " + std::to_string(text.size()) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(contract::kMaxControlReply));
        return munge_.encode(text, reader);
    };
    try {
        return encode(reply);
    } catch (const std::exception& e) {
        spdlog::error("cannot encode a reply: {}", e.what());
    }
    try {
        return encode(control::error_reply("psgw: the agent could not encode its reply (see its log)"));
    } catch (const std::exception& e) {
        spdlog::error("cannot encode an error reply: {}", e.what());
    }
    return {};
}

nlohmann::json fit_list(nlohmann::json body, std::size_t budget) {
    auto size = [](const nlohmann::json& j) { return control::reply_text(j).size(); };
    if (size(body) <= budget) return body;
    nlohmann::json& jobs = body["jobs"];
    for (auto& job : jobs)
        for (auto& relay : job["relays"]) relay["stats"] = nullptr;
    body["stats_omitted"] = true;
    if (size(body) <= budget) return body;
    // Keep leading jobs while they fit, with room for the markers.
    constexpr std::size_t kMarkers = 64;
    std::size_t used = size(nlohmann::json{{"jobs", nlohmann::json::array()}, {"stats_omitted", true}});
    std::size_t kept = 0;
    for (; kept < jobs.size(); ++kept) {
        used += size(jobs[kept]) + 1;
        if (used + kMarkers > budget) break;
    }
    const std::size_t omitted = jobs.size() - kept;
    jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(kept), jobs.end());
    body["truncated"] = true;
    body["jobs_omitted"] = omitted;
    return body;
}

void RequestHandler::handle(std::string_view credential, const std::string& peer, const Reply& reply) {
    // Before the credential is verified the sender is unknown: its reply is readable by anyone.
    auto answer = [this, reply](const nlohmann::json& body, std::optional<uid_t> reader) {
        reply(seal(body, reader));
    };
    control::DecodedCredential decoded;
    try {
        decoded = munge_.decode(credential);
    } catch (const control::MungeError& e) {
        return answer(refuse(peer, std::string("bad credential: ").append(error_body(e.what()))),
                      std::nullopt);
    }
    if (decoded.uid != 0 && decoded.uid != control_uid_)
        return answer(refuse(peer, "not authorized: uid " + std::to_string(decoded.uid)), std::nullopt);

    const uid_t reader = decoded.uid;
    auto send = [answer, reader](const nlohmann::json& body) { answer(body, reader); };
    control::Request request;
    try {
        request = control::parse_request(decoded.payload);
    } catch (const control::MessageError& e) {
        spdlog::warn("bad control request from {} (uid {}): {}", peer, decoded.uid, e.what());
        return send(control::error_reply(e.what()));
    }
    auto failed = [peer, send](const std::string& error) {
        spdlog::error("request from {} failed: {}", peer, error);
        send(control::error_reply(error));
    };
    try {
        if (const auto* start = std::get_if<control::StartRequest>(&request)) {
            spdlog::info("start job {} (incarnation {}) for {} ({} relay(s)) from {} (uid {})", start->job,
                         start->incarnation, start->user, start->relays, peer, decoded.uid);
            return registry_.start(*start, [send, failed](const std::optional<control::StartReply>& started,
                                                          const std::string& error) {
                if (!started) return failed(error);
                send(control::to_json(*started));
            });
        }
        if (const auto* stop = std::get_if<control::StopRequest>(&request)) {
            spdlog::info("stop job {} (incarnation {}) from {} (uid {})", stop->job, stop->incarnation, peer,
                         decoded.uid);
            return registry_.stop(stop->job, stop->incarnation,
                                  [send](const JobRegistry::StopResult& result) {
                                      nlohmann::json body{{"stopped", result.stopped}};
                                      if (result.mismatch)
                                          body["note"] = "incarnation mismatch: relays of a newer start kept";
                                      send(control::ok_reply(std::move(body)));
                                  });
        }
        // Room for the envelope ("v", "ok") around the list.
        send(control::ok_reply(fit_list(registry_.list(), contract::kMaxControlReply - 64)));
    } catch (const std::exception& e) {
        failed(e.what());
    }
}

}  // namespace psgw::agent
