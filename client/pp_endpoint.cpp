#include "pp_endpoint.hpp"

#include "pp_io.hpp"

#include <netdb.h>

#include <cstring>
#include <memory>

namespace psgw::pp {

Endpoint parse_endpoint(const std::string& text, const char* option, bool passive) {
    std::string host;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find("]:");
        if (close == std::string::npos) {
            throw PpError(std::string("psgw: ") + option + " '" + text + "': expected [ADDR]:PORT");
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || colon == 0) {
            throw PpError(std::string("psgw: ") + option + " '" + text + "': expected ADDR:PORT");
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0 || res == nullptr) {
        throw PpError(std::string("psgw: ") + option + " '" + text + "': " + ::gai_strerror(rc));
    }
    const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, &freeaddrinfo);
    Endpoint ep;
    std::memcpy(&ep.addr, res->ai_addr, res->ai_addrlen);
    ep.len = res->ai_addrlen;
    return ep;
}

std::string to_string(const sockaddr* sa, socklen_t len) {
    char host[NI_MAXHOST] = "?";
    char serv[NI_MAXSERV] = "?";
    ::getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV);
    if (sa->sa_family == AF_INET6) return std::string("[") + host + "]:" + serv;
    return std::string(host) + ":" + serv;
}

}  // namespace psgw::pp
