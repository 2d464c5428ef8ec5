// Jobs -> relays: the agent's whole state, mirrored to the state store after
// every change so a restarted agent adopts the relays that still run.
#pragma once

#include <psgw/error.hpp>

#include "agent/relay_launcher.hpp"
#include "agent/relay_process.hpp"
#include "agent/state_store.hpp"
#include "control/control_client.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

namespace psgw::agent {

/// Thrown for a start that cannot be served; what() is one line for the reply.
class RegistryError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Owns every relay the agent runs, grouped by job.
class JobRegistry {
public:
    JobRegistry(const RelayLauncher& launcher, const StateStore& store);
    /// Relays are stopped by their owners unless detach_all() ran first.
    ~JobRegistry() = default;
    JobRegistry(const JobRegistry&) = delete;
    JobRegistry& operator=(const JobRegistry&) = delete;

    /// Starts the job's relays, or returns the running ones for an identical request.
    /// Throws RegistryError / LaunchError.
    control::StartReply start(const control::StartRequest& request);
    /// Stops every relay of the job; unknown jobs are fine. Returns true if it had relays.
    bool stop(std::uint32_t job);
    /// {"jobs":[{"job","user","uid","gid","relays":[{"index","port","pid","alive","stats"}]}]}.
    nlohmann::json list();
    /// Jobs currently held.
    std::vector<std::uint32_t> jobs() const;

    /// Reloads the state store: keeps relays that still run with the recorded start
    /// time, forgets the rest. Returns the number of relays adopted.
    std::size_t restore();
    /// A child `pid` was reaped by the SIGCHLD handler.
    void on_child_exit(pid_t pid, int status);
    /// Agent shutdown: keep every relay running (state files stay for the next agent).
    void detach_all();

private:
    struct Job {
        control::StartRequest request;
        std::vector<std::unique_ptr<RelayProcess>> relays;
    };

    void save(const Job& job) const;
    control::StartReply reply_for(const Job& job) const;

    const RelayLauncher& launcher_;
    const StateStore& store_;
    std::map<std::uint32_t, Job> jobs_;
};

}  // namespace psgw::agent
