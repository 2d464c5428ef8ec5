// sys::spawn_exec / spawn_call: descriptor layout, closing of everything else,
// clean signal state, reported setup and exec failures, group kill, RAII handle.
#include "sys/spawn.hpp"

#include "posix/fd_io.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>

namespace psgw::sys {
namespace {

using namespace std::chrono_literals;
using test::dies_within;

/// Everything readable from `fd` until EOF.
std::string read_all(int fd) {
    std::string text;
    (void)posix::read_to_eof(fd, text);
    return text;
}

/// Reads up to the first newline (blocking).
std::string read_line(int fd) {
    std::string line;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
    return line;
}

void write_text(int fd, const std::string& text) {
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

struct Pipe {
    int read = -1;
    int write = -1;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) {
            read = fds[0];
            write = fds[1];
        }
    }
    ~Pipe() {
        if (read >= 0) ::close(read);
        if (write >= 0) ::close(write);
    }
};

TEST(Spawn, InstallsTheLayoutClobberSafelyAndClosesEverythingElse) {
    Pipe a;
    Pipe b;
    Pipe stray;  // open in the parent, not in the layout: must not reach the child
    ASSERT_EQ(::dup2(a.write, 40), 40);
    ASSERT_EQ(::dup2(b.write, 41), 41);
    SpawnOptions options;
    // Swapped on purpose: a naive dup2 sequence would clobber one source with the other.
    options.fds = {ChildFd::input(0), ChildFd::output(1), ChildFd::alias(2, 1), ChildFd::share(40, 41),
                   ChildFd::share(41, 40)};
    Child child = spawn_call(options, [] {
        std::string open_fds;
        for (int fd = 0; fd < 1024; ++fd)
            if (::fcntl(fd, F_GETFD) >= 0) open_fds += std::to_string(fd) + " ";
        std::string input = read_all(0);
        const std::string out = open_fds + "|" + input + "\n";
        if (::write(1, out.data(), out.size()) < 0 || ::write(2, "E", 1) < 0) return 1;
        if (::write(40, "to-b", 4) != 4 || ::write(41, "to-a", 4) != 4) return 2;
        return 0;
    });
    ::close(40);
    ::close(41);
    ::close(a.write);
    a.write = -1;
    ::close(b.write);
    b.write = -1;
    UniqueFd in = child.take_fd(0);
    UniqueFd out = child.take_fd(1);
    EXPECT_FALSE(child.take_fd(2)) << "an alias has no parent end";
    write_text(in.get(), "hello");
    in.reset();
    EXPECT_EQ(read_all(out.get()), "0 1 2 40 41 |hello\nE");
    EXPECT_EQ(read_all(a.read), "to-a");
    EXPECT_EQ(read_all(b.read), "to-b");
    EXPECT_EQ(child.wait(), 0);
}

TEST(Spawn, ChildStartsWithDefaultHandlersAndAnEmptyMask) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction saved_usr1 {};
    ASSERT_EQ(::sigaction(SIGUSR1, &ignore, &saved_usr1), 0);
    sigset_t block;
    sigset_t saved_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    ASSERT_EQ(::sigprocmask(SIG_BLOCK, &block, &saved_mask), 0);

    SpawnOptions options;
    options.fds = {ChildFd::output(1)};
    Child child = spawn_call(options, [] {
        struct sigaction usr1 {};
        ::sigaction(SIGUSR1, nullptr, &usr1);
        sigset_t mask;
        ::sigprocmask(SIG_SETMASK, nullptr, &mask);
        const std::string out = std::string(usr1.sa_handler == SIG_DFL ? "dfl" : "not-dfl") +
                                (sigismember(&mask, SIGUSR2) ? " blocked" : " unblocked");
        return ::write(1, out.data(), out.size()) > 0 ? 0 : 1;
    });
    ::sigaction(SIGUSR1, &saved_usr1, nullptr);
    ::sigprocmask(SIG_SETMASK, &saved_mask, nullptr);
    UniqueFd out = child.take_fd(1);
    EXPECT_EQ(read_all(out.get()), "dfl unblocked");
    EXPECT_EQ(child.wait(), 0);
}

TEST(Spawn, OwnProcessGroupOrOwnSession) {
    SpawnOptions options;
    options.fds = {ChildFd::input(0)};
    const std::vector<std::string> argv = {"/bin/sh", "-c", "read x; exit 0"};
    Child group = spawn_exec(options, argv, {});
    EXPECT_EQ(::getpgid(group.pid()), group.pid());
    EXPECT_EQ(::getsid(group.pid()), ::getsid(0));
    options.new_session = true;
    Child session = spawn_exec(options, argv, {});
    EXPECT_EQ(::getsid(session.pid()), session.pid());
    group.take_fd(0).reset();  // EOF: both exit
    session.take_fd(0).reset();
    EXPECT_EQ(group.wait(), 0);
    EXPECT_EQ(session.wait(), 0);
}

TEST(Spawn, ExecFailureIsThrownWithTheChildsReason) {
    try {
        spawn_exec({}, {"/nonexistent/psgw-program"}, {});
        ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("psgw: cannot execute '/nonexistent/psgw-program'"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(spawn_exec({}, {"relative/program"}, {}), std::system_error);
}

TEST(Spawn, SetupFailureOfACallableIsThrownAndTheBodyNeverRuns) {
    SpawnOptions options;
    options.working_dir = "/nonexistent/psgw-dir";
    options.fds = {ChildFd::output(1)};
    bool ran = false;
    try {
        spawn_call(options, [&ran] {
            ran = true;
            return ::write(1, "ran", 3) > 0 ? 0 : 1;
        });
        ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("psgw: chdir '/nonexistent/psgw-dir'"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(ran);
}

TEST(Spawn, CapabilityCheckRefusesAChildThatKeptThem) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (capabilities to keep)";
    SpawnOptions options;
    options.require_no_capabilities = true;  // and no as_user: root keeps everything
    try {
        spawn_exec(options, {"/bin/true"}, {});
        ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find("capabilities remain"), std::string::npos) << e.what();
    }
}

TEST(Spawn, SignalGroupReachesGrandchildren) {
    SpawnOptions options;
    options.fds = {ChildFd::output(1)};
    Child child = spawn_exec(options, {"/bin/sh", "-c", "sleep 60 & echo $!; wait"}, {});
    UniqueFd out = child.take_fd(1);
    const pid_t grandchild = std::stoi(read_line(out.get()));
    child.signal_group(SIGKILL);
    EXPECT_EQ(child.wait(), 128 + SIGKILL);
    EXPECT_TRUE(dies_within(grandchild, 5s)) << grandchild;
}

TEST(Spawn, DestroyedHandleKillsTheGroupAndReapsTheChild) {
    pid_t pid = -1;
    pid_t grandchild = -1;
    {
        SpawnOptions options;
        options.fds = {ChildFd::output(1)};
        Child child = spawn_exec(options, {"/bin/sh", "-c", "sleep 60 & echo $!; sleep 60"}, {});
        pid = child.pid();
        UniqueFd out = child.take_fd(1);
        grandchild = std::stoi(read_line(out.get()));
    }
    // Reaped by the destructor: no zombie left, so waitpid has nothing to collect.
    EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
    EXPECT_TRUE(dies_within(grandchild, 5s)) << grandchild;
}

TEST(Spawn, ReleasedHandleLeavesTheChildRunning) {
    SpawnOptions options;
    options.fds = {ChildFd::input(0)};
    pid_t pid = -1;
    UniqueFd in;
    {
        Child child = spawn_exec(options, {"/bin/sh", "-c", "read x"}, {});
        pid = child.pid();
        in = child.take_fd(0);
        EXPECT_TRUE(child.pidfd());
        child.release();
        EXPECT_FALSE(child.owns());
    }
    EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), 0) << "still running";
    in.reset();
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
}

TEST(Spawn, TryWaitReportsExitAndSignal) {
    SpawnOptions options;
    options.fds = {ChildFd::input(0)};
    Child child = spawn_exec(options, {"/bin/sh", "-c", "read x; exit 7"}, {});
    EXPECT_EQ(child.try_wait(), std::nullopt);
    child.take_fd(0).reset();
    pollfd exited{child.pidfd().get(), POLLIN, 0};
    ASSERT_EQ(::poll(&exited, 1, 5000), 1) << "the pidfd reports the exit";
    EXPECT_EQ(child.try_wait(), 7);
    EXPECT_FALSE(child.owns());
}

}  // namespace
}  // namespace psgw::sys
