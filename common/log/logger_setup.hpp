// One logger set-up for every psgw program that logs with spdlog (psgwd agent,
// psgwd relay, psgw-prologue, psgw-epilogue).
#pragma once

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::log {

/// How a program's logger looks.
struct LoggerOptions {
    std::string name;     ///< logger name, e.g. "agent"; SPDLOG_LEVEL=NAME=LEVEL addresses it
    std::string program;  ///< program named in the version line, e.g. "psgwd agent"
    std::string pattern;  ///< spdlog pattern of every sink
    spdlog::level::level_enum level = spdlog::level::info;      ///< the command line's level
    spdlog::level::level_enum flush_on = spdlog::level::trace;  ///< flush from this level on
    std::vector<spdlog::sink_ptr> sinks;                        ///< where lines go; empty: stderr
    bool make_default = true;  ///< also the spdlog default logger (spdlog::info(...))
};

/// Creates (or, if one of that name exists, reconfigures) the logger `options.name`,
/// sets its pattern and the command line's level, then lets SPDLOG_LEVEL override it
/// (spdlog::cfg::load_env_levels: "debug" or "agent=debug,relay=warn"), and logs
/// "PROGRAM VERSION" once at info level. Returns the logger.
std::shared_ptr<spdlog::logger> setup_logger(LoggerOptions options);

}  // namespace psgw::log
