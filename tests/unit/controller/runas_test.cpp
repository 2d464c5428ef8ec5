// psgw-runas, the setuid helper, as a black box (the built binary, and a setuid copy
// run by the real `slurm` account), and the library paths that go through it:
// sys::run_as file operations from an unprivileged SlurmUser, run_child as a user.
#include "sys/child_process.hpp"
#include "sys/spawn.hpp"
#include "sys/user_files.hpp"
#include "test_support.hpp"

#include "posix/fd_io.hpp"
#include "posix/passwd_lookup.hpp"

#include <psgw/contract.hpp>

#include <gtest/gtest.h>

#include <grp.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <cstdlib>
#include <functional>

namespace psgw {
namespace {

using test::read_file;
using test::TempDir;

const std::string kHelper = PSGW_RUNAS_BINARY;

struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
};

/// Runs the helper as root (the test's own identity) with `args` and `input` on stdin.
Outcome helper(const std::vector<std::string>& args, const std::string& input = {},
               const std::string& binary = kHelper) {
    sys::ChildOptions options;
    options.argv = {binary};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.stdin_data = input;
    options.timeout = std::chrono::seconds(30);
    const sys::ChildResult result = sys::run_child(options);
    return {result.exit_code, result.output, result.error_output};
}

std::string uid_of(const sys::UserIdentity& user) { return std::to_string(user.uid); }

struct stat stat_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
    return info;
}

/// The account Debian's slurm packages create: the SlurmUser of a real site.
std::optional<sys::UserIdentity> slurm_account() {
    auto entry = posix::find_user("slurm");
    if (!entry) return std::nullopt;
    return sys::lookup_user(entry->uid);
}

class RunAs : public ::testing::Test {
protected:
    void SetUp() override {
        nobody_ = test::nobody_if_root();
        if (!nobody_) GTEST_SKIP() << "needs root and user nobody";
        ASSERT_EQ(::chown(home_.path().c_str(), nobody_->uid, nobody_->gid), 0);
    }
    std::optional<sys::UserIdentity> nobody_;
    TempDir home_;  // the job user's directory
};

TEST_F(RunAs, WritesAppendsStatsAndRemovesAsTheUser) {
    const auto file = home_.path() / "psgw-route-1";
    EXPECT_EQ(helper({"--uid", uid_of(*nobody_), "write", file.string(), "640"}, "routes\n").code, 0);
    EXPECT_EQ(stat_of(file).st_uid, nobody_->uid);
    EXPECT_EQ(stat_of(file).st_mode & 07777, 0640u);
    EXPECT_EQ(helper({"--uid", uid_of(*nobody_), "append", file.string()}, "more\n").code, 0);
    EXPECT_EQ(read_file(file), "routes\nmore\n");

    const struct stat info = stat_of(file);
    EXPECT_EQ(helper({"--uid", uid_of(*nobody_), "stat", file.string()}).out,
              std::to_string(info.st_dev) + " " + std::to_string(info.st_ino));
    EXPECT_EQ(helper({"--uid", uid_of(*nobody_), "remove", file.string()}).out, "1");
    EXPECT_FALSE(std::filesystem::exists(file));
    EXPECT_EQ(helper({"--uid", uid_of(*nobody_), "remove", file.string()}).out, "0");
}

TEST_F(RunAs, DropsBeforeTouchingThePath) {
    TempDir root_only;  // root-owned 0755: the user may not create files here
    const Outcome outcome =
        helper({"--uid", uid_of(*nobody_), "write", (root_only.path() / "x").string(), "644"}, "x");
    EXPECT_EQ(outcome.code, contract::kRunasRefused);
    EXPECT_NE(outcome.err.find("Permission denied"), std::string::npos) << outcome.err;
    EXPECT_TRUE(test::list_dir(root_only.path()).empty());
}

TEST_F(RunAs, RefusesRootUnknownUsersAndBadRequestsWithOneLine) {
    const std::string file = (home_.path() / "f").string();
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--uid", "0", "write", file, "644"}, "never acts as root"},
        {{"--uid", "3999999", "write", file, "644"}, "no user with uid 3999999"},
        {{"--uid", uid_of(*nobody_), "chmod", file}, "unknown operation 'chmod'"},
        {{"--uid", uid_of(*nobody_), "write", "relative/f", "644"}, "is not absolute"},
        {{"--uid", uid_of(*nobody_), "write", file, "4755"}, "is not an octal file mode"},
        {{"--uid", uid_of(*nobody_), "write", file}, "write takes PATH MODE"},
        {{"--uid", uid_of(*nobody_)}, "no operation given"},
        {{"write", file, "644"}, "--uid is required"},
        {{"--uid", uid_of(*nobody_), "exec", "--", "sh"}, "absolute program path"},
        {{"--uid", uid_of(*nobody_), "--cwd", "tmp", "exec", "--", "/bin/true"},
         "--cwd must be an absolute path"},
    };
    for (const auto& [args, reason] : cases) {
        const Outcome outcome = helper(args, "x");
        EXPECT_EQ(outcome.code, contract::kRunasRefused) << reason;
        EXPECT_TRUE(outcome.err.starts_with("psgw: ")) << outcome.err;
        EXPECT_EQ(outcome.err.find('\n'), outcome.err.size() - 1) << outcome.err;
        EXPECT_NE(outcome.err.find(reason), std::string::npos) << outcome.err;
    }
    EXPECT_FALSE(std::filesystem::exists(file));
}

/// A directory where a setuid bit takes effect and that `slurm` can traverse.
std::optional<std::filesystem::path> setuid_capable_tmp() {
    for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
        struct statvfs info {};
        if (::statvfs(dir, &info) == 0 && (info.f_flag & ST_NOSUID) == 0) return dir;
    }
    return std::nullopt;
}

/// A copy of the helper installed as a site installs it: root:GROUP, `mode` (4750).
class InstalledHelper {
public:
    InstalledHelper(gid_t group, mode_t mode) {
        path_ = dir_.path() / "psgw-runas";
        std::filesystem::copy_file(kHelper, path_);
        EXPECT_EQ(::chown(path_.c_str(), 0, group), 0);
        EXPECT_EQ(::chmod(path_.c_str(), mode), 0);  // after chown, which clears set-id bits
    }
    const std::filesystem::path& path() const { return path_; }

private:
    TempDir dir_;
    std::filesystem::path path_;
};

/// Runs `body` in a child that became `user` the way slurmctld becomes SlurmUser
/// (setgroups/setgid/setuid, no PR_SET_NO_NEW_PRIVS, so a setuid helper still works),
/// with PSGW_RUNAS=`helper`; returns what it printed on fd 1 and its exit code.
Outcome as_slurm_user(const sys::UserIdentity& user, const std::string& helper_path,
                      const std::function<std::string()>& body) {
    sys::SpawnOptions options;
    options.fds = {sys::ChildFd::share(0, 0), sys::ChildFd::output(1), sys::ChildFd::share(2, 2)};
    sys::Child child = sys::spawn_call(options, [&] {
        const gid_t group = user.gid;
        if (::setgroups(1, &group) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0) return 99;
        ::setenv(contract::kEnvRunas.data(), helper_path.c_str(), 1);
        std::string said;
        try {
            said = body();
        } catch (const std::exception& e) {
            said = std::string("threw: ") + e.what();
        }
        (void)posix::write_all(1, said.data(), said.size());
        return 0;
    });
    sys::UniqueFd out = child.take_fd(1);
    Outcome outcome;
    (void)posix::read_to_eof(out.get(), outcome.out);
    outcome.code = child.wait();
    return outcome;
}

TEST_F(RunAs, AnUnprivilegedSlurmUserWritesTheJobUsersFilesThroughTheHelper) {
    const auto slurm = slurm_account();
    const auto tmp = setuid_capable_tmp();
    if (!slurm || !tmp) GTEST_SKIP() << "needs the slurm account and a tmp without nosuid";
    InstalledHelper installed(slurm->gid, 04750);
    const auto file = home_.path() / "psgw-route-7";
    // The prologue's own calls, made as SlurmUser: before psgw-runas they failed with
    // "cannot switch to uid N without root".
    const Outcome outcome = as_slurm_user(*slurm, installed.path(), [&] {
        sys::write_file_atomically(file, "routes\n", nobody_);
        sys::append_file(home_.path() / "JOB-7-psgw.err", "reason\n", nobody_);
        return std::string(sys::remove_file(home_.path() / "JOB-7-psgw.err", nobody_) ? "removed" : "kept");
    });
    EXPECT_EQ(outcome.code, 0);
    EXPECT_EQ(outcome.out, "removed");
    EXPECT_EQ(read_file(file), "routes\n");
    EXPECT_EQ(stat_of(file).st_uid, nobody_->uid);  // the job user's, never slurm's
}

TEST_F(RunAs, RefusesCallersOutsideItsGroupAndAWorldExecutableInstall) {
    const auto slurm = slurm_account();
    const auto tmp = setuid_capable_tmp();
    if (!slurm || !tmp) GTEST_SKIP() << "needs the slurm account and a tmp without nosuid";
    const auto file = home_.path() / "f";
    auto attempt = [&](const InstalledHelper& installed) {
        return as_slurm_user(*slurm, installed.path(), [&] {
            sys::write_file_atomically(file, "x", nobody_);
            return std::string("written");
        });
    };
    InstalledHelper world(slurm->gid, 04755);
    EXPECT_NE(attempt(world).out.find("executable by everyone"), std::string::npos) << attempt(world).out;
    InstalledHelper other_group(nobody_->gid, 04755 & ~S_IXOTH);  // 4750, but not slurm's group
    const Outcome refused = attempt(other_group);
    EXPECT_TRUE(refused.out.starts_with("threw: psgw: ")) << refused.out;
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(RunAs, ProgramsRunAsTheUserAndNothingTheyStartOutlivesThem) {
    // A route plugin that daemonises: setsid, then a long sleep that records its pid.
    const auto pid_file = home_.path() / "daemon.pid";
    sys::ChildOptions options;
    options.argv = {"/bin/sh", "-c",
                    "id -u; setsid sh -c 'echo $$ > " + pid_file.string() +
                        "; exec sleep 300' </dev/null >/dev/null 2>&1 & "
                        "while [ ! -s " +
                        pid_file.string() + " ]; do sleep 0.05; done; exit 3"};
    options.as_user = nobody_;
    options.timeout = std::chrono::seconds(20);
    const sys::ChildResult result = sys::run_child(options);
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(result.output, uid_of(*nobody_) + "\n");
    const pid_t daemon = std::atoi(read_file(pid_file).c_str());
    ASSERT_GT(daemon, 1);
    EXPECT_TRUE(test::dies_within(daemon, std::chrono::seconds(5))) << "the daemonised child survived";
}

TEST_F(RunAs, TimeoutKillsTheProgramAndItsChildren) {
    const auto pid_file = home_.path() / "child.pid";
    sys::ChildOptions options;
    options.argv = {"/bin/sh", "-c",
                    "sleep 300 & echo $! > " + pid_file.string() + "; trap '' TERM; sleep 300"};
    options.as_user = nobody_;
    options.timeout = std::chrono::milliseconds(500);
    const auto start = std::chrono::steady_clock::now();
    const sys::ChildResult result = sys::run_child(options);
    EXPECT_TRUE(result.timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
    const pid_t child = std::atoi(read_file(pid_file).c_str());
    ASSERT_GT(child, 1);
    EXPECT_TRUE(test::dies_within(child, std::chrono::seconds(5)));
}

TEST_F(RunAs, AProgramThatCannotStartIsAnErrorNamingIt) {
    sys::ChildOptions options;
    options.argv = {"/nonexistent/route-plugin"};
    options.as_user = nobody_;
    try {
        sys::run_child(options);
        FAIL() << "expected an error";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/route-plugin"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace psgw
