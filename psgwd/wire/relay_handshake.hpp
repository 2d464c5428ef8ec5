// Relay handshake v1 codec (contract.hpp "Relay handshake"): pure, socket-free, shared
// by the relay (psgwd relay) and the client library. See docs/protocol.md.
#pragma once

#include "wire/decoded.hpp"

#include <psgw/contract.hpp>

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace psgw::wire {

/// The 24-byte hello a client sends first.
using HelloBytes = std::array<std::uint8_t, contract::kRelayHelloSize>;
/// The 8-byte reply the relay sends after connecting to the destination (or failing).
using ReplyBytes = std::array<std::uint8_t, contract::kRelayReplySize>;

/// True if encode_hello() accepts `dest`: AF_INET or AF_INET6 with a non-zero port.
bool can_encode_hello(const sockaddr_storage& dest) noexcept;

/// Encodes the hello naming `dest` (AF_INET or AF_INET6, port in network order as
/// in any sockaddr). Throws std::invalid_argument unless can_encode_hello(dest).
HelloBytes encode_hello(const sockaddr_storage& dest);

/// Decodes a hello. `bytes` must be exactly kRelayHelloSize long (shorter: truncated).
/// Errors: kBadVersion (magic or version wrong), kMalformed (wrong length, family not
/// 4/6, non-zero padding after an IPv4 address, port 0). On success the result is a
/// sockaddr_in or sockaddr_in6 (in a sockaddr_storage) ready for connect().
Decoded<sockaddr_storage> decode_hello(std::span<const std::uint8_t> bytes) noexcept;

/// Encodes the relay's reply carrying `status`.
ReplyBytes encode_reply(contract::RelayStatus status) noexcept;

/// Decodes a reply. Errors: kMalformed (wrong length, non-zero reserved field, status
/// value this version does not know), kBadVersion (magic or version wrong). A decoded
/// reply can itself carry any status, including kMalformed: check has_value() first.
Decoded<contract::RelayStatus> decode_reply(std::span<const std::uint8_t> bytes) noexcept;

/// A short human reason, e.g. "destination is not a node of this job".
std::string_view to_string(contract::RelayStatus status) noexcept;

/// The errno a connect() through the relay should fail with for `status` (0 for kOk):
/// kConnectRefused/kOverloaded -> ECONNREFUSED, kConnectTimeout -> ETIMEDOUT,
/// kSourceNotInJob/kDestNotInJob -> EACCES, kUnreachable -> ENETUNREACH,
/// kBadVersion/kMalformed/unknown -> EPROTO.
int status_to_errno(contract::RelayStatus status) noexcept;

}  // namespace psgw::wire
