#include "pp_protocol.hpp"
#include "pp_report.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace psgw::pp {
namespace {

TEST(PpProtocol, HeaderRoundTrip) {
    SessionHeader h;
    h.mode = Mode::kStream;
    h.direction = Direction::kBoth;
    h.size = 1u << 20;
    h.count = 123456789012ull;
    h.duration_ms = 2500;
    const auto bytes = h.encode();
    const auto d = SessionHeader::decode(bytes);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->mode, Mode::kStream);
    EXPECT_EQ(d->direction, Direction::kBoth);
    EXPECT_EQ(d->size, 1u << 20);
    EXPECT_EQ(d->count, 123456789012ull);
    EXPECT_EQ(d->duration_ms, 2500u);
}

TEST(PpProtocol, HeaderRejectsBadValues) {
    SessionHeader h;
    auto bytes = h.encode();
    bytes[0] = 'X';
    EXPECT_FALSE(SessionHeader::decode(bytes));
    bytes = h.encode();
    bytes[5] = 7;  // mode
    EXPECT_FALSE(SessionHeader::decode(bytes));
    h.size = kMaxBlockSize + 1;
    EXPECT_FALSE(SessionHeader::decode(h.encode()));
    h.size = 0;
    EXPECT_FALSE(SessionHeader::decode(h.encode()));
}

TEST(PpProtocol, PatternDetectsCorruptionShiftAndReorder) {
    const Pattern p(4096);
    std::vector<std::uint8_t> b(p.block(5).begin(), p.block(5).end());
    EXPECT_TRUE(p.matches(5, b));
    EXPECT_FALSE(p.matches(6, b));  // a duplicated or reordered block
    b[100] ^= 1;
    EXPECT_FALSE(p.matches(5, b));  // one flipped bit
    std::vector<std::uint8_t> shifted(p.block(5).begin() + 1, p.block(5).end());
    shifted.push_back(0);
    EXPECT_FALSE(p.matches(5, shifted));  // one byte dropped
}

TEST(PpProtocol, SummaryRoundTrip) {
    const PhaseSummary s{1ull << 40, true};
    const auto d = PhaseSummary::decode(s.encode());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->bytes, 1ull << 40);
    EXPECT_TRUE(d->corrupt);
}

TEST(PpReport, TextAndJsonLines) {
    PingResult r{"gateway", 64, {3000, 1000, 2000, 4000}};
    EXPECT_EQ(format(r, false),
              "pingpong path=gateway size=64 count=4 rtt_us_median=2.00 rtt_us_p99=4.00 rtt_us_min=1.00");
    EXPECT_EQ(
        format(r, true),
        R"({"count":4,"path":"gateway","rtt_us_median":2.0,"rtt_us_min":1.0,"rtt_us_p99":4.0,"size":64,"test":"pingpong"})");
    StreamResult s{"direct", "recv", 1048576, 2097152, 0.5};
    EXPECT_EQ(format(s, false),
              "stream path=direct direction=recv size=1048576 bytes=2097152 seconds=0.500 MiB_s=4.0");
}

}  // namespace
}  // namespace psgw::pp
