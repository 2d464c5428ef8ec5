// Loopback helpers for the black-box relay tests: the real `psgwd relay` process, and
// blocking sockets bound to chosen 127.x source addresses.
#pragma once

#include <psgw/contract.hpp>

#include <sys/types.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace psgw::relay::test {

/// A relayed connection client(src) -> relay -> server(dest), both ends accepted.
struct Pair {
    int client = -1;
    int server = -1;
    Pair() = default;
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;
    ~Pair() {
        if (client >= 0) ::close(client);
        if (server >= 0) ::close(server);
    }
};

// Loopback stand-ins for the two fabrics (see docs/protocol.md, tests).
inline constexpr const char* kGatewayCluster = "127.0.0.1";
inline constexpr const char* kGatewayBooster = "127.0.0.2";
inline constexpr const char* kClusterNode = "127.0.0.3";
inline constexpr const char* kBoosterNode = "127.0.0.4";
inline constexpr const char* kStranger = "127.0.0.5";  // not part of the job

/// A relay config on loopback: ports from a per-process range so parallel runs of the
/// test binary do not collide; stats file in a fresh temp file.
nlohmann::json loopback_config();

/// How a RelayProcess is started beyond its config.
struct RelayLaunch {
    std::optional<std::uint64_t> nofile;  ///< RLIMIT_NOFILE (soft and hard) set before exec
    std::string stderr_path;              ///< non-empty: the relay's stderr (its log) goes here
};

/// The psgwd under test: $PSGW_TEST_PSGWD if set (to run these black-box tests against
/// another build, e.g. main's, to see a new test fail there), else the one built here.
const char* psgwd_binary();

/// A running `psgwd relay`; SIGKILLed in the destructor if still running.
class RelayProcess {
public:
    /// Starts it with `config` on stdin and waits for the readiness line.
    explicit RelayProcess(const nlohmann::json& config, const RelayLaunch& launch = {});
    RelayProcess(const RelayProcess&) = delete;
    RelayProcess& operator=(const RelayProcess&) = delete;
    ~RelayProcess();

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& ready_line() const { return ready_line_; }
    /// Sends SIGTERM and returns the exit status (waitpid status).
    int terminate();
    /// VmRSS in KiB from /proc/<pid>/status.
    long rss_kib() const;

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::string ready_line_;
};

/// Result of running psgwd relay to completion with `stdin_text`.
struct RunResult {
    int exit_code = -1;
    std::string stderr_text;
};
RunResult run_relay_with_input(const std::string& stdin_text);
/// Runs psgwd relay with `config` until it is ready, stops it with SIGTERM and returns
/// what it wrote to stderr (its log) and its exit code.
RunResult run_relay_until_ready(const nlohmann::json& config);

/// A listening TCP socket on `addr` (port 0: ephemeral). Returns fd, fills port.
int listen_on(const char* addr, std::uint16_t& port, int backlog = 64);
/// Accepts one connection (blocking).
int accept_one(int listen_fd);
/// A connected TCP socket from `src` (port 0) to `dst:port`; -1 on failure.
int connect_from(const char* src, const char* dst, std::uint16_t port);

/// Connects from `src` to the relay at `relay_addr:relay_port`, sends a hello for
/// `dest:dest_port` and reads the reply. Returns the status; `fd` keeps the socket
/// (-1 on transport errors, then the status is kMalformed).
contract::RelayStatus relay_connect(const char* src, const char* relay_addr, std::uint16_t relay_port,
                                    const char* dest, std::uint16_t dest_port, int& fd);

/// Writes all bytes; false on error.
bool write_all(int fd, const void* data, std::size_t n);
/// Reads until EOF; returns bytes read (or -1 on error) and feeds them to `hash`.
long long read_to_eof(int fd, std::uint64_t& hash);
/// Deterministic pseudo-random stream (seeded), and a running FNV-1a hash.
void fill_pattern(std::uint64_t seed, std::uint64_t offset, std::uint8_t* buf, std::size_t n);
std::uint64_t fnv1a(std::uint64_t hash, const std::uint8_t* data, std::size_t n);
inline constexpr std::uint64_t kFnvInit = 1469598103934665603ULL;
/// Sends `total` pattern bytes from `seed`; returns their hash (or 0 on error).
std::uint64_t send_pattern(int fd, std::uint64_t seed, std::uint64_t total);

/// The relay's stats file parsed.
nlohmann::json read_stats(const nlohmann::json& config);

}  // namespace psgw::relay::test
