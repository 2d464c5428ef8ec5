// The relay's hello and reply decoders (psgwd/wire): whatever a stranger on a fabric
// sends, decoding never crashes, and what decodes re-encodes to the same bytes (the
// decoder accepts only the canonical form, so nothing is ever half-understood).
#include "fuzz_input.hpp"

#include "wire/relay_handshake.hpp"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);

    const auto hello = psgw::wire::decode_hello(bytes);
    if (hello) {
        PSGW_FUZZ_CHECK(psgw::wire::can_encode_hello(*hello));
        const auto again = psgw::wire::encode_hello(*hello);
        PSGW_FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()));
    } else {
        PSGW_FUZZ_CHECK(!psgw::wire::to_string(hello.error()).empty());
    }

    const auto reply = psgw::wire::decode_reply(bytes);
    if (reply) {
        const auto again = psgw::wire::encode_reply(*reply);
        PSGW_FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()));
        PSGW_FUZZ_CHECK(!psgw::wire::to_string(*reply).empty());
        PSGW_FUZZ_CHECK((psgw::wire::status_to_errno(*reply) == 0) ==
                        (*reply == psgw::contract::RelayStatus::kOk));
    }
    return 0;
}
