#include "posix/passwd_lookup.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace psgw::posix {
namespace {

constexpr std::size_t kMaxBuffer = 1u << 20;  // an entry bigger than 1 MiB is broken, not big

/// Runs `lookup(entry, buffer, size, result)` (a getpw*_r call) until the buffer is big enough.
template <typename Lookup>
std::optional<PasswdEntry> lookup_with_retry(Lookup lookup) {
    const long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
    passwd entry{};
    passwd* result = nullptr;
    int rc = 0;
    while ((rc = lookup(&entry, buffer.data(), buffer.size(), &result)) == ERANGE &&
           buffer.size() < kMaxBuffer) {
        buffer.resize(buffer.size() * 2);
    }
    if (rc != 0 || result == nullptr) return std::nullopt;
    return PasswdEntry{entry.pw_uid, entry.pw_gid, entry.pw_name != nullptr ? entry.pw_name : "",
                       entry.pw_dir != nullptr ? entry.pw_dir : ""};
}

}  // namespace

std::optional<PasswdEntry> find_user(uid_t uid) {
    return lookup_with_retry([uid](passwd* entry, char* buffer, std::size_t size, passwd** result) {
        return ::getpwuid_r(uid, entry, buffer, size, result);
    });
}

std::optional<PasswdEntry> find_user(std::string_view name) {
    const std::string text(name);
    if (text.empty() || text.find('\0') != std::string::npos) return std::nullopt;
    return lookup_with_retry([&text](passwd* entry, char* buffer, std::size_t size, passwd** result) {
        return ::getpwnam_r(text.c_str(), entry, buffer, size, result);
    });
}

}  // namespace psgw::posix
