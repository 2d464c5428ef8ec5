#include "pp_endpoint.hpp"

#include "pp_io.hpp"

#include "posix/host_port.hpp"

#include <netdb.h>

#include <cstring>
#include <memory>

namespace psgw::pp {

Endpoint parse_endpoint(const std::string& text, const char* option, bool passive) {
    // Host names allowed; port 0 (any) only for a listener.
    const posix::HostPortRules rules{.port_zero = passive, .ipv6 = posix::Ipv6Form::kLastColon};
    const posix::HostPort parsed = posix::parse_host_port(text, rules);
    if (parsed.error == posix::HostPortError::kBadBrackets) {
        throw PpError(std::string("psgw: ") + option + " '" + text + "': expected [ADDR]:PORT");
    }
    if (parsed.error == posix::HostPortError::kBadPort) {
        throw PpError(std::string("psgw: ") + option + " '" + text + "': bad port");
    }
    if (!parsed) throw PpError(std::string("psgw: ") + option + " '" + text + "': expected ADDR:PORT");
    const std::string& host = parsed.host;
    const std::string& port = parsed.port_text;
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
    if (::getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return "?:?";
    }
    return posix::format_host_port(host, static_cast<std::uint16_t>(std::stoul(serv)));
}

}  // namespace psgw::pp
