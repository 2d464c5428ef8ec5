// The exported C API of libpsgw.so (include/psgw/psgw.h). Everything else in the
// library is hidden; nothing here lets a C++ exception escape.
#include "psgw/psgw.h"

#include "client_context.hpp"
#include "gateway_connector.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#define PSGW_API extern "C" __attribute__((visibility("default")))

namespace {

using psgw::client::ClientContext;

/// The context if it loaded, nullptr if unset; -1/errno-style failure via `err`.
const ClientContext* context_or_error(int& err) noexcept {
    const ClientContext& ctx = psgw::client::client_context();
    if (ctx.state == ClientContext::State::kError) {
        err = ctx.error_errno;
        return nullptr;
    }
    err = 0;
    return &ctx;
}

int fail(int err) noexcept {
    errno = err;
    return -1;
}

int effective_timeout(int timeout_ms) noexcept {
    return timeout_ms > 0 ? timeout_ms : psgw::client::default_connect_timeout_ms();
}

}  // namespace

PSGW_API int psgw_connect_fd(int fd, const struct sockaddr* peer, socklen_t len, int timeout_ms) {
    const auto addr = psgw::client::IpAddress::from_sockaddr(peer, len);
    if (!addr)
        return fail(peer != nullptr && peer->sa_family != AF_INET && peer->sa_family != AF_INET6
                        ? EAFNOSUPPORT
                        : EINVAL);
    int type = 0;
    socklen_t type_len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0) return -1;
    if (type != SOCK_STREAM) return fail(EPROTOTYPE);
    int err = 0;
    const ClientContext* ctx = context_or_error(err);
    if (ctx == nullptr) return fail(err);
    const int timeout = effective_timeout(timeout_ms);
    std::optional<psgw::client::Route> route;
    if (ctx->resolver) route = ctx->resolver->resolve(*addr);
    if (!route) {
        err = psgw::client::connect_direct(fd, peer, len, timeout, &::connect);
        return err == 0 ? 0 : fail(err);
    }
    const auto outcome = psgw::client::connect_via_gateway(
        fd, *route, *addr, psgw::client::sockaddr_port(peer, len), timeout, &::connect);
    return outcome.error == 0 ? 0 : fail(outcome.error);
}

PSGW_API int psgw_connect(const struct sockaddr* peer, socklen_t len, int timeout_ms) {
    if (peer == nullptr) return fail(EINVAL);
    const int fd = ::socket(peer->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (psgw_connect_fd(fd, peer, len, timeout_ms) != 0) {
        const int err = errno;
        ::close(fd);
        return fail(err);
    }
    return fd;
}

PSGW_API int psgw_route_lookup(const struct sockaddr* peer, socklen_t len, struct sockaddr_storage* gateway) {
    const auto addr = psgw::client::IpAddress::from_sockaddr(peer, len);
    if (!addr || gateway == nullptr) return fail(EINVAL);
    int err = 0;
    const ClientContext* ctx = context_or_error(err);
    if (ctx == nullptr) return fail(err);
    if (!ctx->resolver) return 0;
    const auto route = ctx->resolver->resolve(*addr);
    if (!route) return 0;
    *gateway = route->gateway;
    return 1;
}

PSGW_API const char* psgw_load_error(void) {
    const ClientContext& ctx = psgw::client::client_context();
    return ctx.state == ClientContext::State::kError ? ctx.error.c_str() : nullptr;
}

PSGW_API const char* psgw_strerror(int err) {
    const char* s = std::strerror(err);
    return s != nullptr ? s : "unknown error";
}
