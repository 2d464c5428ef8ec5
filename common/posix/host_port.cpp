#include "posix/host_port.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace psgw::posix {
namespace {

bool has_blank_or_bracket(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '[' ||
               c == ']';
    });
}

}  // namespace

bool is_ip_literal(std::string_view host) {
    if (host.empty() || host.size() >= 64) return false;
    const std::string text(host);
    unsigned char buffer[16];
    return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
           ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

HostPort parse_host_port(std::string_view text, const HostPortRules& rules) {
    HostPort out;
    std::string_view host = text;
    std::optional<std::string_view> port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            out.error = HostPortError::kBadBrackets;
            return out;
        }
        host = text.substr(1, close - 1);
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty() && rest.front() == ':') {
            port = rest.substr(1);
        } else if (!rest.empty() || !rules.port_optional) {
            out.error = HostPortError::kBadBrackets;
            return out;
        }
    } else {
        const auto first = text.find(':');
        const auto last = text.rfind(':');
        if (first != last) {  // several ':' outside brackets: an unbracketed IPv6 address
            switch (rules.ipv6) {
                case Ipv6Form::kBracketed:
                    out.error = HostPortError::kUnbracketedIpv6;
                    return out;
                case Ipv6Form::kBareWithoutPort:
                    if (!rules.port_optional) {
                        out.error = HostPortError::kUnbracketedIpv6;
                        return out;
                    }
                    break;  // all of it is the address
                case Ipv6Form::kLastColon:
                    host = text.substr(0, last);
                    port = text.substr(last + 1);
                    break;
            }
        } else if (first != std::string_view::npos) {
            host = text.substr(0, first);
            port = text.substr(first + 1);
        }
    }
    out.host = std::string(host);
    if (!port && !rules.port_optional) {
        out.error = HostPortError::kMissingPort;
        return out;
    }
    if (host.empty() || has_blank_or_bracket(host) || (rules.ip_literal && !is_ip_literal(host))) {
        out.error = HostPortError::kBadHost;
        if (port) out.port_text = std::string(*port);
        return out;
    }
    if (port) {
        out.port_text = std::string(*port);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
        if (port->empty() || ec != std::errc() || end != port->data() + port->size() || value > 65535 ||
            (value == 0 && !rules.port_zero)) {
            out.error = HostPortError::kBadPort;
            return out;
        }
        out.port = static_cast<std::uint16_t>(value);
    }
    return out;
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
    const std::string text(host);
    const bool ipv6 = text.find(':') != std::string::npos;
    return (ipv6 ? "[" + text + "]" : text) + ":" + std::to_string(port);
}

}  // namespace psgw::posix
