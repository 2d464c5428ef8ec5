// One control connection: read one frame (with a deadline), hand it to the
// request handler, write the reply whenever it comes, close.
#pragma once

#include "agent/request_handler.hpp"
#include "control/framing.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace psgw::agent {

/// Lives as long as its asynchronous operations hold a shared_ptr to it.
class ControlSession : public std::enable_shared_from_this<ControlSession> {
public:
    using OnClose = std::function<void(const std::shared_ptr<ControlSession>&)>;

    ControlSession(boost::asio::ip::tcp::socket socket, RequestHandler& handler,
                   std::chrono::milliseconds deadline, OnClose on_close);
    ControlSession(const ControlSession&) = delete;
    ControlSession& operator=(const ControlSession&) = delete;

    /// Starts reading the request.
    void start();
    /// Closes the connection (agent shutdown or deadline).
    void stop();

private:
    void do_read_header();
    void on_read_header(const boost::system::error_code& ec);
    void do_read_body();
    void on_read_body(const boost::system::error_code& ec);
    void do_write(const std::string& body);
    void fail(const boost::system::error_code& ec, const char* what);

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    RequestHandler& handler_;
    std::chrono::milliseconds deadline_;
    OnClose on_close_;
    std::string peer_;
    std::array<unsigned char, control::kFrameHeaderSize> header_{};
    std::string body_;
    std::uint32_t body_length_ = 0;  ///< announced by the header; body_ grows towards it
    std::string reply_;
    bool stopped_ = false;
};

}  // namespace psgw::agent
