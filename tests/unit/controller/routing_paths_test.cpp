#include "routing_paths.hpp"
#include "relay_environment.hpp"

#include <gtest/gtest.h>

namespace psgw::controller {
namespace {

TEST(RoutingPaths, GwFileWins) {
    GatewayOptions options;
    options.route_file = "/scratch/routes";
    options.cwd = "/home/alice/run";
    EXPECT_EQ(routing_file_path(options, 42, "psgw-route", "/home/alice"), "/scratch/routes");
}

TEST(RoutingPaths, CwdThenHome) {
    GatewayOptions options;
    options.cwd = "/home/alice/run";
    EXPECT_EQ(routing_file_path(options, 42, "psgw-route", "/home/alice"), "/home/alice/run/psgw-route-42");
    options.cwd.clear();
    EXPECT_EQ(routing_file_path(options, 42, "myprefix", "/home/alice"), "/home/alice/myprefix-42");
}

TEST(RoutingPaths, MapAndErrorFiles) {
    EXPECT_EQ(gateway_map_path("/home/a/psgw-route-7"), "/home/a/psgw-route-7.gw");
    JobEnvironment job;
    job.work_dir = "/work/dir";
    EXPECT_EQ(error_directory(job, "/home/a"), "/work/dir");
    job.options.cwd = "/submit/dir";
    EXPECT_EQ(error_directory(job, "/home/a"), "/submit/dir");
    job = JobEnvironment{};
    EXPECT_EQ(error_directory(job, "/home/a"), "/home/a");
    EXPECT_EQ(error_file_path("/submit/dir", 7), "/submit/dir/JOB-7-psgw.err");
}

TEST(RoutingPaths, HomeDirectoryOfRoot) {
    EXPECT_EQ(home_directory(0), "/root");
    EXPECT_THROW(home_directory(4000000000u), JobEnvironmentError);
}

TEST(RelayEnvironment, OrderAndOverride) {
    GatewayOptions options;
    options.gw_env = "B=2 A=override";
    options.ld_library_path = "/opt/lib";
    options.psp_vars = {{"PSP_DEBUG", "3"}};
    EXPECT_EQ(
        relay_environment({"A=1", "C=3"}, options),
        (std::vector<std::string>{"A=override", "C=3", "B=2", "LD_LIBRARY_PATH=/opt/lib", "PSP_DEBUG=3"}));
}

}  // namespace
}  // namespace psgw::controller
