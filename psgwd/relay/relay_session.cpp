#include "relay/relay_session.hpp"

#include "relay/relay_log.hpp"
#include "relay/session_manager.hpp"
#include "relay/socket_options.hpp"
#include "relay/splice_pipe.hpp"
#include "relay/tcp_splice_transport.hpp"
#include "wire/relay_handshake.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <netinet/in.h>

#include <cstring>

namespace psgw::relay {

namespace {

namespace ip = boost::asio::ip;
using contract::RelayStatus;

ip::tcp::endpoint to_endpoint(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) {
        const auto& in4 = reinterpret_cast<const sockaddr_in&>(ss);
        return {ip::address_v4(ntohl(in4.sin_addr.s_addr)), ntohs(in4.sin_port)};
    }
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
    ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    return {ip::address_v6(bytes), ntohs(in6.sin6_port)};
}

bool out_of_descriptors(const boost::system::error_code& ec) {
    return ec == boost::system::errc::too_many_files_open ||
           ec == boost::system::errc::too_many_files_open_in_system;
}

// The status a failed connect() maps to (contract.hpp RelayStatus). Running out of
// descriptors is the relay's own limit, not the destination's fault.
RelayStatus connect_status(const boost::system::error_code& ec) {
    if (out_of_descriptors(ec)) return RelayStatus::kOverloaded;
    if (ec == boost::asio::error::connection_refused) return RelayStatus::kConnectRefused;
    if (ec == boost::asio::error::timed_out) return RelayStatus::kConnectTimeout;
    return RelayStatus::kUnreachable;
}

}  // namespace

RelaySession::RelaySession(ip::tcp::socket client, Fabric listener, const RelayConfig& config,
                           const AccessPolicy& policy, RelayStats& stats, RefusalLog& refusals,
                           SessionManager& manager)
    : client_(std::move(client)),
      dest_(client_.get_executor()),
      hello_timer_(client_.get_executor()),
      connect_timer_(client_.get_executor()),
      listener_(listener),
      config_(config),
      policy_(policy),
      stats_(stats),
      refusals_(refusals),
      manager_(manager) {
    stats_.on_opened();
    boost::system::error_code ec;
    const auto remote = client_.remote_endpoint(ec);
    peer_ = ec ? std::string("?") : remote.address().to_string();
    set_options(client_);
}

void RelaySession::start() { do_read_hello(); }

void RelaySession::stop() {
    if (stopped_) return;
    stopped_ = true;
    hello_timer_.cancel();
    connect_timer_.cancel();
    boost::system::error_code ignored;
    client_.close(ignored);
    dest_.close(ignored);
    if (transport_) transport_->stop();
    stats_.on_closed();
}

void RelaySession::do_read_hello() {
    auto self = shared_from_this();
    hello_timer_.expires_after(config_.handshake_timeout);
    hello_timer_.async_wait([this, self](const boost::system::error_code& ec) {
        if (ec || stopped_ || transport_) return;  // cancelled, or a stale expiry
        hello_timed_out_ = true;
        boost::system::error_code ignored;
        client_.cancel(ignored);
    });
    // Exactly the hello: bytes a client pipelines after it stay in the kernel for splice.
    boost::asio::async_read(
        client_, boost::asio::buffer(hello_),
        [this, self](const boost::system::error_code& ec, std::size_t) { on_read_hello(ec); });
}

void RelaySession::on_read_hello(const boost::system::error_code& ec) {
    hello_timer_.cancel();
    if (stopped_) return;
    if (ec) {
        // A truncated hello: the deadline fired, or the client closed early.
        return refuse(RelayStatus::kMalformed, hello_timed_out_ ? "handshake timeout" : ec.message());
    }
    const auto decoded = wire::decode_hello(hello_);
    if (!decoded) return refuse(decoded.error());
    const ip::tcp::endpoint dest = to_endpoint(*decoded);
    peer_ += " -> " + dest.address().to_string() + ":" + std::to_string(dest.port());
    boost::system::error_code src_ec;
    const ip::address source = client_.remote_endpoint(src_ec).address();
    if (src_ec) return refuse(RelayStatus::kSourceNotInJob, src_ec.message());
    const RelayStatus allowed = policy_.check(listener_, source, dest.address());
    if (allowed != RelayStatus::kOk) return refuse(allowed);
    do_connect(dest);
}

void RelaySession::do_connect(const ip::tcp::endpoint& dest) {
    // Leave through the gateway's address on the destination's fabric, so that the
    // destination sees a source on its own fabric.
    const ip::address& local = listener_ == Fabric::kCluster ? config_.booster_addr : config_.cluster_addr;
    boost::system::error_code ec;
    dest_.open(dest.protocol(), ec);
    if (!ec) {
        // Pick the local port at connect() time, per destination, not at bind():
        // a relay with thousands of sessions would otherwise run out of ports.
        const int one = 1;
        if (dest.protocol() == ip::tcp::v4()) {
            ::setsockopt(dest_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
        }
        dest_.bind({local, 0}, ec);
    }
    if (ec && out_of_descriptors(ec)) return refuse(RelayStatus::kOverloaded, "socket: " + ec.message());
    if (ec) return refuse(RelayStatus::kUnreachable, "bind " + local.to_string() + ": " + ec.message());
    set_options(dest_);

    auto self = shared_from_this();
    connect_timer_.expires_after(config_.connect_timeout);
    connect_timer_.async_wait([this, self](const boost::system::error_code& timer_ec) {
        if (timer_ec || stopped_ || transport_) return;
        connect_timed_out_ = true;
        boost::system::error_code ignored;
        dest_.cancel(ignored);
    });
    dest_.async_connect(
        dest, [this, self](const boost::system::error_code& connect_ec) { on_connect(connect_ec); });
}

void RelaySession::on_connect(const boost::system::error_code& ec) {
    connect_timer_.cancel();
    if (stopped_) return;
    if (connect_timed_out_) return refuse(RelayStatus::kConnectTimeout);
    if (ec) return refuse(connect_status(ec), ec.message());
    start_transport();
}

void RelaySession::start_transport() {
    // The pipes before the reply: without descriptors the client still hears kOverloaded.
    std::optional<SplicePipe> to_dest_pipe;
    std::optional<SplicePipe> to_client_pipe;
    try {
        to_dest_pipe.emplace(config_.pipe_size);
        stats_.on_pipe(to_dest_pipe->capacity());
        to_client_pipe.emplace(config_.pipe_size);
        stats_.on_pipe(to_client_pipe->capacity());
    } catch (const std::system_error& e) {
        return refuse(RelayStatus::kOverloaded, e.what());
    }
    boost::system::error_code ec;
    client_.set_option(ip::tcp::no_delay(true), ec);  // the endpoints already decided on Nagle
    dest_.set_option(ip::tcp::no_delay(true), ec);
    if (!send_reply(RelayStatus::kOk)) return finish();
    stats_.on_relayed();
    relay_log().debug("job {}: relaying {} ({})", config_.job, peer_, to_string(listener_));

    auto transport = std::make_shared<TcpSpliceTransport>(
        std::move(client_), std::move(dest_), std::move(*to_dest_pipe), std::move(*to_client_pipe));
    transport_ = transport;
    auto self = shared_from_this();
    const Fabric from_client = listener_;
    transport->start({
        .on_bytes =
            [this, from_client](Direction direction, std::size_t n) {
                stats_.add_bytes(direction == Direction::kClientToDest ? from_client : other(from_client), n);
            },
        .on_done = [this, self](const boost::system::error_code& done_ec) { on_transport_done(done_ec); },
    });
}

void RelaySession::on_transport_done(const boost::system::error_code& ec) {
    if (stopped_) return;
    if (ec) {
        relay_log().debug("job {}: {} ended: {}", config_.job, peer_, ec.message());
    } else {
        relay_log().debug("job {}: {} closed", config_.job, peer_);
    }
    finish();
}

bool RelaySession::send_reply(RelayStatus status) {
    const auto reply = wire::encode_reply(status);
    boost::system::error_code ec;
    // 8 bytes into the send buffer of a socket that has sent nothing yet: cannot block.
    boost::asio::write(client_, boost::asio::buffer(reply), ec);
    if (ec) relay_log().debug("job {}: {}: reply not sent: {}", config_.job, peer_, ec.message());
    return !ec;
}

void RelaySession::set_options(ip::tcp::socket& socket) {
    if (const int err = set_relay_socket_options(socket.native_handle(), config_.keepalive)) {
        relay_log().debug("job {}: {}: socket options: {}", config_.job, peer_, std::strerror(err));
    }
}

void RelaySession::refuse(RelayStatus status, std::string_view detail) {
    refusals_.refused(listener_, peer_, status, detail);
    if (send_reply(status)) {
        boost::system::error_code ignored;
        client_.shutdown(ip::tcp::socket::shutdown_send, ignored);
    }
    finish();
}

void RelaySession::finish() { manager_.stop(shared_from_this()); }

}  // namespace psgw::relay
