#include "relay/relay_log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace psgw::relay {

spdlog::logger& relay_log() {
    static const std::shared_ptr<spdlog::logger> logger = [] {
        if (auto existing = spdlog::get("relay")) return existing;
        // Plain (uncoloured) stderr: the agent captures it into a file.
        return spdlog::stderr_logger_mt("relay");
    }();
    return *logger;
}

}  // namespace psgw::relay
