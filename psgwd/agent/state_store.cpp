#include "agent/state_store.hpp"

#include <psgw/error.hpp>

#include "sys/private_directory.hpp"
#include "sys/unique_fd.hpp"
#include "sys/user_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace psgw::agent {

StateStore::StateStore(std::filesystem::path dir) : dir_(std::move(dir)), jobs_dir_(dir_ / "jobs") {
    std::error_code ec;
    if (!dir_.parent_path().empty()) std::filesystem::create_directories(dir_.parent_path(), ec);
    if (ec) throw psgw::Error("psgw: cannot create " + dir_.parent_path().string() + ": " + ec.message());
    // The state files name the processes the agent signals as root.
    sys::ensure_private_directory(dir_, "AGENT_STATE_DIR", 0755);
    sys::ensure_private_directory(jobs_dir_, "AGENT_STATE_DIR", 0700);
}

std::filesystem::path StateStore::path_for(std::uint32_t job) const {
    return jobs_dir_ / (std::to_string(job) + ".json");
}

void StateStore::save(std::uint32_t job, const nlohmann::json& record) const {
    const auto path = path_for(job);
    sys::write_file_atomically(path, record.dump(2) + "\n", std::nullopt, 0600);
}

void StateStore::remove(std::uint32_t job) const { ::unlink(path_for(job).c_str()); }

std::vector<std::pair<std::filesystem::path, nlohmann::json>> StateStore::load_all() const {
    std::vector<std::pair<std::filesystem::path, nlohmann::json>> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(jobs_dir_, ec)) {
        if (entry.path().extension() != ".json" || !entry.is_regular_file()) continue;
        std::ifstream in(entry.path());
        nlohmann::json record = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
        out.emplace_back(entry.path(), record.is_discarded() ? nlohmann::json() : record);
    }
    return out;
}

}  // namespace psgw::agent
