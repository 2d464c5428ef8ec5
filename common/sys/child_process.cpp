// run_child: spawn_exec (own process group, privilege drop, execve) plus poll-based
// capture of stdout/stderr, a deadline that SIGKILLs the whole group, and reaping.
#include "sys/child_process.hpp"

#include "posix/fd_io.hpp"
#include "sys/runas_client.hpp"
#include "sys/spawn.hpp"
#include "sys/unique_fd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

namespace psgw::sys {

namespace {

constexpr std::size_t kErrorOutputLimit = 64u << 10;
// psgw-runas writes the program's outcome here (never inherited by the program).
constexpr int kRunasReportFd = 3;
// The helper enforces the timeout itself (it can signal the user's processes; an
// unprivileged caller cannot); ours is only the backstop for a wedged helper.
constexpr std::chrono::seconds kRunasBackstop{10};

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), std::string("psgw: ") + what);
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

}  // namespace

ChildResult run_child(const ChildOptions& options) {
    if (options.argv.empty() || options.argv[0].empty() || options.argv[0][0] != '/') {
        throw std::system_error(EINVAL, std::generic_category(),
                                "psgw: run_child needs an absolute program path");
    }
    SpawnOptions spawn;
    spawn.fds = {ChildFd::input(0), ChildFd::output(1),
                 options.merge_stderr ? ChildFd::alias(2, 1) : ChildFd::output(2)};
    std::vector<std::string> argv = options.argv;
    auto timeout = options.timeout;
    // Another user: always through psgw-runas, root included, because the helper is
    // the one that makes sure nothing the program started outlives it.
    const bool via_runas = options.as_user && !is_current_identity(*options.as_user);
    if (via_runas) {
        argv = runas_exec_argv(*options.as_user, options.working_dir, options.timeout, kRunasReportFd,
                               options.argv);
        spawn.fds.push_back(ChildFd::output(kRunasReportFd));
        if (timeout.count() > 0) timeout += kRunasBackstop;
    } else {
        spawn.working_dir = options.working_dir;
    }
    const auto start = std::chrono::steady_clock::now();
    // Exec failure is thrown here.
    Child child = spawn_exec(spawn, argv, options.env);
    UniqueFd in_write = child.take_fd(0);
    UniqueFd out_read = child.take_fd(1);
    UniqueFd err_read = child.take_fd(2);
    UniqueFd report_read = via_runas ? child.take_fd(kRunasReportFd) : UniqueFd();

    ChildResult result;
    // pidfd tells us when the child itself exits, so a background grandchild that
    // keeps the pipes open cannot make us wait forever.
    const UniqueFd& exit_fd = child.pidfd();
    std::size_t stdin_offset = 0;
    if (options.stdin_data.empty()) in_write.reset();
    for (auto* fd : {&in_write, &out_read, &err_read}) {
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
        add(out_read, POLLIN);
        add(err_read, POLLIN);
        add(in_write, POLLOUT);

        int wait_ms = -1;
        if (timeout.count() > 0) {
            auto left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
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
            throw_errno("poll");  // `child` unwinds: its group is killed and it is reaped
        }
        for (nfds_t i = 0; i < count; ++i) {
            if (fds[i].revents == 0) continue;
            if (fds[i].fd == exit_fd.get()) {
                exited = true;
            } else if (out_read && fds[i].fd == out_read.get()) {
                if (!drain(out_read.get(), result.output, options.output_limit)) out_read.reset();
            } else if (err_read && fds[i].fd == err_read.get()) {
                if (!drain(err_read.get(), result.error_output, kErrorOutputLimit)) err_read.reset();
            } else if (in_write && fds[i].fd == in_write.get()) {
                ssize_t n = send(in_write.get(), options.stdin_data.data() + stdin_offset,
                                 options.stdin_data.size() - stdin_offset, MSG_NOSIGNAL);
                if (n > 0) stdin_offset += static_cast<std::size_t>(n);
                bool failed = n < 0 && errno != EINTR && errno != EAGAIN;
                if (failed || stdin_offset == options.stdin_data.size()) in_write.reset();
            }
        }
    }
    if (result.timed_out) {
        // The whole group: the helper may have started children of its own.
        child.signal_group(SIGKILL);
    } else {
        // What the child wrote before exiting is already in the pipes: take it all.
        while (out_read && drain_all(out_read.get(), result.output, options.output_limit)) {}
        while (err_read && drain_all(err_read.get(), result.error_output, kErrorOutputLimit)) {}
    }
    in_write.reset();
    out_read.reset();
    err_read.reset();
    result.exit_code = child.wait();
    if (via_runas && !result.timed_out) {
        std::string report;
        (void)posix::read_to_eof(report_read.get(), report, 4096);
        const auto outcome = parse_runas_report(report);
        if (!outcome) {
            // The helper refused before it could report (caller, uid, grammar): its one line.
            std::string reason = result.error_output.substr(0, result.error_output.find('\n'));
            if (reason.empty())
                reason = "psgw: " + argv[0] + " failed with exit code " + std::to_string(result.exit_code);
            throw std::system_error(EPERM, std::generic_category(), reason);
        }
        if (outcome->kind == RunasOutcome::Kind::kNotStarted) {
            throw std::system_error(outcome->error, std::generic_category(), outcome->reason);
        }
        result.exit_code = outcome->exit_code;
        result.timed_out = outcome->kind == RunasOutcome::Kind::kTimedOut;
    }
    return result;
}

}  // namespace psgw::sys
