#include "pp_client.hpp"

#include "pp_endpoint.hpp"
#include "pp_io.hpp"
#include "pp_report.hpp"
#include "pp_session.hpp"

#include "psgw/psgw.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace psgw::pp {
namespace {

using Clock = std::chrono::steady_clock;

sys::UniqueFd connect_to(const ClientOptions& opt, const Endpoint& ep) {
    const auto* sa = reinterpret_cast<const sockaddr*>(&ep.addr);
    if (!opt.via_gateway) {
        sys::UniqueFd fd(::socket(ep.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (fd.get() < 0 || ::connect(fd.get(), sa, ep.len) != 0) {
            throw PpError("psgw: connect to " + opt.connect + ": " + std::strerror(errno));
        }
        return fd;
    }
    sockaddr_storage gw{};
    const int routed = psgw_route_lookup(sa, ep.len, &gw);
    if (routed < 0) {
        const char* why = psgw_load_error();
        throw PpError(why != nullptr ? std::string(why)
                                     : std::string("psgw: --via-gateway: ") + psgw_strerror(errno));
    }
    if (routed == 0) {
        throw PpError(
            "psgw: --via-gateway: the routing file (PSP_GW_SERVER) has no gateway "
            "from this node to " +
            opt.connect);
    }
    sys::UniqueFd fd(psgw_connect(sa, ep.len, opt.io_timeout_s * 1000));
    if (fd.get() < 0) {
        throw PpError("psgw: connect to " + opt.connect + " via gateway " +
                      to_string(reinterpret_cast<const sockaddr*>(&gw), sizeof gw) + ": " +
                      psgw_strerror(errno));
    }
    return fd;
}

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int run_client(const ClientOptions& opt) {
    const Endpoint ep = parse_endpoint(opt.connect, "--connect", false);
    SessionHeader h;
    h.mode = opt.mode;
    h.direction = opt.direction;
    const bool ping = opt.mode == Mode::kPingpong;
    h.size = opt.size != 0 ? opt.size : (ping ? 64u : 1u << 20);
    h.count = opt.count != 0 ? opt.count : (ping ? 10000u : 1024u);
    h.duration_ms = static_cast<std::uint32_t>(opt.seconds * 1000.0);
    if (h.size > kMaxBlockSize) {
        throw PpError("psgw: --size " + std::to_string(h.size) + ": at most " +
                      std::to_string(kMaxBlockSize));
    }
    if (h.duration_ms == 0) throw PpError("psgw: --seconds must be at least 0.001");

    sys::UniqueFd fd = connect_to(opt, ep);
    tune_socket(fd.get(), opt.io_timeout_s);
    write_all(fd.get(), h.encode());
    std::array<std::uint8_t, kAckSize> ack{};
    read_exact(fd.get(), ack);
    if (!ack_ok(ack)) throw PpError("psgw: the server at " + opt.connect + " rejected the test");

    const std::string path = opt.via_gateway ? "gateway" : "direct";
    const std::chrono::milliseconds duration(h.duration_ms);
    Session session(fd.get(), h.size);
    if (ping) {
        PingResult r{path, h.size, session.ping(h.count, duration)};
        std::printf("%s\n", format(r, opt.json).c_str());
        return 0;
    }
    if (h.direction != Direction::kRecv) {
        const auto t0 = Clock::now();
        const std::uint64_t sent = session.send_blocks(h.count, duration);
        const PhaseSummary s = session.recv_summary();
        const double secs = since(t0);
        if (s.corrupt || s.bytes != sent) {
            throw PpError("psgw: data corrupted: the server received " + std::to_string(s.bytes) +
                          " bytes of " + std::to_string(sent) + (s.corrupt ? ", pattern mismatch" : ""));
        }
        std::printf("%s\n", format(StreamResult{path, "send", h.size, sent, secs}, opt.json).c_str());
        std::fflush(stdout);
    }
    if (h.direction != Direction::kSend) {
        const auto t0 = Clock::now();
        const PhaseSummary s = session.recv_blocks();
        const double secs = since(t0);
        session.send_summary(s);
        if (s.corrupt) throw PpError("psgw: data corrupted: received blocks differ from the pattern");
        std::printf("%s\n", format(StreamResult{path, "recv", h.size, s.bytes, secs}, opt.json).c_str());
    }
    return 0;
}

}  // namespace psgw::pp
