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
    using Callback = std::function<void(const std::shared_ptr<ControlSession>&)>;

    /// Deadlines and the server's bookkeeping hooks.
    struct Settings {
        std::chrono::milliseconds frame_deadline;  ///< the whole request frame must arrive by then
        std::chrono::milliseconds deadline;        ///< the whole exchange, reply included
        Callback on_frame;                         ///< the request frame has arrived (once)
        Callback on_close;                         ///< the connection is closed (once)
    };

    ControlSession(boost::asio::ip::tcp::socket socket, RequestHandler& handler, Settings settings);
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
    boost::asio::steady_timer frame_timer_;
    RequestHandler& handler_;
    Settings settings_;
    std::string peer_;
    std::array<unsigned char, control::kFrameHeaderSize> header_{};
    std::string body_;
    std::uint32_t body_length_ = 0;  ///< announced by the header; body_ grows towards it
    std::string reply_;
    bool stopped_ = false;
    bool frame_complete_ = false;  ///< the request is in: the frame deadline no longer applies
};

}  // namespace psgw::agent
