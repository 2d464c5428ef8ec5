#include "user_stat.hpp"

#include "sys/run_as.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <sstream>

namespace psgw::controller {

namespace {

std::optional<FileIdentity> lstat_regular(const std::filesystem::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

}  // namespace

std::optional<FileIdentity> stat_as_user(const std::filesystem::path& path,
                                         const std::optional<sys::UserIdentity>& user) {
    if (!user || (::geteuid() == user->uid && ::getegid() == user->gid)) return lstat_regular(path);
    try {
        // The child answers "DEV INO", or nothing for "not a regular file".
        const std::string answer = sys::run_as(user, [&] {
            const auto found = lstat_regular(path);
            return found ? std::to_string(found->dev) + " " + std::to_string(found->ino) : std::string();
        });
        std::istringstream fields(answer);
        FileIdentity id{};
        if (fields >> id.dev >> id.ino) return id;
    } catch (const std::exception&) {}
    return std::nullopt;
}

}  // namespace psgw::controller
