#include "agent/control_session.hpp"

#include "control/control_message.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

#include <spdlog/spdlog.h>

namespace psgw::agent {

namespace asio = boost::asio;

ControlSession::ControlSession(asio::ip::tcp::socket socket, RequestHandler& handler, Settings settings)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      frame_timer_(socket_.get_executor()),
      handler_(handler),
      settings_(std::move(settings)) {
    boost::system::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    peer_ =
        ec ? std::string("unknown peer") : remote.address().to_string() + ":" + std::to_string(remote.port());
}

void ControlSession::start() {
    // One deadline for the whole exchange: a client that trickles bytes cannot hold us.
    timer_.expires_after(settings_.deadline);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) {
            spdlog::warn("control connection from {} timed out", self->peer_);
            self->stop();
        }
    });
    // Until its credential is in, a peer is a stranger: it gets a short deadline for the
    // whole frame, so idle connections cannot keep the slots legitimate requests need.
    frame_timer_.expires_after(settings_.frame_deadline);
    frame_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        // A cancel can come too late to turn the expiry into an error: check the frame too.
        if (!ec && !self->frame_complete_) {
            spdlog::debug("control connection from {}: no complete request within {} ms", self->peer_,
                          self->settings_.frame_deadline.count());
            self->stop();
        }
    });
    do_read_header();
}

void ControlSession::stop() {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    frame_timer_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    if (settings_.on_close) settings_.on_close(shared_from_this());
}

void ControlSession::fail(const boost::system::error_code& ec, const char* what) {
    if (ec != asio::error::operation_aborted && ec != asio::error::eof)
        spdlog::warn("control connection from {}: {}: {}", peer_, what, ec.message());
    stop();
}

void ControlSession::do_read_header() {
    asio::async_read(socket_, asio::buffer(header_),
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                         self->on_read_header(ec);
                     });
}

void ControlSession::on_read_header(const boost::system::error_code& ec) {
    if (ec) return fail(ec, "read");
    std::uint32_t length = 0;
    try {
        length = control::decode_frame_header(header_);
    } catch (const control::FrameError& e) {
        spdlog::warn("refused control request from {}: {}", peer_, e.what());
        return do_write(handler_.seal(control::error_reply(e.what()), std::nullopt));
    }
    body_length_ = length;
    body_.clear();
    do_read_body();
}

void ControlSession::do_read_body() {
    // Memory follows the bytes that really arrived, not the length an unauthenticated
    // peer announced: many connections claiming 4 MiB each must not exhaust the agent.
    constexpr std::size_t kChunk = 64 * 1024;
    const std::size_t have = body_.size();
    body_.resize(have + std::min<std::size_t>(body_length_ - have, kChunk));
    socket_.async_read_some(
        asio::buffer(body_.data() + have, body_.size() - have),
        [self = shared_from_this(), have](const boost::system::error_code& ec, std::size_t n) {
            self->body_.resize(have + n);
            self->on_read_body(ec);
        });
}

void ControlSession::on_read_body(const boost::system::error_code& ec) {
    if (ec) return fail(ec, "read");
    if (body_.size() < body_length_) return do_read_body();
    frame_complete_ = true;
    frame_timer_.cancel();
    if (settings_.on_frame) settings_.on_frame(shared_from_this());
    // Starts and stops answer later; the session's deadline still bounds the wait.
    handler_.handle(body_, peer_, [self = shared_from_this()](const std::string& reply) {
        if (!self->stopped_) self->do_write(reply);
    });
}

void ControlSession::do_write(const std::string& body) {
    // The handler seals every reply so that it fits a frame; empty: nothing can be sent.
    if (body.empty()) return stop();
    reply_ = control::encode_frame(body);
    asio::async_write(socket_, asio::buffer(reply_),
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                          if (ec) return self->fail(ec, "write");
                          self->stop();
                      });
}

}  // namespace psgw::agent
