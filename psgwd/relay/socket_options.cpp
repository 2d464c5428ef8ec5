#include "relay/socket_options.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace psgw::relay {

namespace {

int set_int(int fd, int level, int name, int value) {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : errno;
}

}  // namespace

KeepaliveTimes keepalive_times(std::chrono::seconds keepalive) {
    KeepaliveTimes t{};
    t.idle_s = static_cast<int>(keepalive.count());
    t.interval_s = std::max(1, t.idle_s / 4);
    t.count = 4;
    t.user_timeout_ms = static_cast<unsigned>(t.idle_s + t.interval_s * t.count) * 1000u;
    return t;
}

int set_relay_socket_options(int fd, std::chrono::seconds keepalive) {
    if (const int err = set_int(fd, SOL_SOCKET, SO_OOBINLINE, 1)) return err;
    if (keepalive.count() <= 0) return 0;
    const KeepaliveTimes t = keepalive_times(keepalive);
    struct Option {
        int level, name, value;
    };
    const Option options[] = {{SOL_SOCKET, SO_KEEPALIVE, 1},
                              {IPPROTO_TCP, TCP_KEEPIDLE, t.idle_s},
                              {IPPROTO_TCP, TCP_KEEPINTVL, t.interval_s},
                              {IPPROTO_TCP, TCP_KEEPCNT, t.count}};
    for (const Option& o : options) {
        if (const int err = set_int(fd, o.level, o.name, o.value)) return err;
    }
    const unsigned timeout = t.user_timeout_ms;
    return ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout, sizeof timeout) == 0 ? 0 : errno;
}

}  // namespace psgw::relay
