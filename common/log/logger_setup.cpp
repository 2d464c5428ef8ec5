#include "log/logger_setup.hpp"

#include <psgw/version.hpp>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <utility>

namespace psgw::log {

std::shared_ptr<spdlog::logger> setup_logger(LoggerOptions options) {
    // Reuse a logger of that name (library code may have created it on first use and
    // keep a reference to it); otherwise register a new one.
    std::shared_ptr<spdlog::logger> logger = spdlog::get(options.name);
    if (!options.sinks.empty() || !logger) {
        if (options.sinks.empty()) options.sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
        if (logger) {
            logger->sinks() = options.sinks;
        } else {
            logger =
                std::make_shared<spdlog::logger>(options.name, options.sinks.begin(), options.sinks.end());
            spdlog::register_logger(logger);
        }
    }
    if (!options.pattern.empty()) logger->set_pattern(options.pattern);
    logger->set_level(options.level);
    logger->flush_on(options.flush_on);
    if (options.make_default) spdlog::set_default_logger(logger);
    spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL wins over the command line
    logger->info("{} {}", options.program, kVersion);
    return logger;
}

}  // namespace psgw::log
