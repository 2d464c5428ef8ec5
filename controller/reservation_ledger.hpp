// Which gateway node is reserved for which job, kept on the slurmctld host.
// Safe under concurrent prologues (every operation runs under the ledger flock)
// and crashes (atomic replace). A reservation whose job slurmctld reports gone
// (slurm/job_info.hpp) is reclaimed by the next reserve(), so a lost epilogue
// leaks nothing.
#pragma once

#include <psgw/error.hpp>

#include "gateway_pool.hpp"
#include "ledger_store.hpp"
#include "slurm/job_info.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace psgw::controller {

/// A file psgw wrote for a job, identified so that cleanup removes only that file.
struct FileRecord {
    std::string path;
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
};

/// One reserved gateway node.
struct LedgerEntry {
    std::uint32_t job = 0;
    std::int64_t since = 0;  ///< reservation time, seconds since the epoch
    std::string agent_host;  ///< where its psgwd agent listens
    std::uint16_t agent_port = 0;
    FileRecord route_file;         ///< set once the routing file is written
    FileRecord map_file;           ///< the gateway map next to it
    bool created_by_psgw = false;  ///< route_file/map_file dev+ino are ours
    /// The reserving prologue run's nonce, sent in its start and in every stop of these
    /// relays; 0: unknown (a ledger written before incarnations).
    std::uint64_t incarnation = 0;
};

/// reserve() found too few free gateways; what() is one line.
class NotEnoughGateways : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// The ledger in STATE_DIR. Each call locks, reads, updates and writes it.
class ReservationLedger {
public:
    /// Asks whether a job still holds its gateways.
    using PresenceFn = std::function<slurm::JobPresence(std::uint32_t job)>;

    /// A reservation dropped because its job is gone: its relays should be stopped.
    struct Reclaimed {
        std::string gateway;
        LedgerEntry entry;
    };

    /// What reserve() handed out.
    struct Reservation {
        std::vector<std::string> gateways;  ///< reserved for the job, sorted
        std::vector<Reclaimed> reclaimed;   ///< stale reservations removed on the way
        bool reused = false;                ///< the job already held exactly these
    };

    explicit ReservationLedger(std::filesystem::path state_dir);

    /// Reconciles (drops entries of jobs `presence` calls gone; kUnknown keeps them),
    /// then reserves `count` of the `eligible` gateways for `job` under `incarnation`.
    /// Re-running for a job that already holds `count` eligible gateways returns those
    /// (idempotent), now under `incarnation`.
    /// Throws NotEnoughGateways (nothing reserved) or LedgerError.
    Reservation reserve(std::uint32_t job, unsigned count, const std::vector<GatewayCandidate>& eligible,
                        const PresenceFn& presence, std::uint64_t incarnation = 0);

    /// Removes every reservation of `job`; returns what it held (empty if nothing).
    std::map<std::string, LedgerEntry> release(std::uint32_t job);

    /// Remembers the files written for `job` in all its entries.
    void record_files(std::uint32_t job, const FileRecord& route_file, const FileRecord& map_file);

    /// The entries of one job, by gateway.
    std::map<std::string, LedgerEntry> entries_of(std::uint32_t job) const;

    /// Every entry, by gateway.
    std::map<std::string, LedgerEntry> all() const;

private:
    std::filesystem::path state_dir_;
};

}  // namespace psgw::controller
