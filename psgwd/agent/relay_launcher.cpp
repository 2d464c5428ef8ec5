#include "agent/relay_launcher.hpp"
#include <psgw/error.hpp>

#include "agent/proc_info.hpp"
#include "config/key_value.hpp"
#include "posix/passwd_lookup.hpp"
#include "sys/spawn.hpp"
#include "sys/unique_fd.hpp"

#include <psgw/contract.hpp>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace psgw::agent {
namespace {

using sys::UniqueFd;

/// fd number of the readiness pipe in the relay ("--ready-fd 3").
constexpr int kReadyFd = contract::kRelayReadyFd;

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

}  // namespace

bool is_loader_variable(std::string_view entry) {
    const auto assignment = config::split_key_value(entry);
    const std::string_view name = assignment ? assignment->key : entry;
    // The dynamic loader's and glibc's code-loading variables: with them a user could run
    // own code inside the relay and so bypass its peer checks, which STRICT_MODE forbids.
    static constexpr std::string_view kGlibc[] = {"GCONV_PATH", "GLIBC_TUNABLES", "LOCPATH",
                                                  "NLSPATH",    "MALLOC_TRACE",   "HOSTALIASES"};
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
        // Request entries were checked by the controller; one without '=' is not an
        // assignment and is dropped rather than guessed at.
        if (const auto assignment = config::split_key_value(entry))
            env[std::string(assignment->key)] = assignment->value;
    };
    put("PATH=/usr/bin:/bin");
    put("HOME=" + home);
    put("USER=" + user.name);
    put("LOGNAME=" + user.name);
    for (const auto& entry : settings.config.gateway_env) put(entry);  // site defaults
    for (const auto& entry : request.env) {                            // GATEWAY_ENV, --gw_env, --gw_inherit
        if (settings.config.strict_mode && is_loader_variable(entry)) {
            const auto assignment = config::split_key_value(entry);
            spdlog::info("job {}: {} not passed to the relay: STRICT_MODE is on", request.job,
                         assignment ? assignment->key : std::string_view(entry));
            continue;
        }
        put(entry);
    }
    // Identity of the relay last: a user's --gw_env cannot disguise it.
    put("SLURM_JOB_ID=" + std::to_string(request.job));
    put(std::string(contract::kEnvPsgwdId) + "=" + std::to_string(index));
    if (request.debug) put(std::string(contract::kEnvPsgwdDebug) + "=1");
    std::vector<std::string> out;
    for (const auto& [key, value] : env) out.push_back(key + "=" + value);
    return out;
}

std::string home_of(const sys::UserIdentity& user) {
    if (!user.home.empty()) return user.home;
    const auto entry = posix::find_user(user.uid);
    return entry && !entry->home.empty() ? entry->home : "/";
}

/// `text` with every byte that is not printable ASCII (a user binary's stderr may be
/// anything, including invalid UTF-8 and terminal escapes) replaced by '?'.
std::string printable(std::string text) {
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    return text;
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
    return printable(out);
}

/// Parses "psgw-relay v1 port=P pid=N"; unknown key=value fields are ignored (forward compatible).
bool parse_ready_line(std::string_view line, std::uint16_t& port, pid_t& pid) {
    if (line.substr(0, contract::kRelayReadyTag.size()) != contract::kRelayReadyTag) return false;
    std::istringstream tokens{std::string(line.substr(contract::kRelayReadyTag.size()))};
    long long parsed_port = -1;
    long long parsed_pid = -1;
    for (std::string token; tokens >> token;) {
        const auto field = config::split_key_value(token);
        if (!field) return false;
        const std::string_view key = field->key;
        const std::string value(field->value);
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
    return settings_.config.agent_state_dir /
           ("job-" + std::to_string(job) + "-relay-" + std::to_string(index) + ".log");
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

std::chrono::milliseconds RelayLauncher::start_budget() const {
    // Relays see their deadline slightly before the controller's, so the controller
    // gets our error reply rather than its own timeout.
    return std::max<std::chrono::milliseconds>(
        std::chrono::milliseconds(1000), std::chrono::milliseconds(settings_.config.timeout_agent) * 3 / 4);
}

void RelayLauncher::prepare_job_dir(std::uint32_t job, const sys::UserIdentity& user) const {
    // Per-job directory owned by the user, so the relay can write its stats files. One
    // left over (an agent killed mid-start) belonged to an earlier job: never reuse it.
    const auto dir = job_dir(job);
    remove_job_files(job, 0);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        throw LaunchError("psgw: cannot create " + dir.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
        ::lchown(dir.c_str(), user.uid, user.gid) != 0)
        throw LaunchError("psgw: cannot prepare " + dir.string());
}

SpawnedRelay RelayLauncher::spawn_relay(const control::StartRequest& request, const sys::UserIdentity& user,
                                        unsigned index) const {
    const auto& config = settings_.config;
    const std::filesystem::path binary = binary_for(request);
    const std::string job = std::to_string(request.job);
    const std::string home = home_of(user);
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
        {"keepalive_s", config.relay_keepalive.count()},
        {"stats_file", stats_file(request.job, index).string()},
        {"log_level", request.debug ? "debug" : "info"},
    };
    std::string debug_file;  // empty: stderr stays on the root-owned log
    if (request.debug) {
        const std::string base = request.cwd.empty() ? home : request.cwd;
        debug_file =
            base + "/JOB-" + job + "-psgwd_" + std::to_string(index) + "-" + settings_.node + ".debug";
    }
    const auto log_path = log_file(request.job, index);
    UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640));
    if (!log) throw LaunchError("psgw: cannot open " + log_path.string() + ": " + std::strerror(errno));

    sys::SpawnOptions options;
    options.fds = {sys::ChildFd::input(0), sys::ChildFd::share(1, log.get()),
                   sys::ChildFd::share(2, log.get()), sys::ChildFd::output(kReadyFd)};
    options.new_session = true;
    options.as_user = user;  // initgroups, setgid, setuid, NO_NEW_PRIVS, root check
    options.require_no_capabilities = true;
    if (!debug_file.empty()) {
        options.before_exec = [&debug_file] {
            // Opened as the user: it lives in the user's directory (psmgmt's .debug file).
            const int debug_fd = ::open(debug_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644);
            if (debug_fd < 0) {
                child_say(debug_file.c_str(), std::strerror(errno));
            } else {
                ::dup2(debug_fd, 2);
                ::dup2(debug_fd, 1);
                ::close(debug_fd);
            }
        };
    }
    sys::Child child;
    try {
        child = sys::spawn_exec(
            options,
            {binary.string(), "relay", std::string(contract::kRelayReadyFdOption), std::to_string(kReadyFd)},
            build_env(settings_, request, user, home, index));
    } catch (const std::system_error& e) {
        throw failure(request.job, index, std::string("cannot be started: ").append(error_body(e.what())));
    }
    SpawnedRelay relay;
    relay.config = child.take_fd(0);
    relay.ready = child.take_fd(kReadyFd);
    relay.config_text = relay_config.dump();
    // Start time read right away: exec keeps it, so it identifies the relay for good.
    relay.process =
        std::make_unique<RelayProcess>(child.pid(), process_start_time(child.pid()).value_or(0), true, index);
    child.release();  // the RelayProcess owns it from here on
    return relay;
}

std::optional<std::uint16_t> RelayLauncher::check_ready_line(std::string_view line, pid_t pid) const {
    std::uint16_t port = 0;
    pid_t ready_pid = 0;
    if (!parse_ready_line(line, port, ready_pid) || ready_pid != pid ||
        port < settings_.config.relay_ports.first || port > settings_.config.relay_ports.last)
        return std::nullopt;
    return port;
}

LaunchError RelayLauncher::failure(std::uint32_t job, unsigned index, const std::string& reason) const {
    std::string message =
        "psgw: job " + std::to_string(job) + ": relay " + std::to_string(index) + " " + reason;
    const std::string tail = log_tail(log_file(job, index));
    if (!tail.empty()) message += ": " + tail;
    return LaunchError(message);
}

}  // namespace psgw::agent
