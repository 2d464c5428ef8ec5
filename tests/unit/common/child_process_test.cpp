// run_child: capture, exit codes, timeout of the whole group, privilege drop, no fd leaks.
#include "sys/child_process.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <thread>

namespace psgw::sys {
namespace {

ChildOptions shell(const std::string& script) {
    ChildOptions options;
    options.argv = {"/bin/sh", "-c", script};
    options.env = {"PATH=/usr/bin:/bin"};
    return options;
}

std::size_t open_fd_count() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
    return count;
}

TEST(ChildProcess, CapturesStdoutStderrAndExitCode) {
    ChildResult result = run_child(shell("echo out; echo err >&2; exit 3"));
    EXPECT_EQ(result.output, "out\n");
    EXPECT_EQ(result.error_output, "err\n");
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_FALSE(result.timed_out);
}

TEST(ChildProcess, MergedStderrGoesToOutput) {
    ChildOptions options = shell("echo out; echo err >&2");
    options.merge_stderr = true;
    ChildResult result = run_child(options);
    EXPECT_EQ(result.output, "out\nerr\n");
    EXPECT_EQ(result.error_output, "");
}

TEST(ChildProcess, FeedsStdinAndSeesOnlyTheGivenEnvironment) {
    ChildOptions options = shell("cat; echo \"[$PSGW_X][$HOME]\"");
    options.env.emplace_back("PSGW_X=1");
    options.stdin_data = std::string(300000, 'x');  // larger than a pipe buffer
    ChildResult result = run_child(options);
    EXPECT_EQ(result.output, std::string(300000, 'x') + "[1][]\n");
}

TEST(ChildProcess, SignalDeathIs128PlusSignal) {
    EXPECT_EQ(run_child(shell("kill -TERM $$")).exit_code, 128 + SIGTERM);
}

TEST(ChildProcess, CapsOutput) {
    ChildOptions options = shell("head -c 100000 /dev/zero");
    options.output_limit = 10;
    EXPECT_EQ(run_child(options).output.size(), 10u);
}

TEST(ChildProcess, TimeoutKillsTheWholeProcessGroup) {
    test::TempDir dir;
    auto pid_file = dir.path() / "bg.pid";
    ChildOptions options = shell("sleep 300 & echo $! > " + pid_file.string() + "; sleep 300");
    options.timeout = std::chrono::milliseconds(500);
    ChildResult result = run_child(options);
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(result.exit_code, 128 + SIGKILL);
    pid_t background = std::stoi(test::read_file(pid_file));
    // SIGKILL was sent to the group; wait (bounded) until the kernel has finished it.
    EXPECT_TRUE(test::dies_within(background, std::chrono::seconds(2)));
}

TEST(ChildProcess, BackgroundGrandchildDoesNotBlockReturn) {
    // The child exits at once; its grandchild keeps stdout open but is not waited for.
    ChildResult result = run_child(shell("echo done; sleep 300 >/dev/null 2>&1 <&- & exit 0"));
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.output, "done\n");
}

TEST(ChildProcess, NoFileDescriptorLeaksInParentOrChild) {
    const std::size_t before = open_fd_count();
    ChildResult result = run_child(shell("ls /proc/self/fd | tr '\\n' ' '"));
    // ls itself holds one directory fd (3) besides 0, 1, 2.
    EXPECT_EQ(result.output, "0 1 2 3 ");
    EXPECT_EQ(open_fd_count(), before);
}

TEST(ChildProcess, MissingProgramThrows) {
    ChildOptions options;
    options.argv = {"/nonexistent/program"};
    EXPECT_THROW(run_child(options), std::system_error);
}

TEST(ChildProcess, RelativeProgramIsRejected) {
    ChildOptions options;
    options.argv = {"sh"};
    EXPECT_THROW(run_child(options), std::system_error);
}

TEST(ChildProcess, RunsAsTheUserAndCannotRegainRoot) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    ChildOptions options = shell("id -u; id -g; pwd");
    options.as_user = nobody;
    options.working_dir = "/tmp";
    ChildResult result = run_child(options);
    EXPECT_EQ(result.output, std::to_string(nobody->uid) + "\n" + std::to_string(nobody->gid) + "\n/tmp\n");
    EXPECT_EQ(result.exit_code, 0);
}

TEST(ChildProcess, UnreachableWorkingDirThrows) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    test::TempDir dir;
    std::filesystem::create_directory(dir.path() / "private");
    std::filesystem::permissions(dir.path() / "private", std::filesystem::perms::owner_all);
    ChildOptions options = shell("true");
    options.as_user = nobody;
    options.working_dir = (dir.path() / "private").string();
    EXPECT_THROW(run_child(options), std::system_error);
}

}  // namespace
}  // namespace psgw::sys
