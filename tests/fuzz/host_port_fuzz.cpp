// The one ADDR:PORT grammar (common/posix/host_port), under every rule set: parsing
// never crashes, and an endpoint that parses formats back to text that parses to the
// same host and port. The first byte picks the rules, the rest is the text.
#include "fuzz_input.hpp"

#include "posix/host_port.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    using psgw::posix::Ipv6Form;
    psgw::posix::HostPortRules rules;
    rules.port_optional = (data[0] & 1) != 0;
    rules.ip_literal = (data[0] & 2) != 0;
    rules.port_zero = (data[0] & 4) != 0;
    rules.ipv6 = static_cast<Ipv6Form>((data[0] >> 3) % 3);
    const auto text = psgw::fuzz::as_text(data + 1, size - 1);

    const auto parsed = psgw::posix::parse_host_port(text, rules);
    if (!parsed) return 0;
    PSGW_FUZZ_CHECK(!parsed.host.empty());
    if (rules.ip_literal) PSGW_FUZZ_CHECK(psgw::posix::is_ip_literal(parsed.host));
    if (!parsed.port) {
        PSGW_FUZZ_CHECK(rules.port_optional);
        return 0;
    }
    if (!rules.port_zero) PSGW_FUZZ_CHECK(*parsed.port != 0);
    const auto again =
        psgw::posix::parse_host_port(psgw::posix::format_host_port(parsed.host, *parsed.port), rules);
    PSGW_FUZZ_CHECK(again && again.host == parsed.host && again.port == parsed.port);
    return 0;
}
