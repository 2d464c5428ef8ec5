// The TCP transport: two splice pumps between the client and destination sockets.
#pragma once

#include "relay/splice_pump.hpp"
#include "relay/transport.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace psgw::relay {

/// Zero-copy TCP relay: one SplicePump per direction, each bounded by its own pipe, so
/// a connection costs at most two pipes of relay memory (plus kernel socket buffers).
class TcpSpliceTransport final : public Transport, public std::enable_shared_from_this<TcpSpliceTransport> {
public:
    /// Takes both connected sockets and one pipe per direction. The caller creates the
    /// pipes before it answers kOk, so running out of descriptors can still be refused
    /// with kOverloaded; this constructor does not throw.
    TcpSpliceTransport(boost::asio::ip::tcp::socket client, boost::asio::ip::tcp::socket dest,
                       SplicePipe to_dest_pipe, SplicePipe to_client_pipe);

    void start(TransportEvents events) override;
    void stop() override;

private:
    /// One pump ended: an error ends everything; two clean ends finish the transport.
    void on_pump_done(const boost::system::error_code& ec);
    /// Closes both sockets (pending waits then complete with operation_aborted).
    void close_both();

    boost::asio::ip::tcp::socket client_;  ///< the side that sent the hello
    boost::asio::ip::tcp::socket dest_;    ///< the side it named
    SplicePump to_dest_;                   ///< client -> dest
    SplicePump to_client_;                 ///< dest -> client
    TransportEvents events_;               ///< cleared after on_done, breaking the cycle to the session
    int running_ = 0;                      ///< pumps not yet done
    bool finished_ = false;                ///< on_done was called
};

}  // namespace psgw::relay
