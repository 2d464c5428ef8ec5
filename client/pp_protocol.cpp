#include "pp_protocol.hpp"

#include <algorithm>
#include <cstring>

namespace psgw::pp {
namespace {

constexpr std::uint8_t kMagic[4] = {'P', 'S', 'P', 'P'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kWindowOffsets = 251;  // prime: consecutive blocks never align

void put_u32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}
void put_u64(std::uint8_t* p, std::uint64_t v) {
    for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}
std::uint32_t get_u32(const std::uint8_t* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | p[i];
    return v;
}
std::uint64_t get_u64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    return v;
}

}  // namespace

std::array<std::uint8_t, 32> SessionHeader::encode() const {
    std::array<std::uint8_t, 32> out{};
    std::memcpy(out.data(), kMagic, 4);
    out[4] = kVersion;
    out[5] = static_cast<std::uint8_t>(mode);
    out[6] = static_cast<std::uint8_t>(direction);
    put_u32(out.data() + 8, size);
    put_u64(out.data() + 12, count);
    put_u32(out.data() + 20, duration_ms);
    return out;
}

std::optional<SessionHeader> SessionHeader::decode(std::span<const std::uint8_t> b) {
    if (b.size() != 32 || std::memcmp(b.data(), kMagic, 4) != 0 || b[4] != kVersion) {
        return std::nullopt;
    }
    SessionHeader h;
    if (b[5] != 1 && b[5] != 2) return std::nullopt;
    if (b[6] < 1 || b[6] > 3) return std::nullopt;
    h.mode = static_cast<Mode>(b[5]);
    h.direction = static_cast<Direction>(b[6]);
    h.size = get_u32(b.data() + 8);
    h.count = get_u64(b.data() + 12);
    h.duration_ms = get_u32(b.data() + 20);
    if (h.size == 0 || h.size > kMaxBlockSize || h.count == 0 || h.duration_ms == 0) {
        return std::nullopt;
    }
    return h;
}

std::array<std::uint8_t, kAckSize> encode_ack(bool ok) {
    std::array<std::uint8_t, kAckSize> out{};
    std::memcpy(out.data(), kMagic, 4);
    out[4] = kVersion;
    out[5] = ok ? 1 : 0;
    return out;
}

bool ack_ok(std::span<const std::uint8_t> b) {
    return b.size() == kAckSize && std::memcmp(b.data(), kMagic, 4) == 0 && b[4] == kVersion && b[5] == 1;
}

std::array<std::uint8_t, 16> PhaseSummary::encode() const {
    std::array<std::uint8_t, 16> out{};
    put_u64(out.data(), bytes);
    put_u32(out.data() + 8, corrupt ? 1 : 0);
    return out;
}

std::optional<PhaseSummary> PhaseSummary::decode(std::span<const std::uint8_t> b) {
    if (b.size() != 16) return std::nullopt;
    const std::uint32_t c = get_u32(b.data() + 8);
    if (c > 1 || get_u32(b.data() + 12) != 0) return std::nullopt;
    return PhaseSummary{get_u64(b.data()), c == 1};
}

Pattern::Pattern(std::uint32_t size) : size_(size), buf_(size + kWindowOffsets) {
    std::uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift64: cheap, fixed, not all-zero
    for (auto& byte : buf_) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        byte = static_cast<std::uint8_t>(x >> 32);
    }
}

std::span<const std::uint8_t> Pattern::block(std::uint64_t n) const {
    return {buf_.data() + n % kWindowOffsets, size_};
}

bool Pattern::matches(std::uint64_t n, std::span<const std::uint8_t> data) const {
    const auto expect = block(n);
    return data.size() == expect.size() && std::memcmp(data.data(), expect.data(), data.size()) == 0;
}

std::array<std::uint8_t, 4> encode_length(std::uint32_t len) {
    std::array<std::uint8_t, 4> out{};
    put_u32(out.data(), len);
    return out;
}

std::uint32_t decode_length(std::span<const std::uint8_t, 4> b) { return get_u32(b.data()); }

}  // namespace psgw::pp
