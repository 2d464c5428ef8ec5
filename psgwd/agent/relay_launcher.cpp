#include "agent/relay_launcher.hpp"

#include "agent/proc_info.hpp"
#include "sys/unique_fd.hpp"

#include <psgw/contract.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/capability.h>
#include <map>
#include <poll.h>
#include <pwd.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace psgw::agent {
namespace {

using Clock = std::chrono::steady_clock;
using sys::UniqueFd;

/// fd number of the readiness pipe in the relay ("--ready-fd 3").
constexpr int kReadyFd = 3;
constexpr std::size_t kMaxReadyLine = 256;

/// A pipe with both ends close-on-exec; the child's end is dup2'ed into place.
struct Pipe {
    UniqueFd read;
    UniqueFd write;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw LaunchError(std::string("psgw: pipe: ") + std::strerror(errno));
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

/// Writes a message to stderr from the forked child; async-signal-safe.
void child_say(const char* what, const char* detail) {
    const char prefix[] = "psgwd agent: relay setup: ";
    [[maybe_unused]] ssize_t rc = ::write(2, prefix, sizeof prefix - 1);
    rc = ::write(2, what, std::strlen(what));
    if (detail != nullptr) {
        rc = ::write(2, ": ", 2);
        rc = ::write(2, detail, std::strlen(detail));
    }
    rc = ::write(2, "\n", 1);
}

[[noreturn]] void child_fail(const char* what, const char* detail = nullptr) {
    child_say(what, detail);
    ::_exit(126);
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

/// Everything the forked child needs, prepared before fork so the child only does syscalls.
struct ChildPlan {
    sys::UserIdentity user;
    std::string binary;
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string debug_file;  ///< empty: stderr stays on the root-owned log
};

/// Runs in the child: never returns.
[[noreturn]] void run_child(const ChildPlan& plan, int config_fd, int ready_fd, int log_fd) {
    // Signals are blocked across fork (see launch()): reset the agent's handlers
    // before unblocking, or a signal here would run asio's handler, which writes to
    // the pipe shared with the agent and makes the agent believe it got the signal.
    for (int sig : {SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP}) ::signal(sig, SIG_DFL);
    sigset_t empty;
    sigemptyset(&empty);
    ::sigprocmask(SIG_SETMASK, &empty, nullptr);
    if (::setsid() < 0) child_fail("setsid", std::strerror(errno));

    // Move our three fds above the target range first so dup2 cannot clobber one.
    const int config_high = ::fcntl(config_fd, F_DUPFD, 10);
    const int ready_high = ::fcntl(ready_fd, F_DUPFD, 10);
    const int log_high = ::fcntl(log_fd, F_DUPFD, 10);
    if (config_high < 0 || ready_high < 0 || log_high < 0) child_fail("dup", std::strerror(errno));
    if (::dup2(log_high, 2) < 0 || ::dup2(log_high, 1) < 0 || ::dup2(config_high, 0) < 0 ||
        ::dup2(ready_high, kReadyFd) < 0)
        child_fail("dup2", std::strerror(errno));
    ::close_range(kReadyFd + 1, ~0U, 0);

    try {
        sys::drop_privileges(plan.user);  // initgroups, setgid, setuid, NO_NEW_PRIVS, root check
    } catch (const std::exception& e) {
        child_fail("privilege drop failed", e.what());
    }
    if (::setuid(0) == 0) child_fail("privilege drop failed: setuid(0) succeeded");
    if (!has_no_capabilities()) child_fail("privilege drop failed: capabilities remain");

    if (!plan.debug_file.empty()) {
        // Opened as the user: it lives in the user's directory (psmgmt's .debug file).
        const int debug_fd = ::open(plan.debug_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644);
        if (debug_fd < 0) {
            child_say(plan.debug_file.c_str(), std::strerror(errno));
        } else {
            ::dup2(debug_fd, 2);
            ::dup2(debug_fd, 1);
            ::close(debug_fd);
        }
    }
    if (::chdir("/") != 0) child_fail("chdir /", std::strerror(errno));

    std::vector<char*> argv;
    for (const auto& arg : plan.argv) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& entry : plan.env) envp.push_back(const_cast<char*>(entry.c_str()));
    envp.push_back(nullptr);
    ::execve(plan.binary.c_str(), argv.data(), envp.data());
    child_say(("exec " + plan.binary).c_str(), std::strerror(errno));
    ::_exit(127);
}

/// The relay's clean environment: nothing inherited from root's environment.
}  // namespace

bool is_loader_variable(std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    // The dynamic loader's and glibc's code-loading variables: with them a user could run
    // own code inside the relay and so bypass its peer checks, which STRICT_MODE forbids.
    static constexpr std::string_view kGlibc[] = {"GCONV_PATH", "GLIBC_TUNABLES", "LOCPATH",
                                                  "NLSPATH", "MALLOC_TRACE", "HOSTALIASES"};
    if (name.starts_with("LD_")) return true;
    for (const auto known : kGlibc) {
        if (name == known) return true;
    }
    return false;
}

namespace {

std::vector<std::string> build_env(const LaunchSettings& settings, const control::StartRequest& request,
                                   const sys::UserIdentity& user, const std::string& home, unsigned index) {
    std::map<std::string, std::string> env;
    auto put = [&env](const std::string& entry) {
        const auto eq = entry.find('=');
        env[entry.substr(0, eq)] = entry.substr(eq + 1);
    };
    put("PATH=/usr/bin:/bin");
    put("HOME=" + home);
    put("USER=" + user.name);
    put("LOGNAME=" + user.name);
    for (const auto& entry : settings.config.gateway_env) put(entry);  // site defaults
    for (const auto& entry : request.env) {                            // GATEWAY_ENV, --gw_env, --gw_inherit
        if (settings.config.strict_mode && is_loader_variable(entry)) {
            spdlog::info("job {}: {} not passed to the relay: STRICT_MODE is on", request.job,
                         entry.substr(0, entry.find('=')));
            continue;
        }
        put(entry);
    }
    // Identity of the relay last: a user's --gw_env cannot disguise it.
    put("SLURM_JOB_ID=" + std::to_string(request.job));
    put("PSGWD_ID=" + std::to_string(index));
    if (request.debug) put("PSGWD_DEBUG=1");
    std::vector<std::string> out;
    for (const auto& [key, value] : env) out.push_back(key + "=" + value);
    return out;
}

std::string home_of(const sys::UserIdentity& user) {
    try {
        const std::string home = sys::lookup_user(user.uid).home;
        if (!home.empty()) return home;
    } catch (const std::exception&) {
    }
    return "/";
}

/// Last lines of a relay's stderr log, joined into one line for an error reply.
std::string log_tail(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(in.tellg());
    const std::streamoff start = std::max<std::streamoff>(0, size - 1024);
    in.seekg(start);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream lines(text);
    std::vector<std::string> kept;
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) kept.push_back(line);
    if (kept.size() > 3) kept.erase(kept.begin(), kept.end() - 3);
    std::string out;
    for (const auto& line : kept) out += (out.empty() ? "" : " | ") + line;
    return out;
}

/// Writes all of `data` to a non-blocking pipe before the deadline.
bool write_until(int fd, std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd pfd{fd, POLLOUT, 0};
        ::poll(&pfd, 1, static_cast<int>(left));
    }
    return true;
}

/// Parses "psgw-relay v1 port=P pid=N"; unknown key=value fields are ignored (forward compatible).
bool parse_ready_line(std::string_view line, std::uint16_t& port, pid_t& pid) {
    if (line.substr(0, contract::kRelayReadyTag.size()) != contract::kRelayReadyTag) return false;
    std::istringstream tokens{std::string(line.substr(contract::kRelayReadyTag.size()))};
    long long parsed_port = -1;
    long long parsed_pid = -1;
    for (std::string token; tokens >> token;) {
        const auto eq = token.find('=');
        if (eq == std::string::npos) return false;
        const std::string key = token.substr(0, eq);
        const std::string value = token.substr(eq + 1);
        if (value.empty() || value.size() > 10 || !std::all_of(value.begin(), value.end(), ::isdigit)) {
            if (key == "port" || key == "pid") return false;
            continue;
        }
        if (key == "port") parsed_port = std::stoll(value);
        if (key == "pid") parsed_pid = std::stoll(value);
    }
    if (parsed_port < 1 || parsed_port > 65535 || parsed_pid < 1) return false;
    port = static_cast<std::uint16_t>(parsed_port);
    pid = static_cast<pid_t>(parsed_pid);
    return true;
}

/// One relay being started.
struct Pending {
    std::unique_ptr<RelayProcess> process;
    UniqueFd ready;
    std::string line;
    bool done = false;
};

}  // namespace

RelayLauncher::RelayLauncher(LaunchSettings settings) : settings_(std::move(settings)) {}

std::filesystem::path RelayLauncher::binary_for(const control::StartRequest& request) const {
    const auto& config = settings_.config;
    if (request.binary.empty() || request.binary == config.psgwd_binary.string()) return config.psgwd_binary;
    if (config.strict_mode) throw LaunchError("psgw: --gw_binary not allowed: STRICT_MODE is on");
    // STRICT_MODE=0: the user's binary, exec'ed only after the drop to the job user.
    return request.binary;
}

std::filesystem::path RelayLauncher::job_dir(std::uint32_t job) const {
    return settings_.config.agent_state_dir / ("job-" + std::to_string(job));
}

std::filesystem::path RelayLauncher::stats_file(std::uint32_t job, unsigned index) const {
    return job_dir(job) / ("relay-" + std::to_string(index) + ".stats");
}

std::filesystem::path RelayLauncher::log_file(std::uint32_t job, unsigned index) const {
    return settings_.config.agent_state_dir / ("job-" + std::to_string(job) + "-relay-" + std::to_string(index) + ".log");
}

void RelayLauncher::remove_job_files(std::uint32_t job, unsigned relays) const {
    // The job directory belongs to the user: remove its entries by name through the
    // directory fd, never following a symlink the user may have planted.
    const auto dir = job_dir(job);
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir_fd) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
            ::unlinkat(dir_fd.get(), entry.path().filename().c_str(), 0);
        ::rmdir(dir.c_str());
    }
    for (unsigned index = 0; index < relays; ++index) ::unlink(log_file(job, index).c_str());
}

std::vector<std::unique_ptr<RelayProcess>> RelayLauncher::launch(const control::StartRequest& request,
                                                                 const sys::UserIdentity& user) const {
    const auto& config = settings_.config;
    const std::filesystem::path binary = binary_for(request);
    const std::string job = std::to_string(request.job);
    const std::string home = home_of(user);

    // Per-job directory owned by the user, so the relay can write its stats files.
    const auto dir = job_dir(request.job);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        throw LaunchError("psgw: cannot create " + dir.string() + ": " + std::strerror(errno));
    struct stat st{};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || ::lchown(dir.c_str(), user.uid, user.gid) != 0)
        throw LaunchError("psgw: cannot prepare " + dir.string());

    // Relays see their deadline slightly before the controller's, so the controller
    // gets our error reply rather than its own timeout.
    const auto budget = std::max<std::chrono::milliseconds>(std::chrono::milliseconds(1000),
                                                            std::chrono::milliseconds(config.timeout_agent) * 3 / 4);
    const auto deadline = Clock::now() + budget;

    std::vector<Pending> pending;
    for (unsigned index = 0; index < request.relays; ++index) {
        nlohmann::json relay_config = {
            {"job", request.job},
            {"cluster_addr", settings_.cluster_addr},
            {"booster_addr", settings_.booster_addr},
            {"ports", {{"first", config.relay_ports.first}, {"last", config.relay_ports.last}}},
            {"cluster_peers", request.cluster_peers},
            {"booster_peers", request.booster_peers},
            {"handshake_timeout_ms", std::chrono::milliseconds(config.relay_handshake_timeout).count()},
            {"connect_timeout_ms", std::chrono::milliseconds(config.relay_connect_timeout).count()},
            {"max_connections", config.relay_max_connections},
            {"pipe_size", config.relay_pipe_size},
            {"stats_file", stats_file(request.job, index).string()},
            {"log_level", request.debug ? "debug" : "info"},
        };
        ChildPlan plan{user, binary.string(), {binary.string(), "relay", "--ready-fd", std::to_string(kReadyFd)},
                       build_env(settings_, request, user, home, index), {}};
        if (request.debug) {
            const std::string base = request.cwd.empty() ? home : request.cwd;
            plan.debug_file = base + "/JOB-" + job + "-psgwd_" + std::to_string(index) + "-" + settings_.node + ".debug";
        }
        const auto log_path = log_file(request.job, index);
        UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640));
        if (!log) throw LaunchError("psgw: cannot open " + log_path.string() + ": " + std::strerror(errno));
        Pipe config_pipe = make_pipe();
        Pipe ready_pipe = make_pipe();

        sigset_t all;
        sigset_t saved;
        sigfillset(&all);
        ::sigprocmask(SIG_SETMASK, &all, &saved);
        const pid_t pid = ::fork();
        if (pid == 0) run_child(plan, config_pipe.read.get(), ready_pipe.write.get(), log.get());
        ::sigprocmask(SIG_SETMASK, &saved, nullptr);
        if (pid < 0) throw LaunchError(std::string("psgw: fork: ") + std::strerror(errno));

        Pending entry;
        // Start time read right away: exec keeps it, so it identifies the relay for good.
        entry.process = std::make_unique<RelayProcess>(pid, process_start_time(pid).value_or(0), true, index);
        entry.ready = std::move(ready_pipe.read);
        pending.push_back(std::move(entry));
        config_pipe.read.reset();
        ready_pipe.write.reset();
        ::fcntl(config_pipe.write.get(), F_SETFL, O_NONBLOCK);
        // A relay that dies before reading its config shows up below as "exited early".
        write_until(config_pipe.write.get(), relay_config.dump(), deadline);
    }

    auto fail = [&](unsigned index, const std::string& reason) -> LaunchError {
        std::string message = "psgw: job " + job + ": relay " + std::to_string(index) + " " + reason;
        const std::string tail = log_tail(log_file(request.job, index));
        if (!tail.empty()) message += ": " + tail;
        return LaunchError(message);  // `pending` unwinds: every started relay is stopped
    };

    for (;;) {
        std::vector<pollfd> fds;
        std::vector<Pending*> owners;
        for (auto& entry : pending)
            if (!entry.done) {
                fds.push_back({entry.ready.get(), POLLIN, 0});
                owners.push_back(&entry);
            }
        if (fds.empty()) break;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) throw fail(owners.front()->process->index(), "not ready within " + std::to_string(budget.count()) + " ms");
        const int rc = ::poll(fds.data(), fds.size(), static_cast<int>(left));
        if (rc < 0 && errno != EINTR) throw LaunchError(std::string("psgw: poll: ") + std::strerror(errno));
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            Pending& entry = *owners[i];
            char buffer[128];
            const ssize_t n = ::read(entry.ready.get(), buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::usleep(50000);  // let it finish dying so its exit and stderr are complete
                throw fail(entry.process->index(), "exited before it was ready");
            }
            entry.line.append(buffer, static_cast<std::size_t>(n));
            const auto newline = entry.line.find('\n');
            if (newline == std::string::npos) {
                if (entry.line.size() > kMaxReadyLine) throw fail(entry.process->index(), "wrote a garbled readiness line");
                continue;
            }
            std::uint16_t port = 0;
            pid_t ready_pid = 0;
            const std::string line = entry.line.substr(0, newline);
            if (!parse_ready_line(line, port, ready_pid) || ready_pid != entry.process->pid() ||
                port < config.relay_ports.first || port > config.relay_ports.last)
                throw fail(entry.process->index(), "wrote a garbled readiness line '" + line + "'");
            entry.process->set_port(port);
            entry.done = true;
            entry.ready.reset();
        }
    }

    std::vector<std::unique_ptr<RelayProcess>> out;
    for (auto& entry : pending) {
        // The start time after exec is the one /proc shows from now on (exec keeps it).
        out.push_back(std::move(entry.process));
    }
    return out;
}

}  // namespace psgw::agent
