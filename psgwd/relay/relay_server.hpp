// The relay process: listeners on both fabrics, sessions, stats, signals.
#pragma once

#include "relay/access_policy.hpp"
#include "relay/fabric.hpp"
#include "relay/relay_config.hpp"
#include "relay/relay_stats.hpp"
#include "relay/session_manager.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>

namespace psgw::relay {

/// The asio http server's `server`: owns the io_context, one acceptor per fabric on the
/// same port, the signal_set and the sessions. Single-threaded.
class RelayServer {
public:
    /// Binds and listens on the first port of the range free on both addresses.
    /// Throws std::runtime_error (one line, "psgw: relay: ...") when no port is free or
    /// an address is not local.
    explicit RelayServer(RelayConfig config);
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
    SessionManager sessions_;                          ///< live sessions
    bool stopping_ = false;                            ///< a signal arrived
};

}  // namespace psgw::relay
