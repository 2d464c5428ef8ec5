// Strict value parsers: plain decimal, booleans, KEY=VALUE tokens.
#include "config/strict_parse.hpp"

#include "config/key_value.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace psgw::config {

std::optional<std::int64_t> parse_decimal(std::string_view text, std::int64_t min, std::int64_t max) {
    // from_chars alone would accept a leading '-'; require digits only.
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;  // overflow
    }
    if (value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

std::optional<bool> parse_bool(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "1" || lower == "yes" || lower == "true") {
        return true;
    }
    if (lower == "0" || lower == "no" || lower == "false") {
        return false;
    }
    return std::nullopt;
}

bool is_env_assignment(std::string_view token) {
    const auto assignment = split_key_value(token);
    if (!assignment || assignment->key.empty()) {
        return false;
    }
    const auto is_start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    const auto is_rest = [&](char c) { return is_start(c) || (c >= '0' && c <= '9'); };
    const std::string_view key = assignment->key;
    return is_start(key.front()) && std::all_of(key.begin() + 1, key.end(), is_rest);
}

}  // namespace psgw::config
