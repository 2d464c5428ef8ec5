// Strict value parsers shared by the SPANK plugin, psgw.conf and the CLIs.
// psmgmt used sscanf("%i"), which accepts hex, octal and trailing garbage.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace psgw::config {

/// Plain decimal digits only (no sign, no spaces, no 0x, no suffix), within [min, max].
std::optional<std::int64_t> parse_decimal(std::string_view text, std::int64_t min, std::int64_t max);

/// "0"/"1"/"yes"/"no"/"true"/"false" (case-insensitive).
std::optional<bool> parse_bool(std::string_view text);

/// A KEY=VALUE token: KEY is [A-Za-z_][A-Za-z0-9_]*; VALUE may be empty. Never evaluated.
bool is_env_assignment(std::string_view token);

}  // namespace psgw::config
