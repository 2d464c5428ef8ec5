#include "user_stat.hpp"

#include "sys/run_as.hpp"

#include <sstream>

namespace psgw::controller {

std::optional<FileIdentity> stat_as_user(const std::filesystem::path& path,
                                         const std::optional<sys::UserIdentity>& user) {
    try {
        // "DEV INO", or nothing for "not a regular file".
        std::istringstream fields(sys::run_as(user, sys::UserOperation::stat(path)));
        FileIdentity id{};
        if (fields >> id.dev >> id.ino) return id;
    } catch (const std::exception&) {}
    return std::nullopt;
}

}  // namespace psgw::controller
