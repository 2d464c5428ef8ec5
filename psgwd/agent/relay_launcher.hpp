// Starts the relays of one job: fork, own session, clean environment, privilege
// drop to the job user, exec "<binary> relay --ready-fd 3", config on stdin, then
// wait for every readiness line (contract::kRelayReadyTag) until the deadline.
#pragma once

#include <psgw/error.hpp>

#include "agent/relay_process.hpp"
#include "config/psgw_config.hpp"
#include "control/control_client.hpp"
#include "sys/user_identity.hpp"

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
    config::Config config;        ///< psgw.conf
    std::string node;             ///< this gateway's node name (debug file names)
    std::string cluster_addr;     ///< this gateway's cluster-fabric address
    std::string booster_addr;     ///< this gateway's booster-fabric address
};

/// Forks and supervises the start of relay processes.
class RelayLauncher {
public:
    explicit RelayLauncher(LaunchSettings settings);

    /// Starts request.relays relays as `user`. On any failure everything started is
    /// stopped again (RAII) and LaunchError is thrown.
    std::vector<std::unique_ptr<RelayProcess>> launch(const control::StartRequest& request,
                                                      const sys::UserIdentity& user) const;

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
