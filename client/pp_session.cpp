#include "pp_session.hpp"

#include "pp_io.hpp"

#include <string>

namespace psgw::pp {

using Clock = std::chrono::steady_clock;

Session::Session(int fd, std::uint32_t size) : fd_(fd), size_(size), pattern_(size), buf_(size) {}

std::uint32_t Session::read_block() {
    std::array<std::uint8_t, 4> len_bytes{};
    read_exact(fd_, len_bytes);
    const std::uint32_t len = decode_length(len_bytes);
    if (len == 0) return 0;
    if (len != size_) {
        throw PpError("psgw: data corrupted: block length " + std::to_string(len) + ", expected " +
                      std::to_string(size_));
    }
    read_exact(fd_, buf_);
    return len;
}

std::uint64_t Session::send_blocks(std::uint64_t count, std::chrono::milliseconds duration) {
    const auto end = Clock::now() + duration;
    const auto len = encode_length(size_);
    std::uint64_t n = 0;
    for (; n < count && Clock::now() < end; ++n) write_all(fd_, len, pattern_.block(n));
    write_all(fd_, encode_length(0));
    return n * size_;
}

PhaseSummary Session::recv_blocks() {
    PhaseSummary s;
    for (std::uint64_t n = 0; read_block() != 0; ++n) {
        if (!pattern_.matches(n, buf_)) s.corrupt = true;
        s.bytes += size_;
    }
    return s;
}

std::vector<std::uint64_t> Session::ping(std::uint64_t count, std::chrono::milliseconds duration) {
    std::vector<std::uint64_t> rtt;
    rtt.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(count, 1u << 24)));
    const auto end = Clock::now() + duration;
    const auto len = encode_length(size_);
    for (std::uint64_t n = 0; n < count; ++n) {
        const auto t0 = Clock::now();
        if (t0 >= end) break;
        write_all(fd_, len, pattern_.block(n));
        if (read_block() == 0) throw PpError("psgw: server ended the ping-pong early");
        const auto t1 = Clock::now();
        if (!pattern_.matches(n, buf_)) {
            throw PpError("psgw: data corrupted: echo of message " + std::to_string(n) +
                          " differs from what was sent");
        }
        rtt.push_back(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()));
    }
    write_all(fd_, encode_length(0));
    return rtt;
}

PhaseSummary Session::pong() {
    PhaseSummary s;
    const auto len = encode_length(size_);
    for (std::uint64_t n = 0; read_block() != 0; ++n) {
        if (!pattern_.matches(n, buf_)) s.corrupt = true;
        s.bytes += size_;
        write_all(fd_, len, buf_);
    }
    return s;
}

void Session::send_summary(const PhaseSummary& s) { write_all(fd_, s.encode()); }

PhaseSummary Session::recv_summary() {
    std::array<std::uint8_t, 16> b{};
    read_exact(fd_, b);
    const auto s = PhaseSummary::decode(b);
    if (!s) throw PpError("psgw: malformed phase summary from the peer");
    return *s;
}

}  // namespace psgw::pp
