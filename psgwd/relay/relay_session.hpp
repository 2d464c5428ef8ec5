// One client connection: handshake, access check, connect, then a transport.
#pragma once

#include "relay/access_policy.hpp"
#include "relay/fabric.hpp"
#include "relay/refusal_log.hpp"
#include "relay/relay_config.hpp"
#include "relay/relay_stats.hpp"
#include "relay/transport.hpp"

#include <psgw/contract.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <memory>
#include <string>

namespace psgw::relay {

class SessionManager;

/// A relayed connection (asio http server's `connection`). States:
///   read hello (handshake deadline) -> access check -> connect (connect deadline)
///   -> reply kOk -> transport until both directions end.
/// Every refusal replies with its RelayStatus, is counted and logged (rate-limited), and closes.
class RelaySession : public std::enable_shared_from_this<RelaySession> {
public:
    /// `listener` is the fabric the client connected on; the server has already checked
    /// the client's source and that a session slot is free.
    RelaySession(boost::asio::ip::tcp::socket client, Fabric listener, const RelayConfig& config,
                 const AccessPolicy& policy, RelayStats& stats, RefusalLog& refusals,
                 SessionManager& manager);
    RelaySession(const RelaySession&) = delete;
    RelaySession& operator=(const RelaySession&) = delete;

    /// Starts reading the hello.
    void start();
    /// Closes everything now (idempotent); pending handlers then do nothing.
    void stop();

private:
    void do_read_hello();
    void on_read_hello(const boost::system::error_code& ec);
    void do_connect(const boost::asio::ip::tcp::endpoint& dest);
    void on_connect(const boost::system::error_code& ec);
    void start_transport();
    void on_transport_done(const boost::system::error_code& ec);
    /// Replies `status` (best effort), counts and logs it, ends the session.
    void refuse(contract::RelayStatus status, std::string_view detail = {});
    /// Writes the 8-byte reply on the still-fresh client socket.
    bool send_reply(contract::RelayStatus status);
    /// SO_OOBINLINE and keepalive on one leg (best effort: logged at debug).
    void set_options(boost::asio::ip::tcp::socket& socket);
    /// Removes this session from the manager, which stops it.
    void finish();

    boost::asio::ip::tcp::socket client_;      ///< accepted socket (moved into the transport)
    boost::asio::ip::tcp::socket dest_;        ///< outgoing socket (moved into the transport)
    boost::asio::steady_timer hello_timer_;    ///< handshake deadline
    boost::asio::steady_timer connect_timer_;  ///< connect deadline
    Fabric listener_;                          ///< fabric the client came in on
    const RelayConfig& config_;                ///< relay configuration
    const AccessPolicy& policy_;               ///< who may talk to whom
    RelayStats& stats_;                        ///< process counters
    RefusalLog& refusals_;                     ///< where refusals are counted and logged
    SessionManager& manager_;                  ///< owner
    std::array<std::uint8_t, contract::kRelayHelloSize> hello_{};  ///< the hello being read
    std::string peer_;                                             ///< "source -> dest" for log lines
    std::shared_ptr<Transport> transport_;                         ///< set once relaying
    bool hello_timed_out_ = false;                                 ///< the handshake deadline fired
    bool connect_timed_out_ = false;                               ///< the connect deadline fired
    bool stopped_ = false;                                         ///< stop() was called
};

}  // namespace psgw::relay
