#include "agent_calls.hpp"

#include <exception>
#include <future>

namespace psgw::controller {

namespace {

std::string describe(const GatewayTarget& target, const std::exception& error) {
    return target.name + " (" + target.agent.host + ":" + std::to_string(target.agent.port) +
           "): " + error.what();
}

}  // namespace

StartOutcome start_on_all(const std::vector<GatewayTarget>& targets, const control::StartRequest& request,
                          std::chrono::milliseconds timeout) {
    std::vector<std::future<control::StartReply>> calls;
    calls.reserve(targets.size());
    for (const auto& target : targets) {
        calls.push_back(std::async(std::launch::async, [&target, &request, timeout] {
            return control::start_relays(target.agent, request, timeout);
        }));
    }
    StartOutcome outcome;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        try {
            outcome.started.push_back({targets[i], calls[i].get()});
        } catch (const std::exception& error) {
            outcome.errors.push_back(describe(targets[i], error));
        }
    }
    return outcome;
}

std::vector<std::string> stop_on_all(const std::vector<GatewayTarget>& targets, std::uint32_t job,
                                     std::chrono::milliseconds timeout) {
    std::vector<std::future<void>> calls;
    calls.reserve(targets.size());
    for (const auto& target : targets) {
        calls.push_back(std::async(std::launch::async, [&target, job, timeout] {
            control::stop_relays(target.agent, job, timeout, target.incarnation);
        }));
    }
    std::vector<std::string> errors;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        try {
            calls[i].get();
        } catch (const std::exception& error) {
            errors.push_back(describe(targets[i], error));
        }
    }
    return errors;
}

}  // namespace psgw::controller
