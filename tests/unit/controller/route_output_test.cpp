#include "route_output.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <fstream>

namespace psgw::controller {
namespace {

bool has(const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
}

TEST(RouteOutput, GatewayMapSortedOneLinePerGateway) {
    EXPECT_EQ(gateway_map_text({{"10.78.0.102", "10.79.0.102"}, {"10.78.0.101", "10.79.0.101"}}),
              "10.78.0.101 10.79.0.101\n10.78.0.102 10.79.0.102\n");
}

TEST(RouteOutput, RouteScriptEnvironmentFollowsPsroute) {
    config::Config config;
    RouteJob job;
    job.job = 99;
    job.split.a = {{"cluster01", "10.78.0.11", "10.78.0.11"}};
    job.split.b = {{"booster01", "10.79.0.21", "10.79.0.21"}, {"booster02", "10.79.0.22", "10.79.0.22"}};
    job.relay_endpoints = {"10.78.0.101:41000", "10.78.0.102:41003"};
    job.route_file = "/home/u/psgw-route-99";
    job.plugin = "plugin03";
    job.user = {1000, 1000, "u", {}};
    job.home = "/home/u";
    auto env = route_script_environment(config, job);
    EXPECT_TRUE(has(env, "NUM_GATEWAYS=2"));
    EXPECT_TRUE(has(env, "GATEWAY_ADDR_0=10.78.0.101:41000"));
    EXPECT_TRUE(has(env, "GATEWAY_ADDR_1=10.78.0.102:41003"));
    EXPECT_TRUE(has(env, "_PSSLURM_ENV_PSP_GW_SERVER=/home/u/psgw-route-99"));
    EXPECT_TRUE(has(env, "SLURM_SPANK_PSGW_PLUGIN=plugin03"));
    EXPECT_TRUE(has(env, "SLURM_PACK_JOB_NODELIST=cluster01,booster01,booster02"));
    EXPECT_TRUE(has(env, "PSGW_NODES_A=10.78.0.11"));
    EXPECT_TRUE(has(env, "PSGW_NODES_B=10.79.0.21,10.79.0.22"));
    EXPECT_TRUE(has(env, "SLURM_JOB_UID=1000"));
    EXPECT_FALSE(has(env, "PSGW_VERBOSE=1"));
    config.debug_mask = 0x40;
    EXPECT_TRUE(has(route_script_environment(config, job), "PSGW_VERBOSE=1"));
}

TEST(RouteOutput, StrictModeChecksRouteScript) {
    test::TempDir dir;
    auto script = dir.path() / "route.sh";
    std::ofstream(script) << "#!/bin/sh\n";
    ::chmod(script.c_str(), 0755);
    if (::geteuid() == 0) {
        EXPECT_NO_THROW(check_route_script(script));
        ::chmod(script.c_str(), 0775);
        EXPECT_THROW(check_route_script(script), std::runtime_error);  // group-writable
        ::chmod(script.c_str(), 0755);
        ASSERT_EQ(::chown(script.c_str(), 65534, 0), 0);
    }
    EXPECT_THROW(check_route_script(script), std::runtime_error);  // not owned by root
    auto link = dir.path() / "link.sh";
    std::filesystem::create_symlink(script, link);
    EXPECT_THROW(check_route_script(link), std::runtime_error);
    EXPECT_THROW(check_route_script("relative.sh"), std::runtime_error);
}

}  // namespace
}  // namespace psgw::controller
