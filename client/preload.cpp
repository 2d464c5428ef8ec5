// libpsgw_preload.so: under LD_PRELOAD, a TCP connect() to a peer that the routing
// file (PSP_GW_SERVER) reaches through a gateway goes through that gateway; every
// other call is passed to libc untouched. getpeername() on a routed socket reports
// the intended peer. Exported symbols: connect, getpeername, close, dup, dup2, dup3.
#include "client_context.hpp"
#include "gateway_connector.hpp"
#include "peer_table.hpp"
#include "psgw/contract.hpp"

#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#define PSGW_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using psgw::client::ClientContext;

/// Resolves the next definition of `name` once; safe against re-entry (an atomic,
/// not a function-local static, so a nested call during dlsym cannot deadlock).
template <typename Fn>
Fn next_symbol(std::atomic<Fn>& slot, const char* name) noexcept {
    Fn fn = slot.load(std::memory_order_acquire);
    if (fn == nullptr) {
        fn = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
        slot.store(fn, std::memory_order_release);
    }
    return fn;
}

using ConnectFn = int (*)(int, const sockaddr*, socklen_t);
using GetpeernameFn = int (*)(int, sockaddr*, socklen_t*);
using CloseFn = int (*)(int);
using DupFn = int (*)(int);
using Dup2Fn = int (*)(int, int);
using Dup3Fn = int (*)(int, int, int);

std::atomic<ConnectFn> g_connect{nullptr};
std::atomic<GetpeernameFn> g_getpeername{nullptr};
std::atomic<CloseFn> g_close{nullptr};
std::atomic<DupFn> g_dup{nullptr};
std::atomic<Dup2Fn> g_dup2{nullptr};
std::atomic<Dup3Fn> g_dup3{nullptr};

/// Storage that is never destroyed: libraries finalised after this one (those the
/// dynamic linker initialised before it) and threads still running at exit call
/// close(), which must not find the peer table freed.
union PeerTableStorage {
    constexpr PeerTableStorage() : table() {}
    // Never destroyed on purpose; "= default" would be deleted (non-trivial member).
    ~PeerTableStorage() {}  // NOLINT(modernize-use-equals-default)
    psgw::client::PeerTable table;
};
constinit PeerTableStorage g_peer_storage;
constinit psgw::client::PeerTable& g_peers = g_peer_storage.table;

int real_connect(int fd, const sockaddr* sa, socklen_t len) {
    return next_symbol(g_connect, "connect")(fd, sa, len);
}

/// Settings read once with the routing table.
struct PreloadSettings {
    bool debug = false;
    int timeout_ms = 10000;
};

const PreloadSettings& settings() noexcept {
    static std::once_flag once;
    static PreloadSettings s;
    std::call_once(once, [] {
        const char* dbg = std::getenv(psgw::contract::kEnvClientDebug.data());
        s.debug = dbg != nullptr && std::strcmp(dbg, "1") == 0;
        s.timeout_ms = psgw::client::default_connect_timeout_ms();
    });
    return s;
}

/// One line on stderr, written with a single write(2) so lines do not interleave.
void debug_line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void debug_line(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    const int n = std::vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    std::size_t len = std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 2);
    buf[len++] = '\n';
    [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, buf, len);
}

/// The loaded context, or nullptr when nothing can be routed (unset or broken
/// routing file: then the preload stays out of the way).
const ClientContext* ready_context() noexcept {
    const ClientContext& ctx = psgw::client::client_context();
    if (ctx.state == ClientContext::State::kReady) return &ctx;
    if (ctx.state == ClientContext::State::kError && settings().debug) {
        static std::once_flag reported;
        std::call_once(reported,
                       [&ctx] { debug_line("psgw-preload: routing disabled: %s", ctx.error.c_str()); });
    }
    return nullptr;
}

bool is_tcp_socket(int fd) noexcept {
    int type = 0;
    int proto = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return false;
    len = sizeof proto;
    return ::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_TCP;
}

}  // namespace

PSGW_EXPORT int connect(int fd, const sockaddr* addr, socklen_t len) {
    if (addr == nullptr || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)) {
        return real_connect(fd, addr, len);
    }
    const auto peer = psgw::client::IpAddress::from_sockaddr(addr, len);
    const std::uint16_t port = psgw::client::sockaddr_port(addr, len);
    if (!peer || port == 0) return real_connect(fd, addr, len);
    const ClientContext* ctx = ready_context();
    if (ctx == nullptr) return real_connect(fd, addr, len);
    const auto route = ctx->resolver->resolve(*peer);
    if (!route || !is_tcp_socket(fd)) return real_connect(fd, addr, len);

    const PreloadSettings& s = settings();
    const auto outcome =
        psgw::client::connect_via_gateway(fd, *route, *peer, port, s.timeout_ms, &real_connect);
    if (s.debug) {
        char gw[INET6_ADDRSTRLEN] = "";
        const auto gw_addr = psgw::client::IpAddress::from_sockaddr(
            reinterpret_cast<const sockaddr*>(&route->gateway), route->gateway_len);
        if (gw_addr) std::snprintf(gw, sizeof gw, "%s", gw_addr->to_string().c_str());
        debug_line("psgw-preload: fd %d -> %s port %u via gateway %s port %u (%s side): %s%s%s", fd,
                   peer->to_string().c_str(), port, gw,
                   psgw::client::sockaddr_port(reinterpret_cast<const sockaddr*>(&route->gateway),
                                               route->gateway_len),
                   route->booster_side ? "booster" : "cluster",
                   outcome.error == 0 ? "ok" : std::strerror(outcome.error), outcome.error == 0 ? "" : ": ",
                   outcome.error == 0 ? "" : outcome.reason.data());
    }
    if (outcome.error != 0) {
        errno = outcome.error;
        return -1;
    }
    g_peers.remember(fd, addr, len);
    return 0;
}

PSGW_EXPORT int getpeername(int fd, sockaddr* addr, socklen_t* len) {
    const int rc = next_symbol(g_getpeername, "getpeername")(fd, addr, len);
    if (rc == 0 && addr != nullptr && len != nullptr) g_peers.lookup(fd, addr, len);
    return rc;
}

PSGW_EXPORT int close(int fd) {
    g_peers.forget(fd);
    return next_symbol(g_close, "close")(fd);
}

PSGW_EXPORT int dup(int fd) {
    const int rc = next_symbol(g_dup, "dup")(fd);
    if (rc >= 0) g_peers.copy(fd, rc);
    return rc;
}

PSGW_EXPORT int dup2(int from, int to) {
    const int rc = next_symbol(g_dup2, "dup2")(from, to);
    if (rc >= 0) g_peers.copy(from, rc);
    return rc;
}

PSGW_EXPORT int dup3(int from, int to, int flags) {
    const int rc = next_symbol(g_dup3, "dup3")(from, to, flags);
    if (rc >= 0) g_peers.copy(from, rc);
    return rc;
}
