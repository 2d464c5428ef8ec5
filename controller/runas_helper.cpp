// perform(): the file verbs are sys::perform_here after the drop; exec runs the program
// in its own session with the helper as subreaper, so that a plugin that daemonises
// is killed too when it returns or times out.
#include "runas_helper.hpp"

#include "posix/fd_io.hpp"
#include "sys/process_tree.hpp"
#include "sys/spawn.hpp"
#include "sys/user_operation.hpp"

#include <psgw/contract.hpp>
#include <psgw/error.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <system_error>

extern char** environ;

namespace psgw::runas {

namespace {

using contract::kRunasRefused;

constexpr std::size_t kMaxContent = 64u << 20;  // a routing file of 4096 x 4096 nodes fits
constexpr std::chrono::seconds kTermGrace{2};   // SIGTERM, then SIGKILL
constexpr std::chrono::seconds kReapLimit{5};

void report(int fd, const std::string& line) {
    if (fd >= 0) (void)posix::write_all(fd, line.data(), line.size());
}

/// Blocks the signals that end the helper and returns a signalfd for them.
sys::UniqueFd termination_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int signal : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, signal);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) {
        throw std::system_error(errno, std::generic_category(), "psgw: sigprocmask");
    }
    sys::UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC));
    if (!fd) throw std::system_error(errno, std::generic_category(), "psgw: signalfd");
    return fd;
}

enum class Ending { kExited, kDeadline, kSignalled };

/// Waits for the child's exit, the deadline, or a termination signal.
Ending wait_for(const sys::Child& child, int signals, std::chrono::steady_clock::time_point deadline,
                bool has_deadline) {
    for (;;) {
        pollfd fds[2] = {{child.pidfd().get(), POLLIN, 0}, {signals, POLLIN, 0}};
        int wait_ms = -1;
        if (has_deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return Ending::kDeadline;
            wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30));
        }
        const int ready = ::poll(fds, 2, wait_ms);
        if (ready < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "psgw: poll");
        if (ready <= 0) continue;
        if (fds[0].revents != 0) return Ending::kExited;
        if (fds[1].revents != 0) return Ending::kSignalled;
    }
}

int run_program(const Request& request, const sys::UserIdentity& user, std::vector<std::string> argv) {
    if (!argv.empty() && argv.front() == "--") argv.erase(argv.begin());
    if (argv.empty() || argv.front().empty() || argv.front().front() != '/') {
        throw Error("psgw: exec needs an absolute program path");
    }
    if (request.report_fd >= 0) ::fcntl(request.report_fd, F_SETFD, FD_CLOEXEC);
    sys::become_subreaper();
    sys::drop_privileges(user);
    // Set after the drop (a credential change clears it): if the caller dies, so do we,
    // and the program with us.
    const pid_t caller = ::getppid();
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != caller) return kRunasRefused;
    const sys::UniqueFd signals = termination_signals();

    sys::SpawnOptions options;
    options.fds = {sys::ChildFd::share(0, 0), sys::ChildFd::share(1, 1), sys::ChildFd::share(2, 2)};
    options.new_session = true;
    options.working_dir = request.cwd;
    std::vector<std::string> env;
    for (char** entry = environ; *entry; ++entry) env.emplace_back(*entry);
    sys::Child child;
    try {
        child = sys::spawn_exec(options, argv, env);
    } catch (const std::system_error& e) {
        // what() ends in ": " + the errno text, which the caller's system_error adds again.
        std::string reason = e.what();
        const std::string suffix = ": " + e.code().message();
        if (reason.ends_with(suffix)) reason.resize(reason.size() - suffix.size());
        report(request.report_fd, "error " + std::to_string(e.code().value()) + " " + reason + "\n");
        return 0;
    }
    const auto deadline = std::chrono::steady_clock::now() + request.timeout;
    const Ending ending = wait_for(child, signals.get(), deadline, request.timeout.count() > 0);
    if (ending != Ending::kExited) {
        child.signal_group(SIGTERM);
        (void)wait_for(child, signals.get(), std::chrono::steady_clock::now() + kTermGrace, true);
        child.signal_group(SIGKILL);
    }
    const int code = child.wait();
    // The program is done: whatever it left behind (a daemon, a background job) goes too.
    sys::kill_and_reap_descendants(kReapLimit);
    if (ending == Ending::kSignalled) return 128 + SIGTERM;
    report(request.report_fd,
           ending == Ending::kDeadline ? "timeout\n" : "exit " + std::to_string(code) + "\n");
    return 0;
}

int run_file_operation(const Request& request, const sys::UserIdentity& user) {
    std::string error;
    auto operation = sys::UserOperation::from_helper_args(request.args, error);
    if (!operation) throw Error(error);
    sys::drop_privileges(user);
    if (operation->kind == sys::UserOperation::Kind::kWrite ||
        operation->kind == sys::UserOperation::Kind::kAppend) {
        if (!posix::read_to_eof(STDIN_FILENO, operation->content, kMaxContent + 1) ||
            operation->content.size() > kMaxContent) {
            throw Error("psgw: cannot read the file content from stdin (at most 64 MiB)");
        }
    }
    const std::string answer = sys::perform_here(*operation);
    if (!posix::write_all(STDOUT_FILENO, answer.data(), answer.size())) {
        throw Error("psgw: cannot write the answer to stdout");
    }
    return 0;
}

}  // namespace

std::string caller_refusal(const struct stat& helper, uid_t caller, const std::vector<gid_t>& caller_groups) {
    if (caller == 0) return {};
    if ((helper.st_mode & S_IXOTH) != 0) {
        return "psgw: psgw-runas is executable by everyone; install it mode 4750 with SlurmUser's group";
    }
    if (std::find(caller_groups.begin(), caller_groups.end(), helper.st_gid) != caller_groups.end())
        return {};
    return "psgw: uid " + std::to_string(caller) + " may not use psgw-runas: not root and not in its group " +
           std::to_string(helper.st_gid);
}

sys::UserIdentity target_user(uid_t uid) {
    if (uid == 0) throw Error("psgw: psgw-runas never acts as root");
    try {
        return sys::lookup_user(uid);
    } catch (const std::exception&) {
        throw Error("psgw: psgw-runas: no user with uid " + std::to_string(uid));
    }
}

int perform(const Request& request) {
    try {
        const sys::UserIdentity user = target_user(request.uid);
        if (!request.args.empty() && request.args.front() == "exec") {
            return run_program(request, user, {request.args.begin() + 1, request.args.end()});
        }
        return run_file_operation(request, user);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return kRunasRefused;
    }
}

}  // namespace psgw::runas
