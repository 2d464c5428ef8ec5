// run_child: fork + own process group + privilege drop + execve, with poll-based
// capture of stdout/stderr, a deadline that SIGKILLs the whole group, and reaping.
#include "sys/child_process.hpp"

#include "sys/unique_fd.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

namespace psgw::sys {

namespace {

constexpr std::size_t kErrorOutputLimit = 64u << 10;

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), std::string("psgw: ") + what);
}

struct Pipe {
    UniqueFd read;
    UniqueFd write;
};

Pipe make_pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

/// A socket pair for stdin, so that writing after the child closed it gives
/// EPIPE via MSG_NOSIGNAL instead of a process-wide SIGPIPE.
Pipe make_stdin_channel() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair");
    shutdown(fds[0], SHUT_WR);
    shutdown(fds[1], SHUT_RD);
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::vector<char*> to_c_array(const std::vector<std::string>& strings) {
    std::vector<char*> result;
    result.reserve(strings.size() + 1);
    for (const auto& s : strings) result.push_back(const_cast<char*>(s.c_str()));
    result.push_back(nullptr);
    return result;
}

/// Reports a setup failure to the parent (errno + text) and exits; child side only.
[[noreturn]] void child_fail(int report_fd, int error, const std::string& message) {
    char buffer[512];
    int length = std::snprintf(buffer, sizeof buffer, "%d %s", error, message.c_str());
    if (length > 0) {
        ssize_t ignored = write(report_fd, buffer, std::min<std::size_t>(length, sizeof buffer - 1));
        (void)ignored;
    }
    _exit(127);
}

/// Everything between fork and execve; never returns.
[[noreturn]] void exec_child(const ChildOptions& options, char* const* argv, char* const* envp,
                             int stdin_fd, int stdout_fd, int stderr_fd, int report_fd) {
    setpgid(0, 0);
    // Inherited signal state would leak into the helper (e.g. an ignored SIGPIPE).
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) {
        child_fail(report_fd, errno, "dup2");
    }
    // The report pipe is close-on-exec; everything else the parent had open must go.
    if (report_fd > 3) close_range(3, report_fd - 1, 0);
    close_range(report_fd + 1, ~0U, 0);
    try {
        if (options.as_user) drop_privileges(*options.as_user);
    } catch (const std::system_error& e) {
        child_fail(report_fd, e.code().value(), e.what());
    } catch (const std::exception& e) {
        child_fail(report_fd, EPERM, e.what());
    }
    const char* dir = options.working_dir.empty() ? "/" : options.working_dir.c_str();
    if (chdir(dir) != 0) child_fail(report_fd, errno, std::string("psgw: chdir '") + dir + "'");
    execve(argv[0], argv, envp);
    child_fail(report_fd, errno, "psgw: cannot execute '" + options.argv[0] + "'");
}

/// Reads what is available from `fd` into `sink` up to `limit`; returns false at EOF.
bool drain(int fd, std::string& sink, std::size_t limit) {
    char buffer[65536];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    std::size_t keep = std::min(static_cast<std::size_t>(n), limit - std::min(limit, sink.size()));
    sink.append(buffer, keep);
    return true;
}

/// Non-blocking drain step: false once the pipe is empty (EAGAIN) or at EOF.
bool drain_all(int fd, std::string& sink, std::size_t limit) {
    char buffer[65536];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) return errno == EINTR;
    if (n == 0) return false;
    std::size_t keep = std::min(static_cast<std::size_t>(n), limit - std::min(limit, sink.size()));
    sink.append(buffer, keep);
    return true;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

int wait_for(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return decode_status(status);
}

}  // namespace

ChildResult run_child(const ChildOptions& options) {
    if (options.argv.empty() || options.argv[0].empty() || options.argv[0][0] != '/') {
        throw std::system_error(EINVAL, std::generic_category(),
                                "psgw: run_child needs an absolute program path");
    }
    std::vector<char*> argv = to_c_array(options.argv);
    std::vector<char*> envp = to_c_array(options.env);

    Pipe in = make_stdin_channel();
    Pipe out = make_pipe();
    Pipe err = options.merge_stderr ? Pipe{} : make_pipe();
    Pipe report = make_pipe();

    const auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        int stderr_fd = options.merge_stderr ? out.write.get() : err.write.get();
        exec_child(options, argv.data(), envp.data(), in.read.get(), out.write.get(), stderr_fd,
                   report.write.get());
    }
    // Both sides set the group so that a kill(-pid) right after fork cannot miss.
    setpgid(pid, pid);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    report.write.reset();

    // Exec failure (or a failed privilege drop) arrives here; success closes the pipe.
    std::string report_text;
    while (drain(report.read.get(), report_text, 1024)) {
    }
    if (!report_text.empty()) {
        in.write.reset();
        wait_for(pid);
        int code = std::atoi(report_text.c_str());
        auto space = report_text.find(' ');
        std::string message = space == std::string::npos ? report_text : report_text.substr(space + 1);
        throw std::system_error(code != 0 ? code : ECHILD, std::generic_category(), message);
    }

    ChildResult result;
    // pidfd tells us when the child itself exits, so a background grandchild that
    // keeps the pipes open cannot make us wait forever.
    UniqueFd exit_fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (!exit_fd) {
        kill(-pid, SIGKILL);
        wait_for(pid);
        throw_errno("pidfd_open");
    }
    std::size_t stdin_offset = 0;
    if (options.stdin_data.empty()) in.write.reset();
    for (auto* fd : {&in.write, &out.read, &err.read}) {
        if (*fd) fcntl(fd->get(), F_SETFL, fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
    }

    bool exited = false;
    while (!exited) {
        pollfd fds[4];
        nfds_t count = 0;
        auto add = [&](const UniqueFd& fd, short events) {
            if (fd) fds[count++] = pollfd{fd.get(), events, 0};
        };
        add(exit_fd, POLLIN);
        add(out.read, POLLIN);
        add(err.read, POLLIN);
        add(in.write, POLLOUT);

        int wait_ms = -1;
        if (options.timeout.count() > 0) {
            auto left = options.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - start);
            if (left.count() <= 0) {
                result.timed_out = true;
                break;
            }
            wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30));
        }
        int ready = poll(fds, count, wait_ms);
        if (ready < 0) {
            if (errno == EINTR) continue;
            kill(-pid, SIGKILL);
            wait_for(pid);
            throw_errno("poll");
        }
        for (nfds_t i = 0; i < count; ++i) {
            if (fds[i].revents == 0) continue;
            if (fds[i].fd == exit_fd.get()) {
                exited = true;
            } else if (out.read && fds[i].fd == out.read.get()) {
                if (!drain(out.read.get(), result.output, options.output_limit)) out.read.reset();
            } else if (err.read && fds[i].fd == err.read.get()) {
                if (!drain(err.read.get(), result.error_output, kErrorOutputLimit)) err.read.reset();
            } else if (in.write && fds[i].fd == in.write.get()) {
                ssize_t n = send(in.write.get(), options.stdin_data.data() + stdin_offset,
                                 options.stdin_data.size() - stdin_offset, MSG_NOSIGNAL);
                if (n > 0) stdin_offset += static_cast<std::size_t>(n);
                bool failed = n < 0 && errno != EINTR && errno != EAGAIN;
                if (failed || stdin_offset == options.stdin_data.size()) in.write.reset();
            }
        }
    }
    if (result.timed_out) {
        // The whole group: the helper may have started children of its own.
        kill(-pid, SIGKILL);
    } else {
        // What the child wrote before exiting is already in the pipes: take it all.
        while (out.read && drain_all(out.read.get(), result.output, options.output_limit)) {
        }
        while (err.read && drain_all(err.read.get(), result.error_output, kErrorOutputLimit)) {
        }
    }
    in.write.reset();
    out.read.reset();
    err.read.reset();
    result.exit_code = wait_for(pid);
    return result;
}

}  // namespace psgw::sys
