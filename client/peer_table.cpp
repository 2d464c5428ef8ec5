#include "peer_table.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace psgw::client {
namespace {

constexpr std::size_t kMaxSlots = 65536;

bool socket_identity(int fd, dev_t& dev, ino_t& ino) noexcept {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    dev = st.st_dev;
    ino = st.st_ino;
    return true;
}

}  // namespace

PeerTable::~PeerTable() { std::free(slots_); }

void PeerTable::clear_locked(int fd) noexcept {
    if (!in_range(fd) || !slots_[fd].used) return;
    slots_[fd].used = false;
    live_.fetch_sub(1, std::memory_order_relaxed);
}

void PeerTable::remember(int fd, const sockaddr* peer, socklen_t len) noexcept {
    dev_t dev{};
    ino_t ino{};
    if (!socket_identity(fd, dev, ino)) return;
    const std::lock_guard lock(mutex_);
    if (slots_ == nullptr) {
        rlimit rl{};
        std::size_t n = kMaxSlots;
        if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
            n = std::min<std::size_t>(kMaxSlots, std::max<std::size_t>(rl.rlim_cur, 1024));
        }
        slots_ = static_cast<Slot*>(std::calloc(n, sizeof(Slot)));
        if (slots_ == nullptr) return;
        capacity_ = n;
    }
    if (!in_range(fd)) return;
    Slot& s = slots_[fd];
    if (!s.used) live_.fetch_add(1, std::memory_order_relaxed);
    s.used = true;
    s.dev = dev;
    s.ino = ino;
    s.len = std::min<socklen_t>(len, sizeof s.addr);
    std::memcpy(s.addr, peer, s.len);
}

bool PeerTable::lookup(int fd, sockaddr* out, socklen_t* len) noexcept {
    if (!active()) return false;
    dev_t dev{};
    ino_t ino{};
    if (!socket_identity(fd, dev, ino)) return false;
    const std::lock_guard lock(mutex_);
    if (!in_range(fd) || !slots_[fd].used) return false;
    const Slot& s = slots_[fd];
    if (s.dev != dev || s.ino != ino) return false;
    std::memcpy(out, s.addr, std::min(*len, s.len));
    *len = s.len;
    return true;
}

void PeerTable::forget(int fd) noexcept {
    if (!active()) return;
    const std::lock_guard lock(mutex_);
    clear_locked(fd);
}

void PeerTable::copy(int from, int to) noexcept {
    if (!active() || from == to) return;
    const std::lock_guard lock(mutex_);
    clear_locked(to);
    if (!in_range(from) || !in_range(to) || !slots_[from].used) return;
    slots_[to] = slots_[from];
    live_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace psgw::client
