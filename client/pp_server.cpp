#include "pp_server.hpp"

#include "pp_endpoint.hpp"
#include "pp_io.hpp"
#include "pp_session.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace psgw::pp {
namespace {

/// Runs one client's session; returns a one-line description; throws PpError.
std::string serve(int fd, int io_timeout_s) {
    tune_socket(fd, io_timeout_s);
    std::array<std::uint8_t, 32> raw{};
    read_exact(fd, raw);
    const auto header = SessionHeader::decode(raw);
    write_all(fd, encode_ack(header.has_value()));
    if (!header) throw PpError("psgw: client sent an invalid psgw-pp header");
    Session session(fd, header->size);
    const std::chrono::milliseconds duration(header->duration_ms);
    std::string what;
    bool corrupt = false;
    if (header->mode == Mode::kPingpong) {
        const PhaseSummary s = session.pong();
        corrupt = s.corrupt;
        what = "pingpong size=" + std::to_string(header->size) +
               " messages=" + std::to_string(s.bytes / header->size);
    } else {
        what = "stream size=" + std::to_string(header->size);
        if (header->direction != Direction::kRecv) {
            const PhaseSummary s = session.recv_blocks();
            session.send_summary(s);
            corrupt = corrupt || s.corrupt;
            what += " received=" + std::to_string(s.bytes);
        }
        if (header->direction != Direction::kSend) {
            const std::uint64_t sent = session.send_blocks(header->count, duration);
            const PhaseSummary s = session.recv_summary();
            corrupt = corrupt || s.corrupt || s.bytes != sent;
            what += " sent=" + std::to_string(sent);
        }
    }
    if (corrupt) throw PpError("psgw: data corrupted (" + what + ")");
    return what + " verified=yes";
}

}  // namespace

int run_server(const ServerOptions& opt) {
    const Endpoint ep = parse_endpoint(opt.listen, "--listen", true);
    sys::UniqueFd listener(::socket(ep.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (listener.get() < 0) throw PpError(std::string("psgw: socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&ep.addr), ep.len) != 0 ||
        ::listen(listener.get(), 16) != 0) {
        throw PpError("psgw: --listen '" + opt.listen + "': " + std::strerror(errno));
    }
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&bound), &bound_len);
    std::printf("psgw-pp server listening on %s\n",
                to_string(reinterpret_cast<sockaddr*>(&bound), bound_len).c_str());
    std::fflush(stdout);
    while (true) {
        sockaddr_storage peer{};
        socklen_t peer_len = sizeof peer;
        sys::UniqueFd conn(
            ::accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC));
        if (conn.get() < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            throw PpError(std::string("psgw: accept: ") + std::strerror(errno));
        }
        const std::string from = to_string(reinterpret_cast<sockaddr*>(&peer), peer_len);
        int rc = 0;
        try {
            std::printf("served %s: %s\n", from.c_str(), serve(conn.get(), opt.io_timeout_s).c_str());
        } catch (const PpError& e) {
            std::fprintf(stderr, "%s (client %s)\n", e.what(), from.c_str());
            rc = 1;
        }
        std::fflush(stdout);
        if (opt.once) return rc;
    }
}

}  // namespace psgw::pp
