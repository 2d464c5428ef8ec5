// Drives the plugin's hooks in Slurm's order against the fake host:
// init -> option callbacks -> init_post_opt (per component) -> user_init/task_init -> exit.
#include "fake_spank.hpp"
#include "plugin_state.hpp"

#include <psgw/version.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>

namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

class Hooks : public ::testing::Test {
protected:
    void SetUp() override {
        fake::reset();
        psgw::spank::reset_plugin_state();
        dir_ = fs::path(::testing::TempDir()) / ("psgw-hooks-" + std::to_string(::getpid()));
        fs::create_directories(dir_ / "scripts");
        std::ofstream(dir_ / "scripts" / "site.py") << "# route plugin\n";
        write_config("STRICT_MODE = 1\n");
        old_cwd_ = fs::current_path();
        fs::current_path(dir_);
        ::unsetenv("LD_LIBRARY_PATH");
    }
    void TearDown() override {
        fs::current_path(old_cwd_);
        fs::remove_all(dir_);
    }

    void write_config(const std::string& extra) {
        std::ofstream(dir_ / "psgw.conf") << "DIR_ROUTE_SCRIPTS = " << (dir_ / "scripts").string() << "\n"
                                          << extra;
    }
    std::string conf_arg() const { return "conf=" + (dir_ / "psgw.conf").string(); }
    /// Creates the routing file `relative` (the prologue's work) and returns its path.
    std::string routing_file(const fs::path& relative) const {
        const fs::path path = dir_ / relative;
        fs::create_directories(path.parent_path());
        std::ofstream(path) << "10.78.0.101:41000 10.78.0.11 10.79.0.21\n";
        return path.string();
    }

    int init(std::string arg = "") {
        if (arg.empty()) {
            arg = conf_arg();
        }
        char* argv[] = {arg.data()};
        return slurm_spank_init(fake::handle(), 1, argv);
    }
    int post_opt() { return slurm_spank_init_post_opt(fake::handle(), 0, nullptr); }
    int user_init() { return slurm_spank_user_init(fake::handle(), 0, nullptr); }
    int task_init() { return slurm_spank_task_init(fake::handle(), 0, nullptr); }
    int exit_hook() { return slurm_spank_exit(fake::handle(), 0, nullptr); }

    const std::vector<std::string>& errors() const { return fake::spank().errors; }

    fs::path dir_;
    fs::path old_cwd_;
};

TEST_F(Hooks, InitRegistersAllOptionsWithHelp) {
    ASSERT_EQ(init(), 0);
    const auto& opts = fake::spank().registered;
    ASSERT_EQ(opts.size(), 10u);
    for (const auto& opt : opts) {
        EXPECT_EQ(std::string(opt.usage).rfind("[psgw] ", 0), 0u) << opt.name;
    }
    EXPECT_STREQ(opts[0].name, "gw_num");
    EXPECT_STREQ(opts[0].arginfo, "n");
    EXPECT_EQ(opts[0].has_arg, 1);
    EXPECT_STREQ(opts[4].name, "gw_cleanup");
    EXPECT_EQ(opts[4].has_arg, 0);
    EXPECT_TRUE(errors().empty());
}

// Each refused value: callback returns -1 with exactly this one line.
class BadValue : public Hooks,
                 public ::testing::WithParamInterface<std::tuple<const char*, const char*, const char*>> {};

TEST_P(BadValue, RefusedWithOneLine) {
    const auto [option, value, message] = GetParam();
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(fake::option(option, value), -1);
    ASSERT_EQ(errors().size(), 1u);
    EXPECT_EQ(errors()[0], message);
    EXPECT_EQ(errors()[0].find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Spank, BadValue,
    ::testing::Values(
        std::make_tuple("gw_num", "0", "psgw: --gw_num=0 is invalid: expected a decimal number in 1..1024"),
        std::make_tuple("gw_num", "-1", "psgw: --gw_num=-1 is invalid: expected a decimal number in 1..1024"),
        std::make_tuple("gw_num", "abc",
                        "psgw: --gw_num=abc is invalid: expected a decimal number in 1..1024"),
        std::make_tuple("gw_num", "2x", "psgw: --gw_num=2x is invalid: expected a decimal number in 1..1024"),
        std::make_tuple("gw_num", "0x10",
                        "psgw: --gw_num=0x10 is invalid: expected a decimal number in 1..1024"),
        std::make_tuple("gw_num", "", "psgw: --gw_num= is invalid: expected a decimal number in 1..1024"),
        std::make_tuple("gw_psgwd_per_node", "0",
                        "psgw: --gw_psgwd_per_node=0 is invalid: expected a decimal number in 1..32"),
        std::make_tuple("gw_psgwd_per_node", "0x2",
                        "psgw: --gw_psgwd_per_node=0x2 is invalid: expected a decimal number in 1..32"),
        std::make_tuple("gw_file", "route", "psgw: --gw_file=route is invalid: expected an absolute path"),
        std::make_tuple("gw_file", "", "psgw: --gw_file= is invalid: expected an absolute path"),
        std::make_tuple("gw_plugin", "/nonexistent/p.py",
                        "psgw: --gw_plugin=/nonexistent/p.py is invalid: no such regular file"),
        std::make_tuple("gw_env", "A=1 rm -rf",
                        "psgw: --gw_env=A=1 rm -rf is invalid: token 'rm' is not KEY=VALUE"),
        std::make_tuple("gw_binary", "/usr/bin/true",
                        "psgw: --gw_binary=/usr/bin/true is not allowed: STRICT_MODE is on")),
    [](const auto& param_info) {
        return std::get<0>(param_info.param) + std::string("_") + std::to_string(param_info.index);
    });

TEST_F(Hooks, UnknownBarePluginNamesTheDirectory) {
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(fake::option("gw_plugin", "nosuch"), -1);
    ASSERT_EQ(errors().size(), 1u);
    EXPECT_EQ(errors()[0],
              "psgw: --gw_plugin=nosuch is invalid: not built in (plugin01, plugin02, plugin03) "
              "and not found in " +
                  (dir_ / "scripts").string() + " as nosuch or nosuch.py");
}

TEST_F(Hooks, OtherOptionsRequireGwNum) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(fake::option("gw_file", "/abs/route"), 0);
    EXPECT_EQ(post_opt(), -1);
    EXPECT_EQ(errors(), (std::vector<std::string>{"psgw: --gw_file requires --gw_num"}));
    EXPECT_TRUE(fake::spank().job_control.empty());
}

TEST_F(Hooks, FlagAloneRequiresGwNum) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(fake::option("gw_quiet", nullptr), 0);
    EXPECT_EQ(post_opt(), -1);
    EXPECT_EQ(errors(), (std::vector<std::string>{"psgw: --gw_quiet requires --gw_num"}));
}

TEST_F(Hooks, JobControlVariablesAllOptions) {
    write_config("STRICT_MODE = 0\n");
    ::setenv("LD_LIBRARY_PATH", "/opt/pscom/lib", 1);
    ::setenv("PSP_DEBUG", "3", 1);
    ASSERT_EQ(init(), 0);
    for (const auto& [name, value] :
         std::vector<std::pair<const char*, const char*>>{{"gw_num", "2"},
                                                          {"gw_file", "/shared/route"},
                                                          {"gw_plugin", "site"},
                                                          {"gw_env", "A=1 B=2"},
                                                          {"gw_cleanup", nullptr},
                                                          {"gw_binary", "/bin/true"},
                                                          {"gw_psgwd_per_node", "2"},
                                                          {"gw_quiet", nullptr},
                                                          {"gw_debug", nullptr},
                                                          {"gw_inherit", nullptr}}) {
        ASSERT_EQ(fake::option(name, value), 0) << name;
    }
    ASSERT_EQ(post_opt(), 0);
    ::unsetenv("PSP_DEBUG");
    ::unsetenv("LD_LIBRARY_PATH");
    const Env expected = {
        {"SLURM_SPANK_PSGW_NUM", "2"},
        {"SLURM_SPANK_PSGW_ROUTE_FILE", "/shared/route"},
        {"SLURM_SPANK_PSGW_PLUGIN", fs::canonical(dir_ / "scripts" / "site.py").string()},
        {"SLURM_SPANK_PSGW_ENV", "A=1 B=2"},
        {"SLURM_SPANK_PSGW_CLEANUP", "1"},
        {"SLURM_SPANK_PSGWD_BINARY", "/bin/true"},
        {"SLURM_SPANK_PSGWD_PER_NODE", "2"},
        {"SLURM_SPANK_PSGW_QUIET", "1"},
        {"SLURM_SPANK_PSGWD_DEBUG", "1"},
        {"SLURM_SPANK_PSGWD_LD_LIB", "/opt/pscom/lib"},
        {"SLURM_SPANK_PSGWD_PSP_DEBUG", "3"},
    };
    EXPECT_EQ(fake::spank().job_control, expected);
    EXPECT_EQ(fake::spank().infos, (std::vector<std::string>{"psgw: requesting 2 gateway nodes"}));
    EXPECT_TRUE(errors().empty());
}

TEST_F(Hooks, JobControlVariablesMinimalUseSubmitDirectory) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(fake::option("gw_num", "3"), 0);
    ASSERT_EQ(fake::option("gw_psgwd_per_node", "1"), 0);  // default: not exported, as psmgmt
    ASSERT_EQ(fake::option("gw_plugin", "plugin02.py"), 0);
    ASSERT_EQ(post_opt(), 0);
    const Env expected = {{"SLURM_SPANK_PSGW_NUM", "3"},
                          {"SLURM_SPANK_PSGW_CWD", fs::current_path().string()},
                          {"SLURM_SPANK_PSGW_PLUGIN", "plugin02"}};
    EXPECT_EQ(fake::spank().job_control, expected);
}

TEST_F(Hooks, HetJobRequestPrintedOnceAndLaterComponentsPass) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(fake::option("gw_num", "2"), 0);
    ASSERT_EQ(post_opt(), 0);  // component 0
    ASSERT_EQ(post_opt(), 0);  // component 1 (no options of its own)
    EXPECT_EQ(fake::spank().infos.size(), 1u);
    EXPECT_TRUE(errors().empty());
}

TEST_F(Hooks, OptionOnlyInSecondHetComponentIsRefused) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(post_opt(), 0);  // component 0 without --gw_*
    ASSERT_EQ(fake::option("gw_num", "2"), 0);
    EXPECT_EQ(post_opt(), -1);
    EXPECT_EQ(errors(), (std::vector<std::string>{
                            "psgw: --gw_num given in heterogeneous job component 1; put all --gw_* "
                            "options in the first component"}));
    EXPECT_TRUE(fake::spank().job_control.empty());
}

TEST_F(Hooks, FileOnlyInSecondComponentNamesTheComponentRule) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(post_opt(), 0);
    ASSERT_EQ(fake::option("gw_file", "/abs/route"), 0);
    EXPECT_EQ(post_opt(), -1);
    EXPECT_EQ(errors(), (std::vector<std::string>{
                            "psgw: --gw_file given in heterogeneous job component 1; put all --gw_* "
                            "options in the first component"}));
}

TEST_F(Hooks, CallbacksAreIdempotent) {
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(fake::option("gw_num", "2"), 0);
    EXPECT_EQ(fake::option("gw_num", "2"), 0);
    EXPECT_EQ(fake::option("gw_cleanup", nullptr), 0);
    EXPECT_EQ(fake::option("gw_cleanup", nullptr), 0);
    EXPECT_TRUE(errors().empty());
    EXPECT_EQ(fake::option("gw_num", "3"), -1);
    EXPECT_EQ(errors(), (std::vector<std::string>{"psgw: --gw_num=3 conflicts with the earlier --gw_num=2"}));
}

TEST_F(Hooks, RepeatedSameOptionInLaterComponentIsFine) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(fake::option("gw_num", "2"), 0);
    ASSERT_EQ(post_opt(), 0);
    ASSERT_EQ(fake::option("gw_num", "2"), 0);  // first seen in component 0
    EXPECT_EQ(post_opt(), 0);
}

TEST_F(Hooks, JobWithoutGwOptionsSeesNothing) {
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(post_opt(), 0);
    EXPECT_EQ(exit_hook(), 0);
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{"SLURM_JOB_ID", "7"}, {"HOME", "/home/u"}};
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(post_opt(), 0);
    EXPECT_EQ(user_init(), 0);
    EXPECT_EQ(task_init(), 0);
    EXPECT_TRUE(fake::spank().job_control.empty());
    EXPECT_TRUE(fake::spank().set_env.empty());
    EXPECT_TRUE(fake::spank().infos.empty());
    EXPECT_TRUE(errors().empty());
}

TEST_F(Hooks, LocalContextSetsVariablesWithoutRequestLine) {
    fake::spank().context = S_CTX_LOCAL;
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(fake::option("gw_num", "1"), 0);
    ASSERT_EQ(post_opt(), 0);
    EXPECT_EQ(fake::spank().job_control.at("SLURM_SPANK_PSGW_NUM"), "1");
    EXPECT_TRUE(fake::spank().infos.empty());
}

TEST_F(Hooks, SetenvFailureIsOneErrorLine) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(fake::option("gw_num", "2"), 0);
    fake::spank().job_control_rc = ESPANK_BAD_ARG;
    EXPECT_EQ(post_opt(), -1);
    EXPECT_EQ(errors(), (std::vector<std::string>{
                            "psgw: cannot set job-control variable SLURM_SPANK_PSGW_NUM: Bad argument"}));
}

TEST_F(Hooks, ExceptionBecomesErrorReturn) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(fake::option("gw_num", "2"), 0);
    fake::spank().throw_in_job_control_setenv = true;
    EXPECT_EQ(post_opt(), -1);
    EXPECT_EQ(errors(),
              (std::vector<std::string>{"psgw: internal error in slurm_spank_init_post_opt: fake failure"}));
}

TEST_F(Hooks, InitLogsTheVersionOncePerProcess) {
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(init(), 0);  // srun's second pass over plugstack.conf, a reload: still one line
    EXPECT_EQ(fake::spank().debug,
              (std::vector<std::string>{"psgw: psgw_spank " + std::string(psgw::kVersion) + " loaded"}));
    EXPECT_TRUE(fake::spank().verbose.empty());
}

TEST_F(Hooks, BadPluginArgumentFailsInit) {
    EXPECT_EQ(init("verbose"), -1);
    EXPECT_EQ(errors(),
              (std::vector<std::string>{
                  "psgw: unknown plugstack.conf argument 'verbose' (only conf=/abs/path is known)"}));
}

TEST_F(Hooks, BadConfigDoesNotBlockSubmissionsWithoutGateways) {
    write_config("NOPE = 1\n");
    EXPECT_EQ(init(), 0);
    EXPECT_EQ(post_opt(), 0);
    EXPECT_TRUE(errors().empty());
    EXPECT_TRUE(fake::spank().job_control.empty());
    const std::string message = "psgw: " + (dir_ / "psgw.conf").string() + ":2: unknown key 'NOPE'";
    EXPECT_EQ(fake::spank().verbose, (std::vector<std::string>{message}));
}

TEST_F(Hooks, BadConfigRefusesGatewayOptionsWithItsMessage) {
    write_config("NOPE = 1\n");
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(fake::option("gw_num", "2"), -1);
    EXPECT_EQ(errors(), (std::vector<std::string>{"psgw: " + (dir_ / "psgw.conf").string() +
                                                  ":2: unknown key 'NOPE'"}));
}

TEST_F(Hooks, RemoteGatewayEnvReachesTasksOfGatewayJobsOnly) {
    write_config("GATEWAY_ENV = PSP_GATEWAY=2 PSP_OPENIB=0\n");
    const std::string route = routing_file("r");
    fake::spank().context = S_CTX_REMOTE;
    // The user chose PSP_OPENIB for this job: the site default must not replace it.
    fake::spank().job_env = {{"SLURM_SPANK_PSGW_NUM", "1"},
                             {"SLURM_SPANK_PSGW_ROUTE_FILE", route},
                             {"SLURM_JOB_ID", "8"},
                             {"PSP_OPENIB", "1"}};
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(user_init(), 0);
    EXPECT_EQ(task_init(), 0);
    EXPECT_EQ(fake::spank().set_env, (Env{{"PSP_GW_SERVER", route}, {"PSP_GATEWAY", "2"}}));

    fake::reset();
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{"SLURM_JOB_ID", "9"}};  // no gateways
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(user_init(), 0);
    EXPECT_TRUE(fake::spank().set_env.empty());
}

// Remote context: PSP_GW_SERVER for every spelling of the job-control variables.
class RemoteSpelling : public Hooks, public ::testing::WithParamInterface<const char*> {};

TEST_P(RemoteSpelling, CwdRuleUsesHetLeaderId) {
    const std::string prefix = GetParam();
    const std::string route = routing_file("run/psgw-route-99");
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{prefix + "SLURM_SPANK_PSGW_NUM", "2"},
                             {prefix + "SLURM_SPANK_PSGW_CWD", (dir_ / "run").string()},
                             {"SLURM_HET_JOB_ID", "99"},
                             {"SLURM_JOB_ID", "100"},
                             {"HOME", "/home/u"}};
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(post_opt(), 0);
    ASSERT_EQ(user_init(), 0);
    EXPECT_EQ(task_init(), 0);
    EXPECT_EQ(fake::spank().set_env, (Env{{"PSP_GW_SERVER", route}}));
    EXPECT_TRUE(fake::spank().job_control.empty());
}

TEST_P(RemoteSpelling, RouteFileVariableWins) {
    const std::string prefix = GetParam();
    const std::string route = routing_file("r");
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{prefix + "SLURM_SPANK_PSGW_NUM", "1"},
                             {prefix + "SLURM_SPANK_PSGW_ROUTE_FILE", route},
                             {"SLURM_JOB_ID", "5"}};
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(user_init(), 0);
    EXPECT_EQ(fake::spank().set_env, (Env{{"PSP_GW_SERVER", route}}));
}

INSTANTIATE_TEST_SUITE_P(Spank, RemoteSpelling, ::testing::Values("", "SLURM_SPANK_", "SPANK_"),
                         [](const auto& param_info) {
                             const std::string prefix = param_info.param;
                             return prefix.empty() ? std::string("bare")
                                                   : prefix.substr(0, prefix.size() - 1);
                         });

TEST_F(Hooks, RemoteFromForwardedOptionEnvUsesHomeAndJobItem) {
    write_config("DEFAULT_ROUTE_PREFIX = rt\n");
    const std::string route = routing_file("home/rt-4711");
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{"SPANK__SLURM_SPANK_OPTION_psgw_gw_num", "2"},
                             {"HOME", (dir_ / "home").string()}};
    fake::spank().job_id = 4711;
    ASSERT_EQ(init(), 0);
    ASSERT_EQ(user_init(), 0);
    EXPECT_EQ(task_init(), 0);
    EXPECT_EQ(fake::spank().set_env, (Env{{"PSP_GW_SERVER", route}}));
}

TEST_F(Hooks, RemoteFromOptionCallbacks) {
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{"SLURM_JOB_ID", "8"}};
    ASSERT_EQ(init(), 0);
    // Remote callbacks record without checking files that live on the submit host.
    ASSERT_EQ(fake::option("gw_num", "2", 1), 0);
    const std::string route = routing_file("route");
    ASSERT_EQ(fake::option("gw_file", route.c_str(), 1), 0);
    ASSERT_EQ(fake::option("gw_plugin", "/only/on/login.py", 1), 0);
    ASSERT_EQ(user_init(), 0);
    EXPECT_EQ(fake::spank().set_env, (Env{{"PSP_GW_SERVER", route}}));
    EXPECT_TRUE(errors().empty());
}

// A PrologSlurmctld killed by a signal does not stop Slurm 22.05 from starting the job:
// without its routing file the step fails, saying so, instead of running cut off.
TEST_F(Hooks, RemoteMissingRoutingFileFailsTheStep) {
    fake::spank().context = S_CTX_REMOTE;
    const std::string route = (dir_ / "never-written").string();
    fake::spank().job_env = {
        {"SLURM_SPANK_PSGW_NUM", "2"}, {"SLURM_SPANK_PSGW_ROUTE_FILE", route}, {"SLURM_JOB_ID", "8"}};
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(user_init(), 0);
    EXPECT_EQ(task_init(), -1);
    EXPECT_EQ(
        errors(),
        (std::vector<std::string>{"psgw: routing file " + route +
                                  " does not exist: the gateway startup of this job did not complete"}));
    EXPECT_TRUE(fake::spank().set_env.empty());
}

TEST_F(Hooks, RemoteMissingConfigDoesNotHurtJobsWithoutGateways) {
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{"SLURM_JOB_ID", "8"}, {"HOME", "/home/u"}};
    ASSERT_EQ(init("conf=/nonexistent/psgw.conf"), 0);
    EXPECT_EQ(user_init(), 0);
    EXPECT_EQ(task_init(), 0);
    EXPECT_TRUE(errors().empty());
    EXPECT_TRUE(fake::spank().set_env.empty());
}

TEST_F(Hooks, RemoteMissingConfigFailsGatewayJobInTaskInit) {
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{"SLURM_SPANK_PSGW_NUM", "2"}, {"SLURM_JOB_ID", "8"}, {"HOME", "/home/u"}};
    ASSERT_EQ(init("conf=/nonexistent/psgw.conf"), 0);
    EXPECT_EQ(user_init(), 0);  // user_init errors do not reach srun: raised in task_init
    EXPECT_TRUE(errors().empty());
    EXPECT_EQ(task_init(), -1);
    EXPECT_EQ(
        errors(),
        (std::vector<std::string>{"psgw: cannot read /nonexistent/psgw.conf: No such file or directory"}));
    EXPECT_TRUE(fake::spank().set_env.empty());
}

TEST_F(Hooks, RemoteInvalidForgedCountFailsInTaskInit) {
    fake::spank().context = S_CTX_REMOTE;
    fake::spank().job_env = {{"SPANK_SLURM_SPANK_PSGW_NUM", "0x2"}, {"SLURM_JOB_ID", "8"}};
    ASSERT_EQ(init(), 0);
    EXPECT_EQ(user_init(), 0);
    EXPECT_EQ(task_init(), -1);
    EXPECT_EQ(errors(), (std::vector<std::string>{"psgw: gateway count '0x2' of this job is invalid"}));
}

TEST_F(Hooks, OtherContextsDoNothing) {
    for (const auto context : {S_CTX_SLURMD, S_CTX_JOB_SCRIPT}) {
        fake::reset();
        fake::spank().context = context;
        EXPECT_EQ(init("garbage"), 0);
        EXPECT_EQ(post_opt(), 0);
        EXPECT_EQ(user_init(), 0);
        EXPECT_TRUE(fake::spank().registered.empty());
        EXPECT_TRUE(errors().empty());
    }
}

}  // namespace
