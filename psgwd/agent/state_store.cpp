#include "agent/state_store.hpp"

#include "sys/unique_fd.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace psgw::agent {
namespace {

void make_dir(const std::filesystem::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("psgw: cannot create " + dir.string() + ": " + std::strerror(errno));
}

/// The state files name the processes the agent signals as root: whoever may write
/// them could have root kill any process. Refuse a directory anyone else controls
/// (e.g. one a user created first in a shared /tmp).
void check_private(const std::filesystem::path& dir) {
    struct stat st{};
    if (::lstat(dir.c_str(), &st) != 0)
        throw std::runtime_error("psgw: AGENT_STATE_DIR: cannot stat " + dir.string() + ": " + std::strerror(errno));
    if (!S_ISDIR(st.st_mode))
        throw std::runtime_error("psgw: AGENT_STATE_DIR: " + dir.string() + " is not a directory (or is a symlink)");
    if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        throw std::runtime_error("psgw: AGENT_STATE_DIR: " + dir.string() + " must be owned by uid " +
                                 std::to_string(::geteuid()) + " and writable by nobody else");
}

}  // namespace

StateStore::StateStore(std::filesystem::path dir) : dir_(std::move(dir)), jobs_dir_(dir_ / "jobs") {
    std::error_code ec;
    if (!dir_.parent_path().empty()) std::filesystem::create_directories(dir_.parent_path(), ec);
    if (ec) throw std::runtime_error("psgw: cannot create " + dir_.parent_path().string() + ": " + ec.message());
    if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST)
        throw std::runtime_error("psgw: cannot create " + dir_.string() + ": " + std::strerror(errno));
    check_private(dir_);
    make_dir(jobs_dir_);
    check_private(jobs_dir_);
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
