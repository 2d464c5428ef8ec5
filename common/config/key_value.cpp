#include "config/key_value.hpp"

#include "config/strict_parse.hpp"

#include <algorithm>

namespace psgw::config {

std::optional<KeyValue> split_key_value(std::string_view token) {
    const auto eq = token.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    return KeyValue{token.substr(0, eq), token.substr(eq + 1)};
}

EnvTokens split_env_tokens(std::string_view text) {
    constexpr std::string_view kBlanks = " \t\n\r\v\f";
    EnvTokens out;
    std::size_t pos = 0;
    while ((pos = text.find_first_not_of(kBlanks, pos)) != std::string_view::npos) {
        const std::size_t end = std::min(text.find_first_of(kBlanks, pos), text.size());
        const std::string_view token = text.substr(pos, end - pos);
        if (!is_env_assignment(token)) {
            out.bad = std::string(token);
            return out;
        }
        out.tokens.emplace_back(token);
        pos = end;
    }
    return out;
}

}  // namespace psgw::config
