// The black-box fixture shared by the agent tests: a private munged, a real
// "psgwd agent" on 127.0.0.1 with its own psgw.conf, and small /proc and socket helpers.
// Needs root (the agent drops to `nobody`) and munged; tests skip otherwise.
#pragma once

#include "control/control_client.hpp"
#include "control/framing.hpp"
#include "control/munge_codec.hpp"

#include <psgw/contract.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace psgw::control::agent_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kMunged = "/usr/sbin/munged";
constexpr auto kTimeout = 15s;

inline std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Polls `predicate` every 50 ms for at most `limit`; true once it holds.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (predicate()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return predicate();
}

inline bool process_exists(pid_t pid) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (stat.empty()) return false;
    const auto close = stat.rfind(')');
    return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

inline std::string status_field(pid_t pid, const std::string& field) {
    std::istringstream lines(read_file("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(field + ":", 0) == 0) {
            std::string value = line.substr(field.size() + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            value.erase(value.find_last_not_of(" \t") + 1);
            return value;
        }
    return {};
}

inline bool can_connect(const std::string& address, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

inline std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        addr.sin_port = 0;  // getsockname reports 0 too
    socklen_t size = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
    ::close(fd);
    return ntohs(addr.sin_port);
}

/// A TCP connection to 127.0.0.1:`port` from `source` (any 127.x address), or -1.
inline int connect_from(const char* source, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Sends one raw frame and returns the raw reply body ("" if the agent closed).
inline std::string raw_exchange(std::uint16_t port, const std::string& body) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return {};
    }
    const std::string frame = encode_frame(body);
    if (::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(frame.size())) {
        ::close(fd);
        return {};
    }
    std::string reply;
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
        reply.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return reply.size() > kFrameHeaderSize ? reply.substr(kFrameHeaderSize) : std::string();
}

/// Runs `work` in a child that has become nobody; returns what it wrote to the pipe,
/// or "" if it failed.
template <typename Work>
inline std::string as_nobody(Work work) {
    int fds[2];
    if (::pipe(fds) != 0) return {};
    const pid_t child = ::fork();
    if (child < 0) return {};
    if (child == 0) {
        ::close(fds[0]);
        const passwd* nobody = ::getpwnam("nobody");
        if (::setgroups(0, nullptr) != 0 || ::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0)
            ::_exit(2);
        try {
            const std::string out = work();
            if (::write(fds[1], out.data(), out.size()) < 0) ::_exit(3);
        } catch (...) {
            ::_exit(4);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
        out.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? out : std::string();
}

class AgentBlackBox : public ::testing::Test {
protected:
    /// The psgwd the agent runs as relays (PSGWD_BINARY): a copy nobody can execute.
    static std::string psgwd_binary() { return psgwd_.string(); }

    static void SetUpTestSuite() {
        if (::geteuid() != 0 || !fs::exists(kMunged) || ::getpwnam("munge") == nullptr) return;
        char pattern[] = "/tmp/psgw-agent-test.XXXXXX";
        dir_ = ::mkdtemp(pattern);
        ::chmod(dir_.c_str(), 0755);
        // Relays run as nobody, who may not reach the build tree (a clone in /root):
        // they run a copy here instead.
        psgwd_ = dir_ / "psgwd";
        fs::copy_file(PSGWD_BINARY_PATH, psgwd_);
        ::chmod(psgwd_.c_str(), 0755);
        const fs::path munge = dir_ / "munge";
        fs::create_directory(munge);
        const passwd* pw = ::getpwnam("munge");
        if (::chown(munge.c_str(), pw->pw_uid, pw->pw_gid) != 0) return;
        ::chmod(munge.c_str(), 0755);  // nobody must reach the socket to mint its own credential
        {
            std::ofstream key(munge / "munge.key");
            std::ifstream random("/dev/urandom", std::ios::binary);
            char bytes[1024];
            random.read(bytes, sizeof bytes);
            key.write(bytes, sizeof bytes);
        }
        if (::chown((munge / "munge.key").c_str(), pw->pw_uid, pw->pw_gid) != 0) return;
        ::chmod((munge / "munge.key").c_str(), 0400);
        socket_ = (munge / "munge.socket").string();
        const std::string command =
            "runuser -u munge -- " + std::string(kMunged) + " --force --socket=" + socket_ +
            " --key-file=" + (munge / "munge.key").string() +
            " --pid-file=" + (munge / "munged.pid").string() + " --seed-file=" + (munge / "seed").string() +
            " --log-file=" + (munge / "munged.log").string();
        if (std::system(command.c_str()) != 0) return;
        munged_ok_ = eventually([] { return fs::exists(socket_); }, 5s);
    }

    static void TearDownTestSuite() {
        const std::string pid = read_file(dir_ / "munge" / "munged.pid");
        if (!pid.empty()) ::kill(std::atoi(pid.c_str()), SIGTERM);
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }

    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (the agent drops privileges)";
        if (!fs::exists(kMunged)) GTEST_SKIP() << "munged is not installed";
        ASSERT_TRUE(munged_ok_) << "munged did not start; see " << (dir_ / "munge" / "munged.log");
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        work_ = dir_ / info->name();
        fs::create_directories(work_ / "state");
        port_ = free_port();
        job_ = 4000 + static_cast<std::uint32_t>(port_ % 1000);
        {
            std::ofstream fabric(work_ / "fabric-addresses");
            fabric << "# test gateway\ngwtest cluster 127.0.0.1\ngwtest booster 127.0.0.2\n";
        }
        write_config("1");
    }

    void TearDown() override {
        stop_agent();
        for (pid_t pid : relay_pids_) {
            ::kill(-pid, SIGKILL);
            ::kill(pid, SIGKILL);
        }
    }

    void write_config(const std::string& strict_mode) {
        std::ofstream conf(work_ / "psgw.conf");
        conf << "FABRIC_ADDRESSES = " << (work_ / "fabric-addresses").string() << "\n"
             << "AGENT_STATE_DIR = " << (work_ / "state").string() << "\n"
             << "CONTROL_USER = root\n"
             << "MUNGE_SOCKET = " << socket_ << "\n"
             << "PSGWD_BINARY = " << psgwd_binary() << "\n"
             << "AGENT_PORT = " << port_ << "\n"
             << "RELAY_PORTS = 43000-43999\n"
             << "TIMEOUT_AGENT = 8\n"
             << "STRICT_MODE = " << strict_mode << "\n";
    }

    void start_agent(const char* job_check_interval = "0") {
        spawn_agent(job_check_interval);
        ASSERT_TRUE(eventually([this] { return can_connect("127.0.0.1", port_); }))
            << "agent did not listen:\n"
            << agent_log();
    }

    /// Forks and execs the agent (agent_ = its pid), logging to agent.log.
    void spawn_agent(const char* job_check_interval = "0") {
        const fs::path log = work_ / "agent.log";
        agent_ = ::fork();
        ASSERT_GE(agent_, 0);
        if (agent_ == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::setenv("PSGW_TEST_AGENT_SECRET", "leak", 1);         // must not reach the relays
            ::setenv("SLURM_CONF", "/nonexistent/slurm.conf", 1);  // Slurm cannot be asked
            const std::string config = (work_ / "psgw.conf").string();
            const std::string listen = "127.0.0.1:" + std::to_string(port_);
            ::execl(psgwd_.c_str(), psgwd_.c_str(), "agent", "--config", config.c_str(), "--node", "gwtest",
                    "--listen", listen.c_str(), "--job-check-interval", job_check_interval,
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }

    void stop_agent(int signal = SIGKILL) {
        if (agent_ <= 0) return;
        ::kill(agent_, signal);
        ::waitpid(agent_, nullptr, 0);
        agent_ = -1;
    }

    /// True if the spawned agent exits with an error (within 10 s; else it is killed).
    bool agent_refused() {
        int status = 0;
        const bool exited = eventually([&] { return ::waitpid(agent_, &status, WNOHANG) == agent_; });
        if (!exited) {
            stop_agent();
            return false;
        }
        agent_ = -1;
        return WIFEXITED(status) && WEXITSTATUS(status) != 0;
    }

    AgentAddress agent() const { return AgentAddress{"127.0.0.1", port_, socket_}; }

    /// raw_exchange() with the reply's credential opened: its JSON, or "UNSIGNED: " + body.
    std::string exchange(const std::string& body) const {
        const std::string reply = raw_exchange(port_, body);
        try {
            return MungeCodec(socket_).decode(reply).payload;
        } catch (const MungeError&) {
            return "UNSIGNED: " + reply;
        }
    }

    StartRequest request(unsigned relays = 2) const {
        const passwd* nobody = ::getpwnam("nobody");
        StartRequest r;
        r.job = job_;
        r.user = "nobody";
        r.uid = nobody->pw_uid;
        r.gid = nobody->pw_gid;
        r.relays = relays;
        r.env = {"PSGW_TEST_VAR=$(id) `x`", "OTHER=1", "LD_PRELOAD=/nonexistent/psgw-test.so"};
        r.cluster_peers = {"127.0.0.1"};
        r.booster_peers = {"127.0.0.2"};
        return r;
    }

    StartReply start(const StartRequest& r) {
        StartReply reply = start_relays(agent(), r, kTimeout);
        for (const auto& relay : reply.relays) relay_pids_.push_back(relay.pid);
        return reply;
    }

    std::string agent_log() const { return read_file(work_ / "agent.log"); }

    static inline fs::path dir_;
    static inline fs::path psgwd_;  // the copy of the built psgwd the agent and relays run
    static inline std::string socket_;
    static inline bool munged_ok_ = false;
    fs::path work_;
    std::uint16_t port_ = 0;
    std::uint32_t job_ = 0;
    pid_t agent_ = -1;
    std::vector<pid_t> relay_pids_;
};

}  // namespace psgw::control::agent_test
