#include "ledger_store.hpp"

#include "posix/fd_io.hpp"
#include "sys/private_directory.hpp"
#include "sys/unique_fd.hpp"
#include "sys/user_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace psgw::controller {

namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw LedgerError("psgw: " + what + " " + path.string() + ": " + std::strerror(errno));
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
    lock_fd_ = std::move(fd);
}

nlohmann::json LedgerStore::read() const {
    auto path = dir_ / kLedgerName;
    sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return nlohmann::json{{"version", 1}, {"gateways", nlohmann::json::object()}};
        fail("cannot open", path);
    }
    std::string text;
    if (const auto got = posix::read_to_eof(fd.get(), text); !got) {
        errno = got.error;
        fail("cannot read", path);
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
    try {
        // Under our lock; a writer killed half-way leaves the old ledger intact.
        sys::write_file_atomically(dir_ / kLedgerName, document.dump(2) + "\n", std::nullopt, 0600);
    } catch (const std::runtime_error& error) {
        throw LedgerError(error.what());
    }
}

}  // namespace psgw::controller
