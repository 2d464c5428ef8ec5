// Helpers for the client loopback tests: child processes, an echo server, and a
// real psgwd relay with a routing file around it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace psgw::client::test {

/// Current environment with `overrides` applied (value "" removes the variable).
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides);

/// Result of a finished child.
struct Finished {
    int exit_code = -1;  ///< exit status (128+signal, -1 if it timed out)
    std::string out;     ///< stdout
    std::string err;     ///< stderr
};

/// Runs argv (absolute argv[0]) with `env`, at most 60 s, and returns its output.
Finished run(const std::vector<std::string>& argv, const std::vector<std::string>& env);

/// A long-running child (relay, server): stdin gets `input` then EOF, stdout is a
/// pipe read line by line. The destructor sends SIGTERM (then SIGKILL) to its pid.
class Background {
public:
    Background(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& input);
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    /// Next stdout line (without '\n'), or "" at EOF / after 15 s.
    std::string read_line();
    /// SIGTERM, wait; returns the exit status.
    int stop();

private:
    pid_t pid_ = -1;
    int out_ = -1;
    std::string buffered_;
};

/// An echo server on ADDR:0 (threads); records the address of each client.
class EchoServer {
public:
    explicit EchoServer(const std::string& addr);
    ~EchoServer();
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;
    /// The port it listens on.
    std::uint16_t port() const { return port_; }
    /// Client addresses seen so far ("A.B.C.D").
    std::vector<std::string> clients();

private:
    void serve();
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<std::string> clients_;
    std::vector<std::thread> workers_;
    std::thread acceptor_;
};

/// A fake relay on 127.0.0.1:0 that speaks the handshake like the real one but
/// flips one bit of the client's byte number `flip_at`: psgw-pp must notice.
class CorruptingRelay {
public:
    explicit CorruptingRelay(std::uint64_t flip_at);
    ~CorruptingRelay();
    CorruptingRelay(const CorruptingRelay&) = delete;
    CorruptingRelay& operator=(const CorruptingRelay&) = delete;
    /// The port it listens on.
    std::uint16_t port() const { return port_; }

private:
    void serve();
    void relay_one(int client);
    std::uint64_t flip_at_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

/// A real "psgwd relay" for gateway 127.0.0.1 (cluster) / 127.0.0.2 (booster),
/// job nodes 127.0.0.3 (cluster side) and 127.0.0.4 (booster side), plus the
/// routing file and gateway map that name it.
class LoopbackGateway {
public:
    LoopbackGateway();
    ~LoopbackGateway();
    /// The relay's port.
    std::uint16_t port() const { return port_; }
    /// The routing file (PSP_GW_SERVER).
    const std::string& route_file() const { return route_file_; }
    /// The temporary directory.
    const std::string& dir() const { return dir_; }
    /// Polls the stats file (bounded) until `key` >= `at_least`; returns its last value.
    std::uint64_t wait_stat(const std::string& key, std::uint64_t at_least);

private:
    std::string dir_;
    std::string route_file_;
    std::string stats_file_;
    std::uint16_t port_ = 0;
    std::unique_ptr<Background> relay_;
};

}  // namespace psgw::client::test
