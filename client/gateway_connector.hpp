#pragma once

#include "route_resolver.hpp"
#include "socket_io.hpp"

#include <sys/socket.h>

#include <cstdint>
#include <string_view>

namespace psgw::client {

/// Result of connect_via_gateway().
struct GatewayOutcome {
    int error = 0;                 ///< 0 on success, else the errno for the caller
    std::string_view reason = "";  ///< static text: which step failed, or the relay's reason
};

/// Connects socket `fd` to the relay named by `route`, sends the relay hello for
/// `peer`:`port`, and waits for the relay's reply; the whole exchange is bounded by
/// `timeout_ms`. The socket is non-blocking during the exchange; its original file
/// status flags are restored before returning. If the socket is not bound, it is
/// bound to route.self (port chosen at connect time) so that the relay sees the
/// address the routing file names. After success the socket is a byte stream to
/// the peer: the exchange never reads past the 8-byte reply.
GatewayOutcome connect_via_gateway(int fd, const Route& route, const IpAddress& peer, std::uint16_t port,
                                   int timeout_ms, ConnectFn connect_fn) noexcept;

/// A plain connect bounded by `timeout_ms` (flags restored as above). Returns 0 or errno.
int connect_direct(int fd, const sockaddr* peer, socklen_t len, int timeout_ms,
                   ConnectFn connect_fn) noexcept;

}  // namespace psgw::client
