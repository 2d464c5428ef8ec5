#include "user_stat.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return std::nullopt;
    }
    if (pid == 0) {
        ::close(fds[0]);
        FileIdentity id{};
        char ok = 0;
        try {
            sys::drop_privileges(*user);
            if (auto found = lstat_regular(path)) {
                id = *found;
                ok = 1;
            }
        } catch (...) {
        }
        char buffer[1 + sizeof id];
        buffer[0] = ok;
        std::memcpy(buffer + 1, &id, sizeof id);
        ssize_t n = ::write(fds[1], buffer, sizeof buffer);
        ::_exit(n == static_cast<ssize_t>(sizeof buffer) ? 0 : 1);
    }
    ::close(fds[1]);
    char buffer[1 + sizeof(FileIdentity)];
    std::size_t got = 0;
    while (got < sizeof buffer) {
        ssize_t n = ::read(fds[0], buffer + got, sizeof buffer - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got != sizeof buffer || buffer[0] != 1) return std::nullopt;
    FileIdentity id{};
    std::memcpy(&id, buffer + 1, sizeof id);
    return id;
}

}  // namespace psgw::controller
