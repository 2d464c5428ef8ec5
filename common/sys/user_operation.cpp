// The file operations proper, as whoever runs them (the job user, by then).
#include "sys/user_operation.hpp"

#include "posix/fd_io.hpp"
#include "sys/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

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

/// A new O_EXCL temporary file in the same directory, fsync, rename onto `path`.
void write_atomically(const std::filesystem::path& path, std::string_view content, mode_t mode) {
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

void append(const std::filesystem::path& path, std::string_view content) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd) fail(path, "append to", errno);
    write_all(fd.get(), content, path);
    if (::close(fd.release()) != 0) fail(path, "close", errno);
}

std::string remove_regular(const std::filesystem::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) return "0";
        fail(path, "stat", errno);
    }
    if (!S_ISREG(info.st_mode)) {
        throw std::runtime_error("psgw: not removing '" + path.string() + "': not a regular file");
    }
    // unlink removes a name; if it was swapped for a symlink meanwhile, only the link goes.
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return "0";
        fail(path, "remove", errno);
    }
    return "1";
}

std::string stat_regular(const std::filesystem::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return "";
    return std::to_string(info.st_dev) + " " + std::to_string(info.st_ino);
}

constexpr const char* verb_of(UserOperation::Kind kind) {
    switch (kind) {
        case UserOperation::Kind::kWrite:
            return "write";
        case UserOperation::Kind::kAppend:
            return "append";
        case UserOperation::Kind::kRemove:
            return "remove";
        case UserOperation::Kind::kStat:
            return "stat";
    }
    return "";
}

}  // namespace

UserOperation UserOperation::write(std::filesystem::path path, std::string content, mode_t mode) {
    return {Kind::kWrite, std::move(path), std::move(content), mode};
}
UserOperation UserOperation::append(std::filesystem::path path, std::string content) {
    return {Kind::kAppend, std::move(path), std::move(content), 0644};
}
UserOperation UserOperation::remove(std::filesystem::path path) {
    return {Kind::kRemove, std::move(path), {}, 0};
}
UserOperation UserOperation::stat(std::filesystem::path path) {
    return {Kind::kStat, std::move(path), {}, 0};
}

std::vector<std::string> UserOperation::helper_args() const {
    std::vector<std::string> args{verb_of(kind), path.string()};
    if (kind == Kind::kWrite) {
        char octal[16];
        std::snprintf(octal, sizeof octal, "%o", static_cast<unsigned>(mode));
        args.emplace_back(octal);
    }
    return args;
}

std::optional<UserOperation> UserOperation::from_helper_args(const std::vector<std::string>& args,
                                                             std::string& error) {
    if (args.empty()) {
        error = "psgw: no operation given (write|append|remove|stat|exec)";
        return std::nullopt;
    }
    const std::string& verb = args[0];
    std::optional<Kind> kind;
    for (Kind k : {Kind::kWrite, Kind::kAppend, Kind::kRemove, Kind::kStat}) {
        if (verb == verb_of(k)) kind = k;
    }
    if (!kind) {
        error = "psgw: unknown operation '" + verb + "' (write|append|remove|stat|exec)";
        return std::nullopt;
    }
    const std::size_t wanted = *kind == Kind::kWrite ? 3 : 2;
    if (args.size() != wanted) {
        error = "psgw: " + verb + " takes " + (wanted == 3 ? "PATH MODE" : "PATH");
        return std::nullopt;
    }
    if (args[1].empty() || args[1][0] != '/') {
        error = "psgw: " + verb + ": path '" + args[1] + "' is not absolute";
        return std::nullopt;
    }
    UserOperation operation{*kind, args[1], {}, 0644};
    if (*kind == Kind::kWrite) {
        char* end = nullptr;
        const unsigned long mode = std::strtoul(args[2].c_str(), &end, 8);
        // No set-id or sticky bits: a user file, nothing more.
        if (args[2].empty() || *end != '\0' || mode > 0777) {
            error = "psgw: write: mode '" + args[2] + "' is not an octal file mode 0..0777";
            return std::nullopt;
        }
        operation.mode = static_cast<mode_t>(mode);
    }
    return operation;
}

std::string perform_here(const UserOperation& operation) {
    switch (operation.kind) {
        case UserOperation::Kind::kWrite:
            write_atomically(operation.path, operation.content, operation.mode);
            return "";
        case UserOperation::Kind::kAppend:
            append(operation.path, operation.content);
            return "";
        case UserOperation::Kind::kRemove:
            return remove_regular(operation.path);
        case UserOperation::Kind::kStat:
            return stat_regular(operation.path);
    }
    throw std::logic_error("psgw: unknown user operation");
}

}  // namespace psgw::sys
