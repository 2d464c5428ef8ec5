// RAII owner of one relay process (leader of its own process group).
#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace psgw::agent {

/// One running relay. Destroying it stops it (SIGTERM to the group, grace, SIGKILL,
/// reap) unless release() was called, as on agent shutdown, which keeps relays running.
class RelayProcess {
public:
    /// `our_child`: forked by this agent (reaped with waitpid); false for relays
    /// adopted from the state file after a restart (watched through /proc).
    RelayProcess(pid_t pid, std::uint64_t start_time, bool our_child, unsigned index);
    ~RelayProcess();
    RelayProcess(const RelayProcess&) = delete;
    RelayProcess& operator=(const RelayProcess&) = delete;

    pid_t pid() const { return pid_; }
    std::uint64_t start_time() const { return start_time_; }
    unsigned index() const { return index_; }
    std::uint16_t port() const { return port_; }
    /// Port from the readiness line.
    void set_port(std::uint16_t port) { port_ = port; }

    /// True while the process runs (non-blocking; reaps it if it has exited).
    bool alive();
    /// Called by the SIGCHLD reaper after it collected this pid.
    void mark_exited() { exited_ = true; }
    /// Keep the process running when this object goes away.
    void release() { released_ = true; }

    /// Sends `signal` to the process group if the process is still ours and alive.
    void signal_group(int signal);
    /// Stops the group: SIGTERM, up to `grace`, SIGKILL, reap.
    void stop(std::chrono::milliseconds grace);

private:
    pid_t pid_;
    std::uint64_t start_time_;
    bool our_child_;
    unsigned index_;
    std::uint16_t port_ = 0;
    bool exited_ = false;
    bool released_ = false;
};

/// Default SIGTERM grace before SIGKILL.
inline constexpr std::chrono::milliseconds kStopGrace{2000};

/// Stops several relays at once: SIGTERM to all, one shared grace period, SIGKILL the rest.
void stop_relays(const std::vector<std::unique_ptr<RelayProcess>>& relays, std::chrono::milliseconds grace);

}  // namespace psgw::agent
