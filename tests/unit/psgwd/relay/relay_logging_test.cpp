// The relay's log set-up (common/log): the version line once at start, the config's
// log_level as the default, and SPDLOG_LEVEL (as --gw_env passes it) overriding it.
#include "relay_test_support.hpp"

#include <psgw/version.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace {

using namespace psgw::relay::test;

/// Sets SPDLOG_LEVEL for the relays this test starts (they inherit the environment).
class ScopedSpdlogLevel {
public:
    explicit ScopedSpdlogLevel(const std::optional<std::string>& value) {
        if (value)
            ::setenv("SPDLOG_LEVEL", value->c_str(), 1);
        else
            ::unsetenv("SPDLOG_LEVEL");
    }
    ~ScopedSpdlogLevel() { ::unsetenv("SPDLOG_LEVEL"); }
    ScopedSpdlogLevel(const ScopedSpdlogLevel&) = delete;
    ScopedSpdlogLevel& operator=(const ScopedSpdlogLevel&) = delete;
};

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

const std::string kVersionLine = "psgwd relay " + std::string(psgw::kVersion);

std::string relay_log(const std::string& config_level, const std::optional<std::string>& env_level) {
    auto config = loopback_config();
    config["log_level"] = config_level;
    ScopedSpdlogLevel env(env_level);
    const RunResult run = run_relay_until_ready(config);
    EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
    return run.stderr_text;
}

TEST(RelayLogging, LogsItsVersionOnceAtInfo) {
    const std::string log = relay_log("info", std::nullopt);
    EXPECT_EQ(count(log, kVersionLine), 1u) << log;
    EXPECT_EQ(count(log, " relay["), count(log, "\n")) << "every line has the relay's pattern:\n" << log;
}

TEST(RelayLogging, ConfigLevelWarnHidesInfoLines) {
    const std::string log = relay_log("warn", std::nullopt);
    EXPECT_EQ(count(log, kVersionLine), 0u) << log;
}

TEST(RelayLogging, SpdlogLevelOverridesTheConfigLevel) {
    // Raised by name (the form docs/admin.md gives) and globally ...
    EXPECT_EQ(count(relay_log("warn", "relay=debug"), kVersionLine), 1u);
    EXPECT_EQ(count(relay_log("warn", "info"), kVersionLine), 1u);
    // ... and lowered: the environment wins both ways.
    EXPECT_EQ(count(relay_log("info", "relay=error"), kVersionLine), 0u);
    // Another logger's name leaves the relay at its config level.
    EXPECT_EQ(count(relay_log("warn", "agent=debug"), kVersionLine), 0u);
}

}  // namespace
