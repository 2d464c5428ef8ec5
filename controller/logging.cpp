#include "logging.hpp"

#include "log/logger_setup.hpp"

#include <memory>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

namespace psgw::controller {

void setup_logging(std::string_view tool, std::uint32_t job) {
    std::string prefix(tool);
    if (job != 0) prefix += "[job " + std::to_string(job) + "]";
    // Slurm 22.05 does not keep what PrologSlurmctld/EpilogSlurmctld print, so the
    // lines also go to syslog (facility daemon, ident = the tool), where admins look.
    auto to_stderr = std::make_shared<spdlog::sinks::stderr_sink_st>();
    to_stderr->set_pattern("%Y-%m-%dT%H:%M:%S %l " + prefix + ": %v");
    auto to_syslog = std::make_shared<spdlog::sinks::syslog_sink_st>(std::string(tool), LOG_PID, LOG_DAEMON,
                                                                     /*enable_formatting=*/true);
    to_syslog->set_pattern(prefix + ": %v");
    // Each sink keeps its own pattern (no common one); level info unless SPDLOG_LEVEL says otherwise.
    psgw::log::LoggerOptions logging;
    logging.name = std::string(tool);
    logging.program = std::string(tool);
    logging.flush_on = spdlog::level::info;
    logging.sinks = {to_stderr, to_syslog};
    psgw::log::setup_logger(std::move(logging));
}

}  // namespace psgw::controller
