// The --gw_* option values a user types (spank/options) and the KEY=VALUE splitting
// behind --gw_env (common/config): a bad value is refused with one OptionError line
// starting "psgw: ", a good one is stored as validated. The first byte picks the
// option, the rest is the value.
#include "fuzz_input.hpp"

#include "config/key_value.hpp"
#include "config/strict_parse.hpp"
#include "options.hpp"

#include <string>

namespace {

template <class Validate>
void check_option(Validate validate, std::string_view value) {
    try {
        validate(value);
    } catch (const psgw::spank::OptionError& e) {
        const std::string_view what = e.what();
        PSGW_FUZZ_CHECK(what.starts_with("psgw: ") && what.find('\n') == std::string_view::npos);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto value = psgw::fuzz::as_text(data + 1, size - 1);
    switch (data[0] % 4) {
        case 0:
            check_option(
                [](std::string_view v) {
                    const unsigned n = psgw::spank::validate_num(v);
                    PSGW_FUZZ_CHECK(n >= 1 && n <= psgw::spank::kMaxGwNum);
                },
                value);
            break;
        case 1:
            check_option([](std::string_view v) { PSGW_FUZZ_CHECK(psgw::spank::validate_per_node(v) >= 1); },
                         value);
            break;
        case 2:
            check_option(
                [](std::string_view v) {
                    const std::string env = psgw::spank::validate_env(v);
                    const auto split = psgw::config::split_env_tokens(env);
                    PSGW_FUZZ_CHECK(!split.bad.has_value());
                    for (const auto& token : split.tokens) {
                        PSGW_FUZZ_CHECK(psgw::config::split_key_value(token).has_value());
                    }
                },
                value);
            break;
        default: {
            const auto n = psgw::config::parse_decimal(value, -1000, 1000);
            if (n) PSGW_FUZZ_CHECK(*n >= -1000 && *n <= 1000);
            (void)psgw::config::parse_bool(value);
            break;
        }
    }
    return 0;
}
