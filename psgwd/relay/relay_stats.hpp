// Counters of one relay process, dumped as JSON to the stats file (docs/protocol.md).
#pragma once

#include "relay/fabric.hpp"

#include <psgw/contract.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>

namespace psgw::relay {

/// Plain counters; the relay is single-threaded (one io_context thread), so no atomics.
class RelayStats {
public:
    /// `job` and `port` are copied into every snapshot.
    RelayStats(std::uint32_t job, std::uint16_t port) : job_(job), port_(port) {}

    /// A client connection was accepted (any outcome, also those refused at accept).
    void on_accepted() { ++connections_total_; }
    /// A session was created for an accepted connection (it holds a slot).
    void on_opened() { ++connections_active_; }
    /// A session ended (refused, failed or finished).
    void on_closed() { --connections_active_; }
    /// A session got kOk and now relays.
    void on_relayed() { ++connections_relayed_; }
    /// A session was refused with `status` (not kOk).
    void on_refused(contract::RelayStatus status);
    /// `n` bytes were delivered to the destination fabric, coming from `from`.
    void add_bytes(Fabric from, std::uint64_t n) {
        (from == Fabric::kCluster ? bytes_cluster_to_booster_ : bytes_booster_to_cluster_) += n;
    }

    /// The limits in force: max_connections as configured and as the descriptor limit
    /// allows, pipe_size as configured and as planned for the pipe budget.
    void set_limits(std::uint32_t max_configured, std::uint32_t max_effective, std::uint64_t pipe_configured,
                    std::uint64_t pipe_planned) {
        max_configured_ = max_configured;
        max_effective_ = max_effective;
        pipe_configured_ = pipe_configured;
        pipe_planned_ = pipe_planned;
    }
    /// A splice pipe was created; `capacity` is its real size (F_GETPIPE_SZ).
    void on_pipe(std::uint64_t capacity) {
        if (pipe_min_ == 0 || capacity < pipe_min_) pipe_min_ = capacity;
        if (capacity > pipe_max_) pipe_max_ = capacity;
    }

    /// The stats file's JSON object.
    nlohmann::json to_json() const;
    /// Rewrites `path` atomically (temporary file in the same directory, then rename),
    /// so a reader never sees a partial file. Throws std::runtime_error on failure.
    void write_file(const std::string& path) const;

private:
    static constexpr std::size_t kStatuses = static_cast<std::size_t>(contract::RelayStatus::kOverloaded) + 1;

    std::uint32_t job_;                               ///< Slurm job id
    std::uint16_t port_;                              ///< the listening port
    std::uint64_t connections_total_ = 0;             ///< accepted connections
    std::uint64_t connections_active_ = 0;            ///< open sessions
    std::uint64_t connections_relayed_ = 0;           ///< sessions that got kOk
    std::array<std::uint64_t, kStatuses> refused_{};  ///< refusals, indexed by RelayStatus
    std::uint64_t bytes_cluster_to_booster_ = 0;      ///< delivered to booster-side sockets
    std::uint64_t bytes_booster_to_cluster_ = 0;      ///< delivered to cluster-side sockets
    std::uint32_t max_configured_ = 0;                ///< max_connections from the config
    std::uint32_t max_effective_ = 0;                 ///< sessions held at most (descriptor limit)
    std::uint64_t pipe_configured_ = 0;               ///< pipe_size from the config
    std::uint64_t pipe_planned_ = 0;                  ///< asked of F_SETPIPE_SZ (pipe budget)
    std::uint64_t pipe_min_ = 0;                      ///< smallest pipe obtained (F_GETPIPE_SZ), 0: none yet
    std::uint64_t pipe_max_ = 0;                      ///< largest pipe obtained
};

}  // namespace psgw::relay
