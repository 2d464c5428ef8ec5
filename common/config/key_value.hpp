// The one KEY=VALUE splitter: job environments, --gw_env, GATEWAY_ENV, psgw.conf.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::config {

/// "KEY=VALUE" split at the first '=' (the value may contain more '=').
struct KeyValue {
    std::string_view key;
    std::string_view value;
};

/// Splits `token` at its first '='; nullopt if it has none. Neither part is trimmed or checked.
std::optional<KeyValue> split_key_value(std::string_view token);

/// Whitespace-separated environment assignments (--gw_env, GATEWAY_ENV).
struct EnvTokens {
    std::vector<std::string> tokens;  ///< the KEY=VALUE tokens, in order
    std::optional<std::string> bad;   ///< the first token that is not one (then tokens is incomplete)
};

/// Splits `text` at blanks (space, tab, newline, CR, VT, FF) and checks each token
/// with is_env_assignment. Values are never evaluated.
EnvTokens split_env_tokens(std::string_view text);

}  // namespace psgw::config
