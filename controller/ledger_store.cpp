#include "ledger_store.hpp"

#include "sys/private_directory.hpp"
#include "sys/unique_fd.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <utility>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace psgw::controller {

namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw LedgerError("psgw: " + what + " " + path.string() + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& data, const std::filesystem::path& path) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", path);
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

LedgerStore::LedgerStore(const std::filesystem::path& state_dir) : dir_(state_dir) {
    try {
        // Whoever may write the ledger could make the prologue hand out booked gateways.
        sys::ensure_private_directory(dir_, "STATE_DIR");
    } catch (const std::runtime_error& error) {
        throw LedgerError(error.what());
    }
    auto lock_path = dir_ / kLockName;
    sys::UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail("cannot open", lock_path);
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) fail("cannot lock", lock_path);
    }
    lock_fd_ = fd.release();
}

LedgerStore::~LedgerStore() {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // closing drops the flock
}

nlohmann::json LedgerStore::read() const {
    auto path = dir_ / kLedgerName;
    sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return nlohmann::json{{"version", 1}, {"gateways", nlohmann::json::object()}};
        fail("cannot open", path);
    }
    std::string text;
    char buffer[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot read", path);
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    // Never reset a corrupt ledger silently: that would double-book gateways.
    auto document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object() || document.value("version", 0) != 1 ||
        !document.contains("gateways") || !document["gateways"].is_object()) {
        throw LedgerError("psgw: " + path.string() +
                          " is not a valid psgw ledger (version 1); fix or remove it");
    }
    return document;
}

void LedgerStore::write(const nlohmann::json& document) const {
    auto temp = dir_ / kTempName;
    auto path = dir_ / kLedgerName;
    {
        // We hold the lock, so the fixed temporary name cannot collide; O_TRUNC
        // discards whatever a killed writer left there.
        sys::UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (fd.get() < 0) fail("cannot create", temp);
        write_all(fd.get(), document.dump(2) + "\n", temp);
        if (::fsync(fd.get()) != 0) fail("cannot fsync", temp);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot rename to", path);
    sys::UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0 || ::fsync(dir.get()) != 0) fail("cannot fsync", dir_);
}

}  // namespace psgw::controller
