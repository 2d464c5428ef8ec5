#include "failure_report.hpp"
#include "epilogue.hpp"
#include "prologue.hpp"
#include "test_support.hpp"
#include "user_stat.hpp"

#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>
#include <sstream>

namespace psgw::controller {
namespace {

using test::TempDir;

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The unprivileged "nobody" user with a temp dir it can write; skips unless root.
struct NobodyFixture : ::testing::Test {
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as user nobody";
        passwd* pw = ::getpwnam("nobody");
        if (pw == nullptr) GTEST_SKIP() << "no user nobody";
        nobody = {pw->pw_uid, pw->pw_gid, "nobody", {}};
        ASSERT_EQ(::chown(dir.path().c_str(), nobody.uid, nobody.gid), 0);
    }

    EnvMap job_env() const {
        return {{"SLURM_JOB_ID", "321"},
                {"SLURM_JOB_NODELIST", "cluster[01"},  // fails before slurmctld is asked
                {"SLURM_JOB_UID", std::to_string(nobody.uid)},
                {"SLURM_JOB_GID", std::to_string(nobody.gid)},
                {"SLURM_JOB_USER", "nobody"},
                {"SPANK_SLURM_SPANK_PSGW_NUM", "1"},
                {"SPANK_SLURM_SPANK_PSGW_CWD", dir.path().string()}};
    }

    // psgw.conf whose PSGW_ERROR records its environment in `record`.
    std::filesystem::path write_config(const std::filesystem::path& record) const {
        auto script = admin.path() / "psgw_error";
        std::ofstream(script) << "#!/bin/sh\nenv > " << record.string() << "\n";
        ::chmod(script.c_str(), 0755);
        auto conf = admin.path() / "psgw.conf";
        std::ofstream(conf) << "STATE_DIR = " << (admin.path() / "state").string() << "\n"
                            << "PSGW_ERROR = " << script.string() << "\n";
        return conf;
    }

    TempDir dir;    // the job's submit directory, owned by nobody
    TempDir admin;  // root's: config, state, psgw_error output
    sys::UserIdentity nobody;
};

TEST_F(NobodyFixture, FailureWritesErrFileAsUserAndRunsPsgwError) {
    auto record = admin.path() / "psgw_error.env";
    auto conf = write_config(record);
    EXPECT_EQ(run_prologue(job_env(), conf.string()), 1);

    auto err_file = dir.path() / "JOB-321-psgw.err";
    struct stat st {};
    ASSERT_EQ(::lstat(err_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, nobody.uid);  // written as the user, not as root
    auto text = slurp(err_file);
    EXPECT_NE(text.find("psgw: gateway startup for job 321 failed: "), std::string::npos) << text;
    EXPECT_NE(text.find("cluster[01"), std::string::npos) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);

    auto env = slurp(record);
    EXPECT_NE(env.find("SLURM_JOB_ID=321\n"), std::string::npos) << env;
    EXPECT_NE(env.find("PSGW_ERROR_REASON=psgw: "), std::string::npos) << env;

    // A second failure appends.
    EXPECT_EQ(run_prologue(job_env(), conf.string()), 1);
    text = slurp(err_file);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

TEST_F(NobodyFixture, QuietWritesNoErrFile) {
    auto record = admin.path() / "psgw_error.env";
    auto conf = write_config(record);
    auto env = job_env();
    env["SPANK_SLURM_SPANK_PSGW_QUIET"] = "1";
    EXPECT_EQ(run_prologue(env, conf.string()), 1);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "JOB-321-psgw.err"));
    EXPECT_TRUE(std::filesystem::exists(record));  // the admin hook still runs
}

TEST_F(NobodyFixture, ErrFileIsNotWrittenThroughASymlink) {
    auto conf = write_config(admin.path() / "record");
    auto target = admin.path() / "root-owned-target";
    std::ofstream(target) << "untouched\n";
    std::filesystem::create_symlink(target, dir.path() / "JOB-321-psgw.err");
    EXPECT_EQ(run_prologue(job_env(), conf.string()), 1);
    EXPECT_EQ(slurp(target), "untouched\n");
}

TEST_F(NobodyFixture, CleanupRemovesOnlyTheFileItCreated) {
    auto route = dir.path() / "psgw-route-5";
    auto map = dir.path() / "psgw-route-5.gw";
    std::ofstream(route) << "x\n";
    std::ofstream(map) << "y\n";
    ASSERT_EQ(::chown(route.c_str(), nobody.uid, nobody.gid), 0);
    ASSERT_EQ(::chown(map.c_str(), nobody.uid, nobody.gid), 0);
    auto route_id = stat_as_user(route, nobody);
    auto map_id = stat_as_user(map, nobody);
    ASSERT_TRUE(route_id && map_id);
    LedgerEntry entry;
    entry.created_by_psgw = true;
    entry.route_file = {route.string(), route_id->dev, route_id->ino};
    entry.map_file = {map.string(), map_id->dev, map_id->ino};
    // The user replaced the map file with their own since: it must stay.
    // (Created before the old one goes, so it cannot reuse the inode.)
    std::ofstream(dir.path() / "replacement") << "the user's own file\n";
    std::filesystem::rename(dir.path() / "replacement", map);
    auto lines = remove_created_files(entry, nobody);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_FALSE(std::filesystem::exists(route)) << lines[0];
    EXPECT_TRUE(std::filesystem::exists(map)) << lines[1];
    entry.created_by_psgw = false;
    std::ofstream(route) << "x\n";
    remove_created_files(entry, nobody);
    EXPECT_TRUE(std::filesystem::exists(route));
}

TEST(FailureReport, ErrorLineIsOneLine) {
    auto line = error_line(12, "psgw: agent gw01\nrefused", FailureKind::kTransient,
                           std::chrono::system_clock::now());
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
    EXPECT_NE(
        line.find(" psgw: gateway startup for job 12 failed: agent gw01 refused [transient: a retry may "
                  "succeed]\n"),
        std::string::npos)
        << line;
    line = error_line(12, "psgw: route plugin 'x': KeyError", FailureKind::kPermanent,
                      std::chrono::system_clock::now());
    EXPECT_NE(line.find("failed: route plugin 'x': KeyError [permanent: a retry cannot succeed]\n"),
              std::string::npos)
        << line;
}

TEST(FailureReport, PsgwErrorMissingOrEmpty) {
    EXPECT_EQ(run_psgw_error("", {}, "r", FailureKind::kTransient, std::chrono::seconds(5)),
              "PSGW_ERROR is empty: nothing run");
    EXPECT_NE(
        run_psgw_error("/nonexistent/psgw_error", {}, "r", FailureKind::kTransient, std::chrono::seconds(5))
            .find("not an executable"),
        std::string::npos);
}

TEST(FailureReport, PsgwErrorGetsTheReasonAndTheKind) {
    test::TempDir dir;
    const auto seen = dir.path() / "seen";
    const auto script = dir.write(
        "psgw_error", "#!/bin/sh\necho \"$PSGW_ERROR_KIND $PSGW_ERROR_REASON\" > " + seen.string() + "\n");
    ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
    EXPECT_EQ(
        run_psgw_error(script, {}, "psgw: plugin failed", FailureKind::kPermanent, std::chrono::seconds(5)),
        "PSGW_ERROR " + script.string() + " exited with 0");
    EXPECT_EQ(test::read_file(seen), "permanent psgw: plugin failed\n");
    run_psgw_error(script, {}, "psgw: no gateway free", FailureKind::kTransient, std::chrono::seconds(5));
    EXPECT_EQ(test::read_file(seen), "transient psgw: no gateway free\n");
}

}  // namespace
}  // namespace psgw::controller
