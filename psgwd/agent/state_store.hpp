// AGENT_STATE_DIR/jobs/<job>.json: what the agent started, so a restarted agent
// finds its relays again (pids + start times guard against pid reuse).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

namespace psgw::agent {

/// Persists one JSON record per job, written atomically (temp file, fsync, rename).
class StateStore {
public:
    /// Creates <dir>/jobs (mode 0700) if needed. Throws std::runtime_error.
    explicit StateStore(std::filesystem::path dir);

    /// Writes the job's record atomically. Throws std::runtime_error naming the file.
    void save(std::uint32_t job, const nlohmann::json& record) const;
    /// Removes the job's record; a missing one is fine.
    void remove(std::uint32_t job) const;
    /// Every readable record; unreadable ones are returned as null and the caller logs them.
    std::vector<std::pair<std::filesystem::path, nlohmann::json>> load_all() const;

    /// The agent's state directory (AGENT_STATE_DIR).
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path path_for(std::uint32_t job) const;

    std::filesystem::path dir_;
    std::filesystem::path jobs_dir_;
};

}  // namespace psgw::agent
