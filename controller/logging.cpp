#include "logging.hpp"

#include <memory>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/cfg/env.h>
#include <spdlog/spdlog.h>

namespace psgw::controller {

void setup_logging(std::string_view tool, std::uint32_t job) {
    std::string prefix(tool);
    if (job != 0) prefix += "[job " + std::to_string(job) + "]";
    auto logger = std::make_shared<spdlog::logger>(
        std::string(tool), std::make_shared<spdlog::sinks::stderr_sink_st>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S %l " + prefix + ": %v");
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
    spdlog::cfg::load_env_levels();
}

}  // namespace psgw::controller
