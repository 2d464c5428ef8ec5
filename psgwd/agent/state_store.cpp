#include "agent/state_store.hpp"

#include "sys/private_directory.hpp"
#include "sys/unique_fd.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace psgw::agent {

StateStore::StateStore(std::filesystem::path dir) : dir_(std::move(dir)), jobs_dir_(dir_ / "jobs") {
    std::error_code ec;
    if (!dir_.parent_path().empty()) std::filesystem::create_directories(dir_.parent_path(), ec);
    if (ec) throw std::runtime_error("psgw: cannot create " + dir_.parent_path().string() + ": " + ec.message());
    // The state files name the processes the agent signals as root.
    sys::ensure_private_directory(dir_, "AGENT_STATE_DIR", 0755);
    sys::ensure_private_directory(jobs_dir_, "AGENT_STATE_DIR", 0700);
}

std::filesystem::path StateStore::path_for(std::uint32_t job) const {
    return jobs_dir_ / (std::to_string(job) + ".json");
}

void StateStore::save(std::uint32_t job, const nlohmann::json& record) const {
    const auto path = path_for(job);
    const auto temp = path.string() + ".tmp";
    const std::string text = record.dump(2) + "\n";
    ::unlink(temp.c_str());
    sys::UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) throw std::runtime_error("psgw: cannot write " + temp + ": " + std::strerror(errno));
    std::string_view rest = text;
    while (!rest.empty()) {
        const ssize_t n = ::write(fd.get(), rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = errno;
            ::unlink(temp.c_str());
            throw std::runtime_error("psgw: cannot write " + temp + ": " + std::strerror(error));
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd.get()) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temp.c_str());
        throw std::runtime_error("psgw: cannot write " + path.string() + ": " + std::strerror(error));
    }
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
