// psgw-route end to end: flags, psroute's environment contract, errors.
#include "sys/child_process.hpp"
#include "test_support.hpp"

#include <psgw/contract.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace psgw::route {
namespace {

class RouteCli : public ::testing::Test {
protected:
    // STRICT_MODE=1 (the default) runs external plugins only from DIR_ROUTE_SCRIPTS.
    RouteCli() {
        config_ = dir_.write("psgw.conf", "DIR_ROUTE_SCRIPTS = " + dir_.path().string() + "\n").string();
    }

    sys::ChildResult run(std::vector<std::string> args, std::vector<std::string> env = {}) {
        sys::ChildOptions options;
        options.argv = {PSGW_ROUTE_BINARY, "--config", config_};
        options.argv.insert(options.argv.end(), args.begin(), args.end());
        options.env = std::move(env);
        options.env.emplace_back("PATH=/usr/bin:/bin");
        // The built psgw-runas (ctest's environment), through which plugins run as the job user.
        if (const char* runas = std::getenv(contract::kEnvRunas.data())) {
            options.env.push_back(std::string(contract::kEnvRunas) + "=" + runas);
        }
        options.working_dir = dir_.path().string();
        return sys::run_child(options);
    }

    test::TempDir dir_;
    std::string config_;
};

constexpr const char* kGolden =
    "10.78.0.101:41000 cluster01 booster01\n"
    "10.78.0.101:41001 cluster01 booster03\n"
    "10.78.0.101:41000 cluster02 booster02\n"
    "10.78.0.102:41000 cluster01 booster02\n"
    "10.78.0.102:41000 cluster02 booster01\n"
    "10.78.0.102:41000 cluster02 booster03\n";

TEST_F(RouteCli, FlagsToStdout) {
    auto result = run({"--nodes-a", "cluster[01-02]", "--nodes-b", "booster[01-03]", "--gateway",
                       "10.78.0.102:41000", "--gateway", "10.78.0.101:41000", "--gateway",
                       "10.78.0.101:41001", "--plugin", "plugin01", "--output", "-"});
    EXPECT_EQ(result.exit_code, 0) << result.error_output;
    EXPECT_EQ(result.output, kGolden);
}

TEST_F(RouteCli, EnvironmentContractWritesTheFile) {
    auto file = dir_.path() / "psgw-route-4711";
    auto result = run({}, {"PSGW_NODES_A=cluster[01-02]", "PSGW_NODES_B=booster[01-03]", "NUM_GATEWAYS=3",
                           "GATEWAY_ADDR_0=10.78.0.102:41000", "GATEWAY_ADDR_1=10.78.0.101:41000",
                           "GATEWAY_ADDR_2=10.78.0.101:41001", "SLURM_SPANK_PSGW_PLUGIN=plugin01.py",
                           "_PSSLURM_ENV_PSP_GW_SERVER=" + file.string()});
    EXPECT_EQ(result.exit_code, 0) << result.error_output;
    EXPECT_EQ(test::read_file(file), kGolden);
    EXPECT_EQ(test::list_dir(dir_.path()), (std::vector<std::string>{"psgw-route-4711", "psgw.conf"}));
}

TEST_F(RouteCli, PluginDefaultsComeFromTheConfig) {
    config_ = dir_.write("other.conf", "DEFAULT_ROUTE_PLUGIN = plugin03\n").string();
    auto result = run({"--nodes-a", "a[0-1]", "--nodes-b", "b[0-2]", "--gateway", "g0:9", "--gateway", "g1:9",
                       "--gateway", "g2:9", "--gateway", "g3:9", "--output", "-"});
    EXPECT_EQ(result.exit_code, 0) << result.error_output;
    EXPECT_EQ(result.output, "g0:9 a0 b0\ng0:9 a1 b1\ng1:9 a0 b1\ng1:9 a1 b2\ng2:9 a0 b2\ng3:9 a1 b0\n");
}

TEST_F(RouteCli, SpankPrefixedPluginVariableIsAccepted) {
    auto result = run({"--nodes-a", "a[0-1]", "--nodes-b", "b[0-2]", "--gateway", "g0:9", "--gateway", "g1:9",
                       "--gateway", "g2:9", "--gateway", "g3:9", "--output", "-"},
                      {"SPANK_SLURM_SPANK_PSGW_PLUGIN=plugin03"});
    EXPECT_EQ(result.output, "g0:9 a0 b0\ng0:9 a1 b1\ng1:9 a0 b1\ng1:9 a1 b2\ng2:9 a0 b2\ng3:9 a1 b0\n");
}

TEST_F(RouteCli, ErrorsAreOneLineExitOneAndNoFile) {
    auto file = dir_.path() / "routes";
    auto bad_plugin = dir_.write("bad.py", "def routeConnectionS(a, b, n, i, j):\n    raise KeyError('x')\n");
    // As root, psgw-route runs an external plugin only as the job user.
    std::vector<std::string> job_user_env;
    if (auto nobody = test::nobody_if_root()) {
        ASSERT_EQ(chown(dir_.path().c_str(), nobody->uid, nobody->gid), 0);
        job_user_env.push_back("SLURM_JOB_UID=" + std::to_string(nobody->uid));
    }
    struct Case {
        std::vector<std::string> args;
        std::vector<std::string> env;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {{"--nodes-a", "a", "--nodes-b", "b", "--gateway", "g:1", "--plugin", bad_plugin.string(), "--output",
          file.string()},
         job_user_env,
         "psgw: route plugin '" + bad_plugin.string() + "': KeyError: 'x'\n"},
        {{"--nodes-a", "a[3-1]", "--nodes-b", "b", "--gateway", "g:1", "--output", file.string()},
         {},
         "psgw: invalid hostlist for --nodes-a: 'a[3-1]'\n"},
        {{"--nodes-a", "a", "--nodes-b", "b", "--gateway", "g:1"},
         {},
         "psgw: missing --output (or PSP_GW_SERVER / _PSSLURM_ENV_PSP_GW_SERVER)\n"},
        {{"--nodes-a", "a", "--nodes-b", "b", "--output", file.string()},
         {"NUM_GATEWAYS=2", "GATEWAY_ADDR_0=g:1"},
         "psgw: missing GATEWAY_ADDR_1\n"},
        {{"--nodes-a", "a", "--output", file.string(), "--gateway", "g:1"},
         {},
         "psgw: missing --nodes-b (or PSGW_NODES_B)\n"},
        {{"--bogus"}, {}, "psgw: The following argument was not expected: --bogus\n"},
    };
    for (const auto& c : cases) {
        auto result = run(c.args, c.env);
        EXPECT_EQ(result.exit_code, 1);
        EXPECT_EQ(result.error_output, c.expected);
        EXPECT_EQ(result.output, "");
        EXPECT_FALSE(std::filesystem::exists(file));
    }
}

TEST_F(RouteCli, AsRootWithJobUidWritesAsTheUser) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    ASSERT_EQ(chown(dir_.path().c_str(), nobody->uid, nobody->gid), 0);
    auto file = dir_.path() / "routes";
    auto result = run({"--nodes-a", "a", "--nodes-b", "b", "--gateway", "g:1", "--output", file.string()},
                      {"SLURM_JOB_UID=" + std::to_string(nobody->uid)});
    EXPECT_EQ(result.exit_code, 0) << result.error_output;
    struct stat info {};
    ASSERT_EQ(stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, nobody->uid);
}

TEST_F(RouteCli, AsRootRefusesExternalPluginWithoutJobUser) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    const auto plugin = dir_.write("site.py", "def routeConnectionS(a, b, g, i, j):\n    return None, 0\n");
    auto file = dir_.path() / "routes";
    const std::string who =
        "psgw: route plugin '" + plugin.string() + "': external plugins never run as root";
    for (const auto& [env, message] :
         {std::pair{std::vector<std::string>{}, who + "; no job user given (SLURM_JOB_UID)\n"},
          std::pair{std::vector<std::string>{"SLURM_JOB_UID=0"}, who + "\n"}}) {
        auto result = run({"--nodes-a", "a", "--nodes-b", "b", "--gateway", "g:1", "--plugin",
                           plugin.string(), "--output", file.string()},
                          env);
        EXPECT_EQ(result.exit_code, 1);
        EXPECT_EQ(result.error_output, message);
        EXPECT_FALSE(std::filesystem::exists(file));
    }
}

TEST_F(RouteCli, StrictModeRefusesAPluginOutsideDirRouteScripts) {
    test::TempDir elsewhere;
    const auto plugin =
        elsewhere.write("site.py", "def routeConnectionS(a, b, g, i, j):\n    return None, 0\n");
    auto file = dir_.path() / "routes";
    auto result = run({"--nodes-a", "a", "--nodes-b", "b", "--gateway", "g:1", "--plugin", plugin.string(),
                       "--output", file.string()},
                      {"SLURM_JOB_UID=65534"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.error_output, "psgw: route plugin '" + plugin.string() +
                                       "': STRICT_MODE=1 allows only plugins in " + dir_.path().string() +
                                       "\n");
    EXPECT_FALSE(std::filesystem::exists(file));
}

}  // namespace
}  // namespace psgw::route
