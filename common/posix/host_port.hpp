// The one grammar for "HOST:PORT" / "[IPv6]:PORT" endpoints and its formatter.
// Callers that legitimately differ choose rules; each maps the error kind to its own text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psgw::posix {

/// How an IPv6 address may be written.
enum class Ipv6Form {
    kBracketed,        ///< only "[V6]:PORT" ("[V6]" alone with an optional port)
    kBareWithoutPort,  ///< also "V6" with no port (port optional only): several ':' mean no port
    kLastColon,        ///< also "V6:PORT", split at the last ':' (lenient readers)
};

/// What an endpoint text may contain.
struct HostPortRules {
    bool port_optional = false;  ///< "HOST" alone is fine; the port is then nullopt
    bool ip_literal = false;     ///< HOST must be an IPv4/IPv6 literal, not a host name
    bool port_zero = false;      ///< port 0 (any port) is allowed
    Ipv6Form ipv6 = Ipv6Form::kBracketed;
};

/// Why a text was refused.
enum class HostPortError {
    kNone,
    kBadBrackets,      ///< "[" without "]:PORT" (or "]" alone when the port is optional)
    kMissingPort,      ///< no ':' where a port is required
    kUnbracketedIpv6,  ///< several ':' outside brackets (Ipv6Form::kBracketed)
    kBadHost,          ///< empty, blanks, or not an IP literal when one is required
    kBadPort,          ///< not plain decimal digits in range
};

/// A parsed endpoint; host and port_text are set as far as parsing got, for messages.
struct HostPort {
    HostPortError error = HostPortError::kNone;
    std::string host;                   ///< without brackets
    std::string port_text;              ///< as written (empty when absent)
    std::optional<std::uint16_t> port;  ///< nullopt: none given (port_optional)
    explicit operator bool() const noexcept { return error == HostPortError::kNone; }
};

/// Splits and checks `text` under `rules`.
HostPort parse_host_port(std::string_view text, const HostPortRules& rules);

/// True for an IPv4 dotted-quad or an IPv6 literal (inet_pton).
bool is_ip_literal(std::string_view host);

/// "HOST:PORT", or "[HOST]:PORT" when HOST contains ':' (IPv6). The inverse of parse_host_port.
std::string format_host_port(std::string_view host, std::uint16_t port);

}  // namespace psgw::posix
