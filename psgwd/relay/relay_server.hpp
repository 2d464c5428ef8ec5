// The relay process: listeners on both fabrics, sessions, stats, signals.
#pragma once

#include "relay/access_policy.hpp"
#include "relay/fabric.hpp"
#include "relay/refusal_log.hpp"
#include "relay/relay_config.hpp"
#include "relay/relay_stats.hpp"
#include "relay/session_manager.hpp"

#include "sys/unique_fd.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace psgw::relay {

/// The asio http server's `server`: owns the io_context, one acceptor per fabric on the
/// same port, the signal_set and the sessions. Single-threaded.
///
/// Admission happens at accept, before any session exists: a source that is not one of
/// the job's nodes on that listener's fabric is closed at once, and past max_connections
/// live sessions a connection is answered kOverloaded and closed, so neither holds a
/// slot, a timer or more than a moment of one descriptor.
class RelayServer {
public:
    /// Binds and listens on the first port of the range free on both addresses.
    /// `limits` are the caps in force (see RelayStats::set_limits; config.max_connections
    /// and config.pipe_size already hold the effective values). Throws psgw::Error (one
    /// line, "psgw: relay: ...") when no port is free or an address is not local.
    RelayServer(RelayConfig config, std::uint32_t configured_max, std::uint64_t configured_pipe);
    RelayServer(const RelayServer&) = delete;
    RelayServer& operator=(const RelayServer&) = delete;

    /// The port both acceptors listen on.
    std::uint16_t port() const { return port_; }

    /// Serves until SIGTERM/SIGINT, then closes listeners and sessions and writes the
    /// final stats. Returns when nothing is left to do.
    void run();

private:
    /// Tries ports first..last; leaves both acceptors listening on the first that works.
    void bind_listeners();
    void do_accept(Fabric fabric);
    void on_accept(Fabric fabric, const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
    /// Closes `socket` now with `status` (no session): the reply is best effort.
    void refuse_at_accept(Fabric fabric, boost::asio::ip::tcp::socket& socket, const std::string& peer,
                          contract::RelayStatus status, std::string_view detail);
    /// EMFILE/ENFILE on accept: frees the spare descriptor to take the pending connection
    /// and answer it kOverloaded, instead of leaving it in the backlog. False if it could not.
    bool refuse_with_spare(Fabric fabric);
    void do_await_stop();
    void do_write_stats();
    /// Writes the stats file if configured; logs (does not throw) on failure.
    void write_stats();
    boost::asio::ip::tcp::acceptor& acceptor(Fabric fabric) {
        return fabric == Fabric::kCluster ? cluster_acceptor_ : booster_acceptor_;
    }

    RelayConfig config_;                               ///< validated configuration
    AccessPolicy policy_;                              ///< derived from config_
    boost::asio::io_context io_;                       ///< the only io_context (one thread)
    boost::asio::signal_set signals_;                  ///< SIGTERM, SIGINT
    boost::asio::ip::tcp::acceptor cluster_acceptor_;  ///< on cluster_addr:port_
    boost::asio::ip::tcp::acceptor booster_acceptor_;  ///< on booster_addr:port_
    boost::asio::steady_timer cluster_retry_;          ///< back-off after accept errors (EMFILE)
    boost::asio::steady_timer booster_retry_;          ///< same, booster listener
    boost::asio::steady_timer stats_timer_;            ///< rewrites the stats file every second
    std::uint16_t port_ = 0;                           ///< bound port
    RelayStats stats_;                                 ///< counters
    RefusalLog refusals_;                              ///< counted, rate-limited refusal lines
    sys::UniqueFd spare_fd_;                           ///< /dev/null, given up to accept at EMFILE
    SessionManager sessions_;                          ///< live sessions
    bool stopping_ = false;                            ///< a signal arrived
};

}  // namespace psgw::relay
