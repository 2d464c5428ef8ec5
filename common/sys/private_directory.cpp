#include "sys/private_directory.hpp"

#include <psgw/error.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace psgw::sys {

void ensure_private_directory(const std::filesystem::path& dir, std::string_view what, mode_t mode) {
    const std::string prefix = "psgw: " + std::string(what) + ": ";
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
        throw psgw::Error(prefix + "cannot create " + dir.string() + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        throw psgw::Error(prefix + "cannot stat " + dir.string() + ": " + std::strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        throw psgw::Error(prefix + dir.string() + " is not a directory (or is a symlink)");
    }
    if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        throw psgw::Error(prefix + dir.string() + " must be owned by uid " + std::to_string(::geteuid()) +
                          " and writable by nobody else");
    }
}

}  // namespace psgw::sys
