#include "gateway_connector.hpp"

#include "wire/relay_handshake.hpp"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace psgw::client {
namespace {

/// Converts an IPv4 sockaddr to its v4-mapped IPv6 form for an AF_INET6 socket.
socklen_t fit_family(const sockaddr_storage& in, socklen_t len, int sock_family, sockaddr_storage& out) {
    out = in;
    if (sock_family == in.ss_family) return len;
    if (sock_family == AF_INET6 && in.ss_family == AF_INET) {
        sockaddr_in in4{};
        std::memcpy(&in4, &in, sizeof in4);
        sockaddr_in6 in6{};
        in6.sin6_family = AF_INET6;
        in6.sin6_port = in4.sin_port;
        in6.sin6_addr.s6_addr[10] = 0xff;
        in6.sin6_addr.s6_addr[11] = 0xff;
        std::memcpy(in6.sin6_addr.s6_addr + 12, &in4.sin_addr, 4);
        std::memset(&out, 0, sizeof out);
        std::memcpy(&out, &in6, sizeof in6);
        return sizeof in6;
    }
    return 0;  // an IPv4 socket cannot reach an IPv6 gateway
}

/// Binds an unbound socket to this node's routing-file address. A socket the
/// application bound itself is left alone.
int bind_source(int fd, int sock_family, const IpAddress& self) {
    sockaddr_storage cur{};
    socklen_t cur_len = sizeof cur;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&cur), &cur_len) != 0) return errno;
    const auto* cur_sa = reinterpret_cast<const sockaddr*>(&cur);
    const auto cur_addr = IpAddress::from_sockaddr(cur_sa, cur_len);
    if (sockaddr_port(cur_sa, cur_len) != 0 || (cur_addr && *cur_addr != IpAddress{cur_addr->family, {}})) {
        return 0;
    }
    sockaddr_storage own{};
    const socklen_t own_len = self.to_sockaddr(0, own);
    sockaddr_storage src{};
    const socklen_t src_len = fit_family(own, own_len, sock_family, src);
    if (src_len == 0) return 0;  // family mismatch: let the kernel choose
    // Take the port at connect() time, not now: avoids exhausting ephemeral ports.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), src_len) != 0) return errno;
    return 0;
}

}  // namespace

GatewayOutcome connect_via_gateway(int fd, const Route& route, const IpAddress& peer, std::uint16_t port,
                                   int timeout_ms, ConnectFn connect_fn) noexcept {
    const auto deadline = deadline_after(timeout_ms);
    sockaddr_storage local{};
    socklen_t local_len = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) {
        return {errno, "getsockname"};
    }
    const int sock_family = local.ss_family;

    const NonBlockingScope nonblocking(fd);
    if (nonblocking.error() != 0) return {nonblocking.error(), "fcntl"};

    if (const int err = bind_source(fd, sock_family, route.self)) return {err, "bind to own fabric address"};

    sockaddr_storage gw{};
    const socklen_t gw_len = fit_family(route.gateway, route.gateway_len, sock_family, gw);
    if (gw_len == 0) return {EAFNOSUPPORT, "IPv4 socket, IPv6 gateway"};
    if (const int err =
            timed_connect(fd, reinterpret_cast<const sockaddr*>(&gw), gw_len, deadline, connect_fn)) {
        return {err, "connect to gateway"};
    }

    // The hello carries the destination as the routing file knows it (IPv4-mapped
    // IPv6 normalised to IPv4), which is what the relay's node list holds.
    sockaddr_storage dest{};
    peer.to_sockaddr(port, dest);
    if (!wire::can_encode_hello(dest)) return {EINVAL, "destination port 0"};
    const wire::HelloBytes hello = wire::encode_hello(dest);  // cannot throw: checked above
    if (const auto sent = posix::write_all(fd, hello.data(), hello.size(), deadline); !sent) {
        return {sent.error, "send relay hello"};
    }
    wire::ReplyBytes reply{};
    if (const auto got = posix::read_exact(fd, reply.data(), reply.size(), deadline); !got) {
        // A relay that hangs up before its reply reset the connection, as far as the caller can tell.
        return {got.status == posix::IoStatus::kEof ? ECONNRESET : got.error, "read relay reply"};
    }
    const auto status = wire::decode_reply(reply);
    if (!status) return {EPROTO, "malformed relay reply"};
    if (const int err = wire::status_to_errno(*status)) return {err, wire::to_string(*status)};
    return {0, "ok"};
}

}  // namespace psgw::client

namespace psgw::client {

int connect_direct(int fd, const sockaddr* peer, socklen_t len, int timeout_ms,
                   ConnectFn connect_fn) noexcept {
    const NonBlockingScope nonblocking(fd);
    if (nonblocking.error() != 0) return nonblocking.error();
    return timed_connect(fd, peer, len, deadline_after(timeout_ms), connect_fn);
}

}  // namespace psgw::client
