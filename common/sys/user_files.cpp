// File operations done as the job user in a forked child (run_as).
#include "sys/user_files.hpp"

#include "posix/fd_io.hpp"
#include "sys/run_as.hpp"
#include "sys/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace psgw::sys {

namespace {

/// One-line error naming the path and the failing step.
[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int error) {
    throw std::runtime_error("psgw: cannot " + std::string(what) + " '" + path.string() +
                             "': " + std::strerror(error));
}

void write_all(int fd, std::string_view content, const std::filesystem::path& path) {
    if (const auto written = posix::write_all(fd, content.data(), content.size()); !written)
        fail(path, "write", written.error);
}

/// The atomic write proper, as whoever runs it.
void write_atomically_here(const std::filesystem::path& path, std::string_view content, mode_t mode) {
    if (path.filename().empty()) fail(path, "write", EISDIR);
    std::filesystem::path dir = path.parent_path();
    std::string temp =
        (dir.empty() ? std::string() : dir.string() + "/") + "." + path.filename().string() + ".XXXXXX";
    // mkostemp opens with O_CREAT|O_EXCL: it never follows or reuses an existing name.
    UniqueFd fd(mkostemp(temp.data(), O_CLOEXEC));
    if (!fd) fail(path, "create a temporary file for", errno);
    try {
        write_all(fd.get(), content, path);
        if (fchmod(fd.get(), mode) != 0) fail(path, "chmod", errno);
        if (fsync(fd.get()) != 0) fail(path, "fsync", errno);
        if (::close(fd.release()) != 0) fail(path, "close", errno);
        // rename replaces a symlink at `path` itself; it never writes through it.
        if (std::rename(temp.c_str(), path.c_str()) != 0) fail(path, "rename onto", errno);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    // The rename itself is durable only once the directory is on disk.
    UniqueFd dir_fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd || fsync(dir_fd.get()) != 0) fail(path, "fsync the directory of", errno);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           const std::optional<UserIdentity>& as_user, mode_t mode) {
    run_as(as_user, [&] {
        write_atomically_here(path, content, mode);
        return std::string();
    });
}

void append_file(const std::filesystem::path& path, std::string_view content,
                 const std::optional<UserIdentity>& as_user) {
    run_as(as_user, [&] {
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!fd) fail(path, "append to", errno);
        write_all(fd.get(), content, path);
        if (::close(fd.release()) != 0) fail(path, "close", errno);
        return std::string();
    });
}

bool remove_file(const std::filesystem::path& path, const std::optional<UserIdentity>& as_user) {
    std::string removed = run_as(as_user, [&] {
        struct stat info {};
        if (::lstat(path.c_str(), &info) != 0) {
            if (errno == ENOENT) return std::string("0");
            fail(path, "stat", errno);
        }
        if (!S_ISREG(info.st_mode)) {
            throw std::runtime_error("psgw: not removing '" + path.string() + "': not a regular file");
        }
        // unlink removes a name; if it was swapped for a symlink meanwhile, only the link goes.
        if (::unlink(path.c_str()) != 0) {
            if (errno == ENOENT) return std::string("0");
            fail(path, "remove", errno);
        }
        return std::string("1");
    });
    return removed == "1";
}

}  // namespace psgw::sys
