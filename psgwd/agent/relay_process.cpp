#include "agent/relay_process.hpp"

#include "agent/proc_info.hpp"

#include <sys/wait.h>
#include <cerrno>
#include <csignal>
#include <thread>

namespace psgw::agent {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPollInterval{20};
constexpr std::chrono::milliseconds kKillWait{2000};

/// Waits until every relay has exited or the deadline passes; true if all exited.
bool wait_all(const std::vector<RelayProcess*>& relays, Clock::time_point deadline) {
    for (;;) {
        bool all_gone = true;
        for (RelayProcess* relay : relays) all_gone = !relay->alive() && all_gone;
        if (all_gone) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(kPollInterval);
    }
}

void stop_list(const std::vector<RelayProcess*>& relays, std::chrono::milliseconds grace) {
    for (RelayProcess* relay : relays) relay->signal_group(SIGTERM);
    if (wait_all(relays, Clock::now() + grace)) return;
    for (RelayProcess* relay : relays) relay->signal_group(SIGKILL);
    wait_all(relays, Clock::now() + kKillWait);
}

}  // namespace

RelayProcess::RelayProcess(pid_t pid, std::uint64_t start_time, bool our_child, unsigned index)
    : pid_(pid), start_time_(start_time), our_child_(our_child), index_(index) {}

RelayProcess::~RelayProcess() {
    if (!released_) stop(kStopGrace);
}

bool RelayProcess::alive() {
    if (exited_) return false;
    if (our_child_) {
        int status = 0;
        const pid_t rc = ::waitpid(pid_, &status, WNOHANG);
        // ECHILD: someone else (the SIGCHLD reaper) collected it already.
        if (rc == pid_ || (rc < 0 && errno == ECHILD)) exited_ = true;
    } else if (!is_same_process(pid_, start_time_)) {
        exited_ = true;
    }
    return !exited_;
}

void RelayProcess::signal_group(int signal) {
    // Never signal a pid that may have been reused: only while we know it is ours.
    if (!alive()) return;
    if (::kill(-pid_, signal) != 0) ::kill(pid_, signal);
}

void RelayProcess::stop(std::chrono::milliseconds grace) { stop_list({this}, grace); }

void stop_relays(const std::vector<std::unique_ptr<RelayProcess>>& relays, std::chrono::milliseconds grace) {
    std::vector<RelayProcess*> list;
    for (const auto& relay : relays) list.push_back(relay.get());
    stop_list(list, grace);
}

}  // namespace psgw::agent
