// Jobs -> relays: the agent's whole state, mirrored to the state store for every
// fully started job so a restarted agent adopts the relays that still run. Starts
// and stops are asynchronous; requests for one job that overlap are ordered here.
#pragma once

#include <psgw/error.hpp>

#include "agent/relay_launcher.hpp"
#include "agent/relay_process.hpp"
#include "agent/relay_start.hpp"
#include "agent/state_store.hpp"
#include "control/control_client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
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
    /// The reply, or nullopt and a one-line error.
    using StartDone =
        std::function<void(const std::optional<control::StartReply>& reply, const std::string& error)>;
    /// What a stop did.
    struct StopResult {
        unsigned stopped = 0;   ///< relays that ran and were stopped
        bool mismatch = false;  ///< the job's relays belong to another incarnation: kept
    };
    using StopDone = std::function<void(const StopResult& result)>;

    JobRegistry(const boost::asio::any_io_executor& executor, const RelayLauncher& launcher,
                const StateStore& store);
    /// Detaches every relay: whatever ends the agent (signal, exception), the relays of
    /// running jobs keep serving and their state files let the next agent adopt them.
    ~JobRegistry() { detach_all(); }
    JobRegistry(const JobRegistry&) = delete;
    JobRegistry& operator=(const JobRegistry&) = delete;

    /// Starts the job's relays, or answers with the running ones for an identical
    /// request; an identical request during the start gets the start's outcome. A start
    /// of another (non-zero) incarnation first stops the relays of the earlier one: they
    /// belong to a run of the requeued job that is over.
    void start(const control::StartRequest& request, StartDone done);
    /// Stops every relay of the job, cancelling a start in progress, if they were started
    /// with `incarnation` (control::incarnation_matches); unknown jobs are fine.
    void stop(std::uint32_t job, std::uint64_t incarnation, StopDone done);
    /// Stops the job if it runs relays started no later than start number `sequence`
    /// (last_start() when a Slurm query began): a newer start is newer news. True if so.
    bool stop_if_started_by(std::uint32_t job, std::uint64_t sequence);
    /// The number of the latest start (each launch or adoption takes the next one).
    std::uint64_t last_start() const { return last_start_; }
    /// {"jobs":[{"job","incarnation","user","uid","gid","state","relays":[{"index","port","pid","alive","stats"}]}]};
    /// state is "running", "starting" or "stopping" (the latter two list no relays).
    nlohmann::json list();
    /// Jobs whose relays run (fully started, not being stopped).
    std::vector<std::uint32_t> jobs() const;
    /// True if `job` is fully started and not being stopped.
    bool running(std::uint32_t job) const;

    /// Reloads the state store: keeps relays that still run with the recorded start
    /// time, forgets the rest. Returns the number of relays adopted.
    std::size_t restore();
    /// A child `pid` was reaped by the SIGCHLD handler.
    void on_child_exit(pid_t pid, int status);
    /// Agent shutdown begins: starts in progress never succeeded, so their relays are stopped.
    void cancel_starts();
    /// Agent shutdown: keep every relay running (state files stay for the next agent).
    void detach_all();

private:
    enum class State { kStarting, kRunning, kStopping };
    struct Job {
        control::StartRequest request;
        std::vector<std::unique_ptr<RelayProcess>> relays;  ///< while kRunning
        State state = State::kRunning;
        std::shared_ptr<RelayStart> launch;    ///< while kStarting
        std::vector<StartDone> start_waiters;  ///< answered when the start ends
        std::vector<StopDone> stop_waiters;    ///< answered when the job is gone
        std::vector<std::pair<control::StartRequest, StartDone>> after_stop;  ///< starts behind a stop
        std::string start_error;     ///< a start that failed after its launch
        std::uint64_t sequence = 0;  ///< the start number of request (see last_start())
    };

    void launch(const control::StartRequest& request, StartDone done);
    void on_launched(std::uint32_t id, std::vector<std::unique_ptr<RelayProcess>> relays,
                     const std::string& error);
    void begin_stop(std::uint32_t id);
    void on_stopped(std::uint32_t id, unsigned count);
    void save(const Job& job) const;
    control::StartReply reply_for(const Job& job) const;

    boost::asio::any_io_executor executor_;
    const RelayLauncher& launcher_;
    const StateStore& store_;
    std::map<std::uint32_t, Job> jobs_;
    std::uint64_t last_start_ = 0;
};

}  // namespace psgw::agent
