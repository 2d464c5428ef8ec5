// Agent control protocol (contract.hpp): the JSON payloads inside the MUNGE
// credentials of requests and replies. Pure: no sockets, no MUNGE, so
// every validation rule is unit-tested on its own.
#pragma once

#include <psgw/error.hpp>

#include "control/control_client.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>
#include <psgw/contract.hpp>

namespace psgw::control {

/// A malformed request or reply; what() is one line naming the field.
class MessageError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Most peer addresses (cluster + booster) one start request may carry.
inline constexpr std::size_t kMaxPeers = 65536;

/// "stop J": stop the relays of the job if they were started with `incarnation`, or
/// if either side does not know it (0).
struct StopRequest {
    std::uint32_t job = 0;
    std::uint64_t incarnation = 0;
};

/// Whether a stop of `stop` may end relays started with `started`: equal, or one is 0.
constexpr bool incarnation_matches(std::uint64_t started, std::uint64_t stop) {
    return started == 0 || stop == 0 || started == stop;
}

/// "list": every job and relay the agent runs.
struct ListRequest {};

/// One decoded control request.
using Request = std::variant<StartRequest, StopRequest, ListRequest>;

/// Serialises a request payload ({"v":2,"op":...}).
nlohmann::json to_json(const StartRequest& request);
nlohmann::json to_json(const StopRequest& request);
nlohmann::json to_json(const ListRequest& request);

/// Parses and validates a request payload. Throws MessageError naming the field.
Request parse_request(std::string_view payload);

/// Checks a start request's fields (also used before sending). Throws MessageError.
void validate(const StartRequest& request);

/// True for a syntactically valid IPv4 or IPv6 address.
bool is_ip_address(std::string_view text);

/// True for a user name psgw accepts: [A-Za-z_][A-Za-z0-9_.-]*, at most 32 characters.
bool is_sane_user_name(std::string_view name);

/// {"v":2,"ok":false,"error":message}.
nlohmann::json error_reply(std::string_view message);

/// {"v":2,"ok":true} plus the fields of `body` (an object).
nlohmann::json ok_reply(nlohmann::json body = nlohmann::json::object());

/// {"v":2,"ok":true,"cluster_addr":..,"booster_addr":..,"relays":[{"port","pid"}]}.
nlohmann::json to_json(const StartReply& reply);

/// A reply's JSON text; bytes that are not UTF-8 (a child's stderr in an error) become
/// U+FFFD instead of throwing.
std::string reply_text(const nlohmann::json& reply);

/// Parses a reply body; checks "v" and "ok". Returns the object when ok; throws
/// MessageError with the agent's error text when not ok or malformed.
nlohmann::json parse_reply(std::string_view body);

/// Reads the start-specific fields of an ok reply. Throws MessageError.
StartReply parse_start_reply(const nlohmann::json& reply);

}  // namespace psgw::control
