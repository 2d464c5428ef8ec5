// A list reply is cut to its budget: stats go first, then trailing jobs, and the
// reply says which.
#include "agent/request_handler.hpp"

#include "control/control_message.hpp"

#include <gtest/gtest.h>

namespace psgw::agent {
namespace {

nlohmann::json jobs(unsigned count, std::size_t stats_size) {
    nlohmann::json list = nlohmann::json::array();
    for (unsigned job = 1; job <= count; ++job)
        list.push_back({{"job", job},
                        {"user", "alice"},
                        {"state", "running"},
                        {"relays", {{{"index", 0}, {"stats", std::string(stats_size, 's')}}}}});
    return {{"jobs", list}};
}

TEST(ListFit, SmallListsAreUntouched) {
    const auto body = jobs(3, 10);
    EXPECT_EQ(fit_list(body, 4096), body);
}

TEST(ListFit, StatsGoFirst) {
    const auto fitted = fit_list(jobs(3, 2000), 2048);
    EXPECT_EQ(fitted.at("jobs").size(), 3u);
    EXPECT_EQ(fitted.at("stats_omitted"), true);
    EXPECT_FALSE(fitted.contains("truncated"));
    EXPECT_TRUE(fitted["jobs"][0]["relays"][0]["stats"].is_null());
}

TEST(ListFit, ThenTrailingJobs) {
    const auto fitted = fit_list(jobs(1000, 0), 8192);
    EXPECT_LE(control::reply_text(fitted).size(), 8192u);
    EXPECT_EQ(fitted.at("truncated"), true);
    const std::size_t kept = fitted.at("jobs").size();
    EXPECT_GT(kept, 10u);
    EXPECT_EQ(fitted.at("jobs_omitted"), 1000 - kept);
    EXPECT_EQ(fitted["jobs"][0]["job"], 1);
}

}  // namespace
}  // namespace psgw::agent
