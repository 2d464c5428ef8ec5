#include "relay/relay_server.hpp"

#include <psgw/error.hpp>

#include "relay/relay_log.hpp"
#include "relay/relay_session.hpp"
#include "wire/relay_handshake.hpp"

#include <fcntl.h>

#include <array>
#include <chrono>
#include <csignal>
#include <memory>
#include <stdexcept>

namespace psgw::relay {

namespace {

namespace ip = boost::asio::ip;
using namespace std::chrono_literals;

// Opens, binds and listens; any failure leaves `acceptor` closed and is returned.
boost::system::error_code try_listen(ip::tcp::acceptor& acceptor, const ip::tcp::endpoint& endpoint) {
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    // listen() too can report EADDRINUSE (another socket bound with SO_REUSEADDR).
    if (!ec) acceptor.listen(ip::tcp::socket::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
    }
    // Synchronous accept() after EMFILE (refuse_with_spare) must not block.
    if (!ec) acceptor.non_blocking(true, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
    }
    return ec;
}

bool out_of_descriptors(const boost::system::error_code& ec) {
    return ec == boost::system::errc::too_many_files_open ||
           ec == boost::system::errc::too_many_files_open_in_system;
}

sys::UniqueFd open_spare() { return sys::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

}  // namespace

RelayServer::RelayServer(RelayConfig config, std::uint32_t configured_max, std::uint64_t configured_pipe)
    : config_(std::move(config)),
      policy_(config_.cluster_addr, config_.booster_addr, config_.cluster_peers, config_.booster_peers),
      signals_(io_, SIGTERM, SIGINT),
      cluster_acceptor_(io_),
      booster_acceptor_(io_),
      cluster_retry_(io_),
      booster_retry_(io_),
      stats_timer_(io_),
      stats_(config_.job, 0),
      refusals_(config_.job, stats_),
      spare_fd_(open_spare()) {
    bind_listeners();
    stats_ = RelayStats(config_.job, port_);
    stats_.set_limits(configured_max, config_.max_connections, configured_pipe, config_.pipe_size);
}

void RelayServer::bind_listeners() {
    for (std::uint32_t p = config_.port_first; p <= config_.port_last; ++p) {
        const auto port = static_cast<std::uint16_t>(p);
        auto ec = try_listen(cluster_acceptor_, {config_.cluster_addr, port});
        if (ec == boost::asio::error::address_in_use) continue;
        if (ec) {
            throw psgw::Error("psgw: relay: cannot listen on cluster_addr " +
                              config_.cluster_addr.to_string() + ": " + ec.message());
        }
        ec = try_listen(booster_acceptor_, {config_.booster_addr, port});
        if (!ec) {
            port_ = port;
            return;
        }
        boost::system::error_code ignored;
        cluster_acceptor_.close(ignored);
        if (ec != boost::asio::error::address_in_use) {
            throw psgw::Error("psgw: relay: cannot listen on booster_addr " +
                              config_.booster_addr.to_string() + ": " + ec.message());
        }
    }
    throw psgw::Error("psgw: relay: no port in " + std::to_string(config_.port_first) + "-" +
                      std::to_string(config_.port_last) + " is free on both " +
                      config_.cluster_addr.to_string() + " and " + config_.booster_addr.to_string());
}

void RelayServer::run() {
    relay_log().info("job {}: relay listening on {}:{} (cluster) and {}:{} (booster), {} + {} peers",
                     config_.job, config_.cluster_addr.to_string(), port_, config_.booster_addr.to_string(),
                     port_, config_.cluster_peers.size(), config_.booster_peers.size());
    do_await_stop();
    do_accept(Fabric::kCluster);
    do_accept(Fabric::kBooster);
    do_write_stats();
    io_.run();
    write_stats();  // final: every session is closed, the counters are complete
    relay_log().info("job {}: relay stopped: {}", config_.job, stats_.to_json().dump());
}

void RelayServer::do_accept(Fabric fabric) {
    acceptor(fabric).async_accept(
        [this, fabric](const boost::system::error_code& ec, ip::tcp::socket socket) {
            on_accept(fabric, ec, std::move(socket));
        });
}

void RelayServer::on_accept(Fabric fabric, const boost::system::error_code& ec, ip::tcp::socket socket) {
    if (stopping_ || !acceptor(fabric).is_open()) return;
    if (ec) {
        if (out_of_descriptors(ec) && refuse_with_spare(fabric)) return do_accept(fabric);
        // Back off briefly instead of spinning on the same error.
        relay_log().warn("job {}: accept on {} listener: {}", config_.job, to_string(fabric), ec.message());
        auto& retry = fabric == Fabric::kCluster ? cluster_retry_ : booster_retry_;
        retry.expires_after(100ms);
        retry.async_wait([this, fabric](const boost::system::error_code& timer_ec) {
            if (!timer_ec && !stopping_) do_accept(fabric);
        });
        return;
    }
    stats_.on_accepted();
    boost::system::error_code remote_ec;
    const auto remote = socket.remote_endpoint(remote_ec);
    const std::string peer = remote_ec ? std::string("?") : remote.address().to_string();
    if (remote_ec || !policy_.source_allowed(fabric, remote.address())) {
        refuse_at_accept(fabric, socket, peer, contract::RelayStatus::kSourceNotInJob,
                         remote_ec ? remote_ec.message() : "");
    } else if (sessions_.size() >= config_.max_connections) {
        refuse_at_accept(fabric, socket, peer, contract::RelayStatus::kOverloaded,
                         std::to_string(config_.max_connections) + " sessions");
    } else {
        sessions_.start(std::make_shared<RelaySession>(std::move(socket), fabric, config_, policy_, stats_,
                                                       refusals_, sessions_));
    }
    do_accept(fabric);
}

void RelayServer::refuse_at_accept(Fabric fabric, ip::tcp::socket& socket, const std::string& peer,
                                   contract::RelayStatus status, std::string_view detail) {
    refusals_.refused(fabric, peer, status, detail);
    const auto reply = wire::encode_reply(status);
    boost::system::error_code ignored;
    // 8 bytes into the empty send buffer of a fresh socket: never blocks, never partial.
    socket.non_blocking(true, ignored);
    socket.send(boost::asio::buffer(reply), 0, ignored);
    socket.shutdown(ip::tcp::socket::shutdown_send, ignored);
    // Read what already arrived (the hello): closing with unread bytes would reset the
    // connection and could discard the reply before the client read it.
    std::array<std::uint8_t, 256> sink{};
    socket.receive(boost::asio::buffer(sink), 0, ignored);
    socket.close(ignored);
}

bool RelayServer::refuse_with_spare(Fabric fabric) {
    if (!spare_fd_) spare_fd_ = open_spare();
    if (!spare_fd_) return false;
    spare_fd_.reset();
    boost::system::error_code ec;
    ip::tcp::socket socket(io_);
    acceptor(fabric).accept(socket, ec);
    if (!ec) {
        stats_.on_accepted();
        boost::system::error_code remote_ec;
        const auto remote = socket.remote_endpoint(remote_ec);
        refuse_at_accept(fabric, socket, remote_ec ? std::string("?") : remote.address().to_string(),
                         contract::RelayStatus::kOverloaded, "out of descriptors");
    }
    spare_fd_ = open_spare();
    return !ec || ec == boost::asio::error::would_block;
}

void RelayServer::do_await_stop() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        relay_log().info("job {}: signal {}: stopping", config_.job, signo);
        stopping_ = true;
        // Close everything so run() returns by itself (no io_context::stop()).
        boost::system::error_code ignored;
        cluster_acceptor_.close(ignored);
        booster_acceptor_.close(ignored);
        cluster_retry_.cancel();
        booster_retry_.cancel();
        stats_timer_.cancel();
        sessions_.stop_all();
        refusals_.flush();
    });
}

void RelayServer::do_write_stats() {
    if (config_.stats_file.empty()) return;
    write_stats();
    stats_timer_.expires_after(1s);
    stats_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && !stopping_) do_write_stats();
    });
}

void RelayServer::write_stats() {
    if (config_.stats_file.empty()) return;
    try {
        stats_.write_file(config_.stats_file);
    } catch (const std::exception& e) {
        relay_log().warn("{}", e.what());
    }
}

}  // namespace psgw::relay
