// The ledger's on-disk form: STATE_DIR/ledger.json, replaced atomically (temporary
// file, fsync, rename, fsync of the directory) while STATE_DIR/ledger.lock is held
// with flock. A writer killed at any point leaves either the old or the new file;
// a stale temporary file is simply overwritten by the next writer.
#pragma once

#include <psgw/error.hpp>
#include "sys/unique_fd.hpp"

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace psgw::controller {

/// Any ledger I/O failure or a corrupt ledger; what() is one line starting "psgw: ".
class LedgerError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Holds the exclusive flock for its lifetime; read and write happen through it.
class LedgerStore {
public:
    /// Creates STATE_DIR (mode 0700) if needed and blocks until the lock is held.
    explicit LedgerStore(const std::filesystem::path& state_dir);
    LedgerStore(const LedgerStore&) = delete;
    LedgerStore& operator=(const LedgerStore&) = delete;

    /// The current ledger document; an empty one if the file does not exist yet.
    nlohmann::json read() const;
    /// Replaces the ledger atomically.
    void write(const nlohmann::json& document) const;

    /// File names inside STATE_DIR.
    static constexpr const char* kLedgerName = "ledger.json";
    static constexpr const char* kLockName = "ledger.lock";

private:
    std::filesystem::path dir_;
    sys::UniqueFd lock_fd_;  ///< closing it drops the flock
};

}  // namespace psgw::controller
