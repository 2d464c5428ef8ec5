// File operations in a user's directories: UserOperation requests done as the user.
#include "sys/user_files.hpp"

#include "sys/run_as.hpp"

namespace psgw::sys {

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           const std::optional<UserIdentity>& as_user, mode_t mode) {
    run_as(as_user, UserOperation::write(path, std::string(content), mode));
}

void append_file(const std::filesystem::path& path, std::string_view content,
                 const std::optional<UserIdentity>& as_user) {
    run_as(as_user, UserOperation::append(path, std::string(content)));
}

bool remove_file(const std::filesystem::path& path, const std::optional<UserIdentity>& as_user) {
    return run_as(as_user, UserOperation::remove(path)) == "1";
}

}  // namespace psgw::sys
