#pragma once

#include <sys/socket.h>

#include <string>

namespace psgw::pp {

/// A resolved "ADDR:PORT" ("[V6ADDR]:PORT" for IPv6; host names allowed).
struct Endpoint {
    sockaddr_storage addr{};  ///< the address
    socklen_t len = 0;        ///< its length
};

/// Resolves `text`; throws PpError naming `option` and the value when it is not
/// ADDR:PORT or does not resolve.
Endpoint parse_endpoint(const std::string& text, const char* option, bool passive);
/// Numeric "ADDR:PORT" of a sockaddr.
std::string to_string(const sockaddr* sa, socklen_t len);

}  // namespace psgw::pp
