#include "relay/tcp_splice_transport.hpp"

namespace psgw::relay {

TcpSpliceTransport::TcpSpliceTransport(boost::asio::ip::tcp::socket client, boost::asio::ip::tcp::socket dest,
                                       SplicePipe to_dest_pipe, SplicePipe to_client_pipe)
    : client_(std::move(client)),
      dest_(std::move(dest)),
      to_dest_(client_, dest_, std::move(to_dest_pipe)),
      to_client_(dest_, client_, std::move(to_client_pipe)) {
    // splice() on the raw descriptors must not block the io_context thread.
    // (Cannot fail on an open socket; an error would surface as a splice error anyway.)
    boost::system::error_code ignored;
    client_.native_non_blocking(true, ignored);
    dest_.native_non_blocking(true, ignored);
}

void TcpSpliceTransport::start(TransportEvents events) {
    events_ = std::move(events);
    running_ = 2;
    auto self = shared_from_this();
    to_dest_.start(
        self,
        [this](std::size_t n) {
            if (events_.on_bytes) events_.on_bytes(Direction::kClientToDest, n);
        },
        [this](const boost::system::error_code& ec) { on_pump_done(ec); });
    to_client_.start(
        self,
        [this](std::size_t n) {
            if (events_.on_bytes) events_.on_bytes(Direction::kDestToClient, n);
        },
        [this](const boost::system::error_code& ec) { on_pump_done(ec); });
}

void TcpSpliceTransport::stop() {
    close_both();
    if (running_ == 0 && !finished_) {  // never started: report the abort directly
        on_pump_done(boost::asio::error::operation_aborted);
    }
}

void TcpSpliceTransport::on_pump_done(const boost::system::error_code& ec) {
    if (running_ > 0) --running_;
    if (!ec && running_ > 0) return;  // the other direction is still going
    close_both();
    if (finished_) return;
    finished_ = true;
    auto on_done = std::move(events_.on_done);
    events_ = {};
    if (on_done) on_done(ec);
}

void TcpSpliceTransport::close_both() {
    boost::system::error_code ignored;
    client_.close(ignored);
    dest_.close(ignored);
}

}  // namespace psgw::relay
