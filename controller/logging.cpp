#include "logging.hpp"

#include <memory>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/cfg/env.h>
#include <spdlog/spdlog.h>

namespace psgw::controller {

void setup_logging(std::string_view tool, std::uint32_t job) {
    std::string prefix(tool);
    if (job != 0) prefix += "[job " + std::to_string(job) + "]";
    // Slurm 22.05 does not keep what PrologSlurmctld/EpilogSlurmctld print, so the
    // lines also go to syslog (facility daemon, ident = the tool), where admins look.
    auto to_stderr = std::make_shared<spdlog::sinks::stderr_sink_st>();
    to_stderr->set_pattern("%Y-%m-%dT%H:%M:%S %l " + prefix + ": %v");
    auto to_syslog = std::make_shared<spdlog::sinks::syslog_sink_st>(
        std::string(tool), LOG_PID, LOG_DAEMON, /*enable_formatting=*/true);
    to_syslog->set_pattern(prefix + ": %v");
    auto logger = std::make_shared<spdlog::logger>(
        std::string(tool), spdlog::sinks_init_list{to_stderr, to_syslog});
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
    spdlog::cfg::load_env_levels();
}

}  // namespace psgw::controller
