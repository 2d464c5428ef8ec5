#include "job_environment.hpp"
#include "prologue.hpp"

#include <psgw/contract.hpp>

#include <gtest/gtest.h>

namespace psgw::controller {
namespace {

EnvMap base_env() {
    return {{"SLURM_JOB_ID", "4711"},    {"SLURM_JOB_NODELIST", "cluster01"},
            {"SLURM_JOB_UID", "1000"},   {"SLURM_JOB_GID", "1001"},
            {"SLURM_JOB_USER", "alice"}, {"SLURM_JOB_WORK_DIR", "/home/alice/run"}};
}

TEST(JobEnvironment, ReadsSpankPrefixedSpelling) {
    auto env = base_env();
    env["SPANK_SLURM_SPANK_PSGW_NUM"] = "2";
    env["SPANK_SLURM_SPANK_PSGW_CLEANUP"] = "1";
    auto job = read_job_environment(env);
    EXPECT_EQ(job.options.num, 2u);
    EXPECT_TRUE(job.options.cleanup);
    EXPECT_EQ(job.job_id, 4711u);
    EXPECT_EQ(job.uid, 1000u);
    EXPECT_EQ(job.gid, 1001u);
    EXPECT_EQ(job.user, "alice");
}

TEST(JobEnvironment, ReadsBareSpelling) {
    auto env = base_env();
    env["SLURM_SPANK_PSGW_NUM"] = "3";
    env["SLURM_SPANK_PSGW_QUIET"] = "1";
    auto job = read_job_environment(env);
    EXPECT_EQ(job.options.num, 3u);
    EXPECT_TRUE(job.options.quiet);
}

TEST(JobEnvironment, PrefixedSpellingWins) {
    auto env = base_env();
    env["SLURM_SPANK_PSGW_NUM"] = "3";
    env["SPANK_SLURM_SPANK_PSGW_NUM"] = "1";
    EXPECT_EQ(read_job_environment(env).options.num, 1u);
}

TEST(JobEnvironment, NodelistPrefersHetThenPack) {
    auto env = base_env();
    env["SLURM_SPANK_PSGW_NUM"] = "1";
    env["SLURM_PACK_JOB_NODELIST"] = "cluster01,booster01";
    EXPECT_EQ(read_job_environment(env).nodelist, "cluster01,booster01");
    env["SLURM_HET_JOB_NODELIST"] = "cluster[01-02],booster01";
    EXPECT_EQ(read_job_environment(env).nodelist, "cluster[01-02],booster01");
}

TEST(JobEnvironment, LeaderDetection) {
    auto env = base_env();
    EXPECT_FALSE(concerns_psgw(env));  // no --gw_num
    env["SPANK_SLURM_SPANK_PSGW_NUM"] = "2";
    EXPECT_TRUE(concerns_psgw(env));  // plain job
    env["SLURM_HET_JOB_OFFSET"] = "0";
    EXPECT_TRUE(concerns_psgw(env));
    EXPECT_TRUE(read_job_environment(env).is_leader());
    env["SLURM_HET_JOB_OFFSET"] = "1";
    EXPECT_FALSE(concerns_psgw(env));
    EXPECT_FALSE(read_job_environment(env).is_leader());
    env.erase("SLURM_HET_JOB_OFFSET");
    env["SLURM_PACK_JOB_OFFSET"] = "2";
    EXPECT_FALSE(concerns_psgw(env));
}

TEST(JobEnvironment, NonLeaderReturnsZeroWithoutConfig) {
    auto env = base_env();
    env["SPANK_SLURM_SPANK_PSGW_NUM"] = "2";
    env["SLURM_HET_JOB_OFFSET"] = "1";
    // A config path that does not exist: loading it would fail with exit code 1.
    EXPECT_EQ(run_prologue(env, "/nonexistent/psgw.conf"), 0);
    EXPECT_EQ(run_prologue(base_env(), "/nonexistent/psgw.conf"), 0);
}

TEST(JobEnvironment, RejectsForgedValues) {
    auto env = base_env();
    for (const char* bad : {"0", "-1", "0x2", "2 ", "abc", "1025"}) {
        env["SPANK_SLURM_SPANK_PSGW_NUM"] = bad;
        EXPECT_THROW(read_job_environment(env), JobEnvironmentError) << bad;
    }
    env["SPANK_SLURM_SPANK_PSGW_NUM"] = "1";
    env["SPANK_SLURM_SPANK_PSGW_ROUTE_FILE"] = "relative/path";
    EXPECT_THROW(read_job_environment(env), JobEnvironmentError);
    env.erase("SPANK_SLURM_SPANK_PSGW_ROUTE_FILE");
    // The one limit of the contract, as the plugin and the agent apply it.
    env["SPANK_SLURM_SPANK_PSGWD_PER_NODE"] = std::to_string(contract::kMaxPsgwdPerNode + 1);
    EXPECT_THROW(read_job_environment(env), JobEnvironmentError);
    env["SPANK_SLURM_SPANK_PSGWD_PER_NODE"] = std::to_string(contract::kMaxPsgwdPerNode);
    EXPECT_EQ(read_job_environment(env).options.per_node, contract::kMaxPsgwdPerNode);
    env.erase("SPANK_SLURM_SPANK_PSGWD_PER_NODE");
    env["SPANK_SLURM_SPANK_PSGW_ENV"] = "A=1 $(rm -rf /)";
    try {
        read_job_environment(env);
        FAIL() << "expected JobEnvironmentError";
    } catch (const JobEnvironmentError& error) {
        EXPECT_NE(std::string(error.what()).find("$(rm"), std::string::npos) << error.what();
    }
}

TEST(JobEnvironment, MissingUserIsAnError) {
    auto env = base_env();
    env["SPANK_SLURM_SPANK_PSGW_NUM"] = "1";
    env.erase("SLURM_JOB_UID");
    EXPECT_THROW(read_job_environment(env), JobEnvironmentError);
}

TEST(JobEnvironment, InheritCollectsPspVariables) {
    auto env = base_env();
    env["SPANK_SLURM_SPANK_PSGW_NUM"] = "1";
    env["SPANK_SLURM_SPANK_PSGWD_LD_LIB"] = "/opt/lib";
    env["SPANK_SLURM_SPANK_PSGWD_PSP_DEBUG"] = "3";
    env["SLURM_SPANK_PSGWD_PSP_OPENIB"] = "0";
    auto options = read_job_environment(env).options;
    ASSERT_TRUE(options.ld_library_path);
    EXPECT_EQ(*options.ld_library_path, "/opt/lib");
    using Pair = std::pair<std::string, std::string>;
    EXPECT_EQ(options.psp_vars, (std::vector<Pair>{{"PSP_DEBUG", "3"}, {"PSP_OPENIB", "0"}}));
}

TEST(JobEnvironment, SplitGwEnv) {
    EXPECT_EQ(split_gw_env("  A=1\tB= C=x=y "), (std::vector<std::string>{"A=1", "B=", "C=x=y"}));
    EXPECT_TRUE(split_gw_env("").empty());
    EXPECT_THROW(split_gw_env("A=1 =2"), JobEnvironmentError);
    EXPECT_THROW(split_gw_env("1A=2"), JobEnvironmentError);
}

}  // namespace
}  // namespace psgw::controller
