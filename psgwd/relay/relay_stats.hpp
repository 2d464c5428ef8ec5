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

    /// A client connection was accepted (any outcome).
    void on_accepted() {
        ++connections_total_;
        ++connections_active_;
    }
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
};

}  // namespace psgw::relay
