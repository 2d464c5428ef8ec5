// psgw's one error idiom: every psgw exception derives from psgw::Error, and its
// message is one line that starts with "psgw: " (the user sees it verbatim in srun,
// the prologue log or psgw-ctl's output). Header-only, so every component may use it:
// the SPANK plugin (psgw_config only), the hidden-visibility client libraries, psgwd.
//
// scripts/check-style enforces both rules over the tree: every *Error class derives
// from psgw::Error (or from another psgw error), and every string literal a throw
// starts its message with begins with "psgw: ". Messages computed at run time (an
// agent's reply relayed verbatim, a rethrown what()) are the thrower's responsibility.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace psgw {

/// What every psgw error message starts with.
inline constexpr std::string_view kErrorPrefix = "psgw: ";

/// Base of every psgw exception; catch it to handle "any psgw failure".
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
    explicit Error(const char* what) : std::runtime_error(what) {}
};

/// `message` without a leading kErrorPrefix: for wrapping one psgw message in another
/// ("psgw: agent h:1: " + error_body(e.what())) without doubling the prefix.
inline std::string_view error_body(std::string_view message) noexcept {
    if (message.starts_with(kErrorPrefix)) message.remove_prefix(kErrorPrefix.size());
    return message;
}

/// `text` made fit for a one-line message: a user's value can hold a newline, a NUL or
/// a terminal escape; those become \n, \r, \t or \xHH, everything else is kept.
inline std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

/// True if `message` follows the psgw convention (starts with kErrorPrefix).
inline bool has_error_prefix(std::string_view message) noexcept { return message.starts_with(kErrorPrefix); }

}  // namespace psgw
