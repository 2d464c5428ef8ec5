#include "relay_test_support.hpp"

#include "posix/fd_io.hpp"
#include "wire/relay_handshake.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace psgw::relay::test {

namespace {

sockaddr_in v4(const char* addr, std::uint16_t port) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    if (inet_pton(AF_INET, addr, &in.sin_addr) != 1) throw std::invalid_argument(addr);
    return in;
}

std::string read_all_fd(int fd) {
    std::string out;
    (void)posix::read_to_eof(fd, out);
    return out;
}

// Runs psgwd relay with stdin from a pipe; returns pid, fills the fds we keep.
pid_t spawn_relay(int& stdin_w, int& ready_r, int& stderr_r, bool capture_stderr,
                  const RelayLaunch& launch = {}) {
    int in[2], ready[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2");
    }
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(ready[1], 3);  // --ready-fd 3, stdout stays the test's
        if (capture_stderr) dup2(err[1], 2);
        if (!launch.stderr_path.empty()) {
            const int log = open(launch.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (log < 0 || dup2(log, 2) < 0) _exit(126);
        }
        if (launch.nofile) {
            const rlimit lim{*launch.nofile, *launch.nofile};
            if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(126);
        }
        execl(psgwd_binary(), "psgwd", "relay", "--ready-fd", "3", static_cast<char*>(nullptr));
        _exit(127);
    }
    close(in[0]);
    close(ready[1]);
    close(err[1]);
    stdin_w = in[1];
    ready_r = ready[0];
    stderr_r = err[0];
    return pid;
}

}  // namespace

const char* psgwd_binary() {
    const char* other = std::getenv("PSGW_TEST_PSGWD");
    return other != nullptr && *other != '\0' ? other : PSGWD_BINARY_PATH;
}

nlohmann::json loopback_config() {
    // Disjoint port windows per test process and per config (ctest may run tests in parallel).
    static std::atomic<int> counter{0};
    const int base = 42000 + static_cast<int>((getpid() % 200) * 100) + (counter++ % 10) * 10;
    static std::atomic<int> files{0};
    const std::string stats =
        "/tmp/psgw-relay-test-" + std::to_string(getpid()) + "-" + std::to_string(files++) + ".json";
    return {
        {"job", 4242},
        {"cluster_addr", kGatewayCluster},
        {"booster_addr", kGatewayBooster},
        {"ports", {{"first", base}, {"last", base + 9}}},
        {"cluster_peers", {kClusterNode, "127.0.0.13"}},
        {"booster_peers", {kBoosterNode, "127.0.0.14"}},
        {"handshake_timeout_ms", 5000},
        {"connect_timeout_ms", 5000},
        {"max_connections", 4096},
        {"pipe_size", 1048576},
        {"stats_file", stats},
        {"log_level", "warn"},
    };
}

RelayProcess::RelayProcess(const nlohmann::json& config, const RelayLaunch& launch) {
    int stdin_w = -1, ready_r = -1, stderr_r = -1;
    pid_ = spawn_relay(stdin_w, ready_r, stderr_r, false, launch);
    close(stderr_r);
    const std::string text = config.dump();
    write_all(stdin_w, text.data(), text.size());
    close(stdin_w);
    ready_line_ = read_all_fd(ready_r);  // the relay closes the fd after the line
    close(ready_r);
    const auto pos = ready_line_.find("port=");
    if (pos == std::string::npos) throw std::runtime_error("relay not ready: '" + ready_line_ + "'");
    port_ = static_cast<std::uint16_t>(std::stoi(ready_line_.substr(pos + 5)));
}

RelayProcess::~RelayProcess() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

int RelayProcess::terminate() {
    int status = -1;
    kill(pid_, SIGTERM);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
}

long RelayProcess::rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

RunResult run_relay_with_input(const std::string& stdin_text) {
    int stdin_w = -1, ready_r = -1, stderr_r = -1;
    const pid_t pid = spawn_relay(stdin_w, ready_r, stderr_r, true);
    write_all(stdin_w, stdin_text.data(), stdin_text.size());
    close(stdin_w);
    RunResult result;
    result.stderr_text = read_all_fd(stderr_r);
    close(stderr_r);
    close(ready_r);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

RunResult run_relay_until_ready(const nlohmann::json& config) {
    int stdin_w = -1, ready_r = -1, stderr_r = -1;
    const pid_t pid = spawn_relay(stdin_w, ready_r, stderr_r, true);
    const std::string text = config.dump();
    write_all(stdin_w, text.data(), text.size());
    close(stdin_w);
    const std::string ready = read_all_fd(ready_r);  // EOF: ready (or dead)
    close(ready_r);
    kill(pid, SIGTERM);
    RunResult result;
    result.stderr_text = read_all_fd(stderr_r);
    close(stderr_r);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (ready.empty()) throw std::runtime_error("relay never got ready: " + result.stderr_text);
    return result;
}

int listen_on(const char* addr, std::uint16_t& port, int backlog) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in in = v4(addr, port);
    if (bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0 || listen(fd, backlog) != 0) {
        close(fd);
        return -1;
    }
    socklen_t len = sizeof in;
    getsockname(fd, reinterpret_cast<sockaddr*>(&in), &len);
    port = ntohs(in.sin_port);
    return fd;
}

int accept_one(int listen_fd) { return accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC); }

int connect_from(const char* src, const char* dst, std::uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // Bounded: a test that goes wrong fails instead of hanging until ctest's timeout.
    const timeval limit{20, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in local = v4(src, 0);
    sockaddr_in remote = v4(dst, port);
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

contract::RelayStatus relay_connect(const char* src, const char* relay_addr, std::uint16_t relay_port,
                                    const char* dest, std::uint16_t dest_port, int& fd) {
    fd = connect_from(src, relay_addr, relay_port);
    if (fd < 0) return contract::RelayStatus::kMalformed;
    sockaddr_storage ss{};
    const sockaddr_in in = v4(dest, dest_port);
    std::memcpy(&ss, &in, sizeof in);
    const auto hello = wire::encode_hello(ss);
    wire::ReplyBytes reply{};
    if (!write_all(fd, hello.data(), hello.size()) ||
        recv(fd, reply.data(), reply.size(), MSG_WAITALL) != static_cast<ssize_t>(reply.size())) {
        close(fd);
        fd = -1;
        return contract::RelayStatus::kMalformed;
    }
    const auto status = wire::decode_reply(reply);
    return status ? *status : contract::RelayStatus::kMalformed;
}

bool write_all(int fd, const void* data, std::size_t n) {
    return static_cast<bool>(posix::write_all(fd, data, n));  // MSG_NOSIGNAL on sockets
}

std::uint64_t fnv1a(std::uint64_t hash, const std::uint8_t* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) hash = (hash ^ data[i]) * 1099511628211ULL;
    return hash;
}

void fill_pattern(std::uint64_t seed, std::uint64_t offset, std::uint8_t* buf, std::size_t n) {
    // Byte i of the stream depends on seed and absolute position, so reordering shows.
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ULL ^ seed;
        x ^= x >> 29;
        buf[i] = static_cast<std::uint8_t>(x * 0xBF58476D1CE4E5B9ULL >> 56);
    }
}

long long read_to_eof(int fd, std::uint64_t& hash) {
    std::vector<std::uint8_t> buf(256 * 1024);
    long long total = 0;
    for (;;) {
        const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return total;
        hash = fnv1a(hash, buf.data(), static_cast<std::size_t>(n));
        total += n;
    }
}

std::uint64_t send_pattern(int fd, std::uint64_t seed, std::uint64_t total) {
    std::vector<std::uint8_t> buf(256 * 1024);
    std::uint64_t hash = kFnvInit;
    for (std::uint64_t off = 0; off < total;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), total - off));
        fill_pattern(seed, off, buf.data(), n);
        hash = fnv1a(hash, buf.data(), n);
        if (!write_all(fd, buf.data(), n)) return 0;
        off += n;
    }
    return hash;
}

nlohmann::json read_stats(const nlohmann::json& config) {
    std::ifstream in(config["stats_file"].get<std::string>());
    return nlohmann::json::parse(in);
}

}  // namespace psgw::relay::test
