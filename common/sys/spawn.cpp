// spawn_exec / spawn_call: the child side done once. Signals are blocked across
// fork so that no inherited handler (asio's signal_set writes to a pipe shared with
// the parent) can run in the child before it has reset them all to SIG_DFL.
#include "sys/spawn.hpp"

#include "posix/fd_io.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <system_error>

namespace psgw::sys {

namespace {

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), std::string("psgw: ") + what);
}

/// Reports a setup failure to the parent ("<errno> <text>") and exits; child side only.
[[noreturn]] void child_fail(int report_fd, int error, const std::string& message) {
    char buffer[512];
    const int length = std::snprintf(buffer, sizeof buffer, "%d %s", error, message.c_str());
    if (length > 0) {
        [[maybe_unused]] ssize_t ignored = ::write(
            report_fd, buffer, std::min<std::size_t>(static_cast<std::size_t>(length), sizeof buffer - 1));
    }
    ::_exit(127);
}

/// True if the process holds no capability at all (effective, permitted, inheritable).
bool has_no_capabilities() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (::syscall(SYS_capget, &header, data) != 0) return false;
    for (const auto& word : data)
        if (word.effective != 0 || word.permitted != 0 || word.inheritable != 0) return false;
    return true;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

/// False once nobody can reap `pid` any more (someone else already did): its number
/// may then belong to another process and must never be signalled.
bool unreaped(pid_t pid) {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        if (errno != EINTR) return false;
    }
    return true;
}

/// The child's descriptors, prepared in the parent: where each target comes from.
struct Layout {
    std::vector<std::pair<int, int>> direct;   ///< (target, descriptor to dup from)
    std::vector<std::pair<int, int>> aliases;  ///< (target, other target)
    std::vector<UniqueFd> child_ends;          ///< closed in the parent after fork
    std::map<int, UniqueFd> parent_ends;
    int max_target = -1;
};

Layout prepare_layout(const std::vector<ChildFd>& fds) {
    Layout layout;
    for (const auto& fd : fds) {
        layout.max_target = std::max(layout.max_target, fd.target);
        switch (fd.kind) {
            case ChildFd::Kind::kInput: {
                // A socket rather than a pipe: writing after the child closed it gives
                // EPIPE with MSG_NOSIGNAL instead of a process-wide SIGPIPE.
                int pair[2];
                if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
                    throw_errno("socketpair");
                ::shutdown(pair[0], SHUT_WR);
                ::shutdown(pair[1], SHUT_RD);
                layout.direct.emplace_back(fd.target, pair[0]);
                layout.child_ends.emplace_back(pair[0]);
                layout.parent_ends[fd.target] = UniqueFd(pair[1]);
                break;
            }
            case ChildFd::Kind::kOutput: {
                int pipe[2];
                if (::pipe2(pipe, O_CLOEXEC) != 0) throw_errno("pipe2");
                layout.direct.emplace_back(fd.target, pipe[1]);
                layout.child_ends.emplace_back(pipe[1]);
                layout.parent_ends[fd.target] = UniqueFd(pipe[0]);
                break;
            }
            case ChildFd::Kind::kShare:
                layout.direct.emplace_back(fd.target, fd.source);
                break;
            case ChildFd::Kind::kAlias:
                layout.aliases.emplace_back(fd.target, fd.source);
                break;
        }
    }
    return layout;
}

/// Installs the layout and closes every other descriptor; returns the report fd's new number.
int install_layout(const Layout& layout, int report_fd) {
    // Everything moves above the highest target first, so no dup2 can clobber a
    // descriptor that another target still has to be copied from.
    const int high = layout.max_target + 1;
    std::vector<std::pair<int, int>> moved;
    for (const auto& [target, source] : layout.direct) {
        const int copy = ::fcntl(source, F_DUPFD_CLOEXEC, high);
        if (copy < 0) child_fail(report_fd, errno, "psgw: child setup: dup");
        moved.emplace_back(target, copy);
    }
    const int report = ::fcntl(report_fd, F_DUPFD_CLOEXEC, high);
    if (report < 0) child_fail(report_fd, errno, "psgw: child setup: dup");
    for (const auto& [target, copy] : moved)
        if (::dup2(copy, target) < 0) child_fail(report, errno, "psgw: child setup: dup2");
    for (const auto& [target, other] : layout.aliases)
        if (::dup2(other, target) < 0) child_fail(report, errno, "psgw: child setup: dup2");
    for (int fd = 0; fd < high; ++fd) {
        const bool wanted = std::any_of(layout.direct.begin(), layout.direct.end(),
                                        [fd](auto& e) { return e.first == fd; }) ||
                            std::any_of(layout.aliases.begin(), layout.aliases.end(),
                                        [fd](auto& e) { return e.first == fd; });
        if (!wanted) ::close(fd);
    }
    if (report > high) ::close_range(static_cast<unsigned>(high), static_cast<unsigned>(report) - 1, 0);
    ::close_range(static_cast<unsigned>(report) + 1, ~0U, 0);
    return report;
}

/// Everything between fork and exec/body; returns the report fd (still open).
int set_up_child(const SpawnOptions& options, const Layout& layout, int report_fd, pid_t parent) {
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    }
    sigset_t empty;
    sigemptyset(&empty);
    ::sigprocmask(SIG_SETMASK, &empty, nullptr);
    if (options.new_session ? ::setsid() < 0 : ::setpgid(0, 0) != 0)
        child_fail(report_fd, errno, options.new_session ? "psgw: setsid" : "psgw: setpgid");
    const int report = install_layout(layout, report_fd);
    try {
        if (options.as_user) drop_privileges(*options.as_user);
    } catch (const std::system_error& e) {
        child_fail(report, e.code().value(), e.what());
    } catch (const std::exception& e) {
        child_fail(report, EPERM, e.what());
    }
    if (options.require_no_capabilities && !has_no_capabilities())
        child_fail(report, EPERM, "psgw: privilege drop failed: capabilities remain");
    // After the drop: a credential change clears the parent-death signal.
    if (options.kill_with_parent) {
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report, errno, "psgw: PR_SET_PDEATHSIG");
        if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    }
    const char* dir = options.working_dir.empty() ? "/" : options.working_dir.c_str();
    if (::chdir(dir) != 0) child_fail(report, errno, std::string("psgw: chdir '") + dir + "'");
    if (options.before_exec) {
        try {
            options.before_exec();
        } catch (const std::exception& e) {
            child_fail(report, EINVAL, e.what());
        }
    }
    return report;
}

std::vector<char*> to_c_array(const std::vector<std::string>& strings) {
    std::vector<char*> result;
    result.reserve(strings.size() + 1);
    for (const auto& s : strings) result.push_back(const_cast<char*>(s.c_str()));
    result.push_back(nullptr);
    return result;
}

/// Forks with all signals blocked; runs `in_child` (never returns) in the child.
template <typename InChild>
pid_t fork_blocked(InChild&& in_child) {
    sigset_t all;
    sigset_t saved;
    sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, &saved);
    const pid_t pid = ::fork();
    if (pid == 0) in_child();
    const int fork_errno = errno;
    ::sigprocmask(SIG_SETMASK, &saved, nullptr);
    errno = fork_errno;
    return pid;
}

int wait_blocking(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return decode_status(status);
}

/// Parent side after fork: waits for the report pipe to close; throws the child's reason.
void await_report(pid_t pid, UniqueFd report) {
    std::string text;
    (void)posix::read_to_eof(report.get(), text, 1024);  // EOF at exec: nothing to report
    if (text.empty()) return;
    wait_blocking(pid);
    const int code = std::atoi(text.c_str());
    const auto space = text.find(' ');
    throw std::system_error(code != 0 ? code : ECHILD, std::generic_category(),
                            space == std::string::npos ? text : text.substr(space + 1));
}

}  // namespace

struct ChildAccess {
    static Child adopt(pid_t pid, std::map<int, UniqueFd> parent_ends) {
        Child child;
        child.pid_ = pid;
        child.parent_ends_ = std::move(parent_ends);
        child.pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
        if (!child.pidfd_) throw_errno("pidfd_open");  // `child` unwinds: killed and reaped
        return child;
    }
};

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      parent_ends_(std::move(other.parent_ends_)) {}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        kill_and_reap();
        pid_ = std::exchange(other.pid_, -1);
        pidfd_ = std::move(other.pidfd_);
        parent_ends_ = std::move(other.parent_ends_);
    }
    return *this;
}

Child::~Child() { kill_and_reap(); }

UniqueFd Child::take_fd(int target) {
    auto it = parent_ends_.find(target);
    if (it == parent_ends_.end()) return UniqueFd();
    UniqueFd fd = std::move(it->second);
    parent_ends_.erase(it);
    return fd;
}

std::optional<int> Child::try_wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    const pid_t rc = ::waitpid(pid_, &status, WNOHANG);
    if (rc == 0) return std::nullopt;
    if (rc < 0 && errno == EINTR) return std::nullopt;
    pid_ = -1;
    pidfd_.reset();
    return rc == -1 ? -1 : decode_status(status);
}

int Child::wait() {
    if (pid_ <= 0) return -1;
    const int code = wait_blocking(std::exchange(pid_, -1));
    pidfd_.reset();
    return code;
}

void Child::signal_group(int signal) {
    if (pid_ <= 0 || !unreaped(pid_)) return;
    if (::kill(-pid_, signal) != 0) ::kill(pid_, signal);
}

void Child::release() {
    pid_ = -1;
    pidfd_.reset();
}

void Child::kill_and_reap() {
    if (pid_ <= 0) return;
    // The group too: the child may have started children of its own.
    signal_group(SIGKILL);
    if (unreaped(pid_)) wait_blocking(pid_);
    pid_ = -1;
    pidfd_.reset();
}

namespace {

/// Common parent side of both spawn flavours.
template <typename RunChild>
Child spawn(const SpawnOptions& options, RunChild run_child) {
    Layout layout = prepare_layout(options.fds);
    int report_fds[2];
    if (::pipe2(report_fds, O_CLOEXEC) != 0) throw_errno("pipe2");
    UniqueFd report_read(report_fds[0]);
    UniqueFd report_write(report_fds[1]);

    const pid_t parent = ::getpid();
    const pid_t pid = fork_blocked([&] {
        const int report = set_up_child(options, layout, report_write.get(), parent);
        run_child(report);
    });
    if (pid < 0) throw_errno("fork");
    // Both sides set the group so that a kill(-pid) right after fork cannot miss.
    if (!options.new_session) ::setpgid(pid, pid);
    layout.child_ends.clear();
    report_write.reset();
    await_report(pid, std::move(report_read));

    return ChildAccess::adopt(pid, std::move(layout.parent_ends));
}

}  // namespace

Child spawn_exec(const SpawnOptions& options, const std::vector<std::string>& argv,
                 const std::vector<std::string>& env) {
    if (argv.empty() || argv[0].empty() || argv[0][0] != '/')
        throw std::system_error(EINVAL, std::generic_category(),
                                "psgw: spawn needs an absolute program path");
    // Built before fork: the child only makes syscalls on its way to exec.
    std::vector<char*> c_argv = to_c_array(argv);
    std::vector<char*> c_env = to_c_array(env);
    return spawn(options, [&](int report) {
        ::execve(c_argv[0], c_argv.data(), c_env.data());
        child_fail(report, errno, "psgw: cannot execute '" + argv[0] + "'");
    });
}

Child spawn_call(const SpawnOptions& options, const std::function<int()>& body) {
    return spawn(options, [&](int report) {
        ::close(report);  // set up: the parent may go on
        int code = 127;
        try {
            code = body();
        } catch (...) {}
        // No destructors, no atexit handlers of the parent's program.
        ::_exit(code);
    });
}

}  // namespace psgw::sys
