#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <mutex>

namespace psgw::client {

/// Remembers, per file descriptor, the peer a routed socket was meant to reach, so
/// that getpeername() reports the peer rather than the gateway. Each entry also
/// records the socket's inode: an entry whose fd now names another socket (closed
/// behind our back, e.g. by close_range) is ignored. The slot array is allocated on
/// the first remember(); close() costs one atomic load while the table is empty.
class PeerTable {
public:
    constexpr PeerTable() = default;
    ~PeerTable();
    PeerTable(const PeerTable&) = delete;
    PeerTable& operator=(const PeerTable&) = delete;

    /// Records `peer` for `fd` (ignored if fd is beyond the table or allocation fails).
    void remember(int fd, const sockaddr* peer, socklen_t len) noexcept;
    /// Copies the recorded peer into out/len (truncating like getpeername); false if none.
    bool lookup(int fd, sockaddr* out, socklen_t* len) noexcept;
    /// Drops the entry of `fd` (on close).
    void forget(int fd) noexcept;
    /// Makes `to` an alias of `from` (dup/dup2/dup3); drops `to`'s old entry.
    void copy(int from, int to) noexcept;
    /// True while at least one entry exists.
    bool active() const noexcept { return live_.load(std::memory_order_relaxed) > 0; }

private:
    /// One fd's entry.
    struct Slot {
        bool used;
        dev_t dev;
        ino_t ino;
        socklen_t len;
        unsigned char addr[28];  // sizeof(sockaddr_in6)
    };

    bool in_range(int fd) const noexcept { return fd >= 0 && static_cast<std::size_t>(fd) < capacity_; }
    void clear_locked(int fd) noexcept;

    std::mutex mutex_;
    Slot* slots_ = nullptr;  ///< calloc'd: untouched pages cost no memory
    std::size_t capacity_ = 0;
    std::atomic<int> live_{0};
};

}  // namespace psgw::client
