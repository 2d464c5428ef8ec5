// The synchronous steps of starting a job's relays: fork one (own session, clean
// environment, privilege drop to the job user, exec "<binary> relay --ready-fd 3"),
// check its readiness line (contract::kRelayReadyTag), name its files. RelayStart
// drives these asynchronously (config on stdin, readiness, one deadline).
#pragma once

#include <psgw/error.hpp>

#include "agent/relay_process.hpp"
#include "config/psgw_config.hpp"
#include "control/control_client.hpp"
#include "sys/unique_fd.hpp"
#include "sys/user_identity.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::agent {

/// A job's relays could not be started; what() is one line (with the relay's stderr tail).
class LaunchError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Whether a KEY=VALUE entry sets a dynamic-loader or glibc code-loading variable
/// (LD_*, GCONV_PATH, ...). Under STRICT_MODE such entries never reach a relay.
bool is_loader_variable(std::string_view entry);

/// Everything about this gateway the launcher needs.
struct LaunchSettings {
    config::Config config;     ///< psgw.conf
    std::string node;          ///< this gateway's node name (debug file names)
    std::string cluster_addr;  ///< this gateway's cluster-fabric address
    std::string booster_addr;  ///< this gateway's booster-fabric address
};

/// One relay just forked, not yet ready.
struct SpawnedRelay {
    std::unique_ptr<RelayProcess> process;
    sys::UniqueFd config;     ///< its stdin: the JSON config goes here, then EOF
    sys::UniqueFd ready;      ///< its readiness line arrives here
    std::string config_text;  ///< the JSON config
};

/// Forks relay processes and knows their files.
class RelayLauncher {
public:
    explicit RelayLauncher(LaunchSettings settings);

    /// Creates job_dir() owned by `user`. Throws LaunchError.
    void prepare_job_dir(std::uint32_t job, const sys::UserIdentity& user) const;
    /// Forks relay `index` of the request as `user`. Throws LaunchError (with the reason).
    SpawnedRelay spawn_relay(const control::StartRequest& request, const sys::UserIdentity& user,
                             unsigned index) const;
    /// How long a job's relays may take to become ready (3/4 of TIMEOUT_AGENT, at least 1 s).
    std::chrono::milliseconds start_budget() const;
    /// The port of a well-formed readiness line from `pid` with a port in RELAY_PORTS.
    std::optional<std::uint16_t> check_ready_line(std::string_view line, pid_t pid) const;
    /// "psgw: job J: relay I <reason>[: <tail of its stderr log>]".
    LaunchError failure(std::uint32_t job, unsigned index, const std::string& reason) const;
    /// Longest readiness line accepted.
    static constexpr std::size_t kMaxReadyLine = 256;

    /// The binary a request would run; throws LaunchError if STRICT_MODE forbids it.
    std::filesystem::path binary_for(const control::StartRequest& request) const;

    /// AGENT_STATE_DIR/job-<job>: per-job directory owned by the job user (stats files).
    std::filesystem::path job_dir(std::uint32_t job) const;
    /// Stats file of relay `index`, inside job_dir().
    std::filesystem::path stats_file(std::uint32_t job, unsigned index) const;
    /// Root-owned stderr log of relay `index` (non-debug runs).
    std::filesystem::path log_file(std::uint32_t job, unsigned index) const;
    /// Removes the job's per-job directory and logs (after its relays stopped).
    void remove_job_files(std::uint32_t job, unsigned relays) const;

    const LaunchSettings& settings() const { return settings_; }

private:
    LaunchSettings settings_;
};

}  // namespace psgw::agent
