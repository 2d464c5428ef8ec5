#include "relay/splice_pump.hpp"

#include <boost/asio/post.hpp>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace psgw::relay {

namespace {

// Rounds of splicing per wake-up before yielding to other sessions on the io_context.
constexpr int kRoundsPerTurn = 16;
// No SPLICE_F_MORE: it would cork small messages and hurt ping-pong latency.
constexpr unsigned kSpliceFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;

boost::system::error_code errno_code() { return {errno, boost::system::system_category()}; }

}  // namespace

SplicePump::SplicePump(boost::asio::ip::tcp::socket& source, boost::asio::ip::tcp::socket& sink,
                       SplicePipe pipe)
    : source_(source), sink_(sink), pipe_(std::move(pipe)) {}

void SplicePump::start(const std::shared_ptr<void>& keep_alive, BytesHandler on_bytes, DoneHandler on_done) {
    on_bytes_ = std::move(on_bytes);
    on_done_ = std::move(on_done);
    run(keep_alive);
}

void SplicePump::run(const std::shared_ptr<void>& keep_alive) {
    if (done_) return;
    if (!source_.is_open() || !sink_.is_open()) return finish(boost::asio::error::operation_aborted);

    for (int round = 0; round < kRoundsPerTurn; ++round) {
        bool progressed = false;
        // Fill: EAGAIN means "socket empty" or "pipe full" (splice cannot tell); the
        // byte count below and the wait choice at the end resolve that ambiguity.
        if (urgent_) {
            // The byte at the urgent mark goes into the pipe before anything after it.
            if (::write(pipe_.write_fd(), &*urgent_, 1) == 1) {
                urgent_.reset();
                ++in_pipe_;
                progressed = true;
            } else if (errno != EAGAIN && errno != EINTR) {
                return finish(errno_code());
            }
        } else if (!source_eof_ && in_pipe_ < pipe_.capacity()) {
            const ssize_t n = ::splice(source_.native_handle(), nullptr, pipe_.write_fd(), nullptr,
                                       pipe_.capacity() - in_pipe_, kSpliceFlags);
            if (n > 0) {
                in_pipe_ += static_cast<std::size_t>(n);
                progressed = true;
            } else if (n == 0) {
                source_eof_ = true;
                progressed = true;
            } else if (errno == EINTR) {
                progressed = true;
            } else if (errno != EAGAIN) {
                return finish(errno_code());
            } else if (at_urgent_mark()) {
                // splice() never reads past an urgent mark (tcp_read_sock stops there),
                // while the socket stays readable: without this the pump would spin and
                // every later byte would be stuck. recv() passes the mark; with
                // SO_OOBINLINE (set on every leg) it returns the urgent byte in order.
                std::uint8_t byte = 0;
                const ssize_t got = ::recv(source_.native_handle(), &byte, 1, MSG_DONTWAIT);
                if (got == 1) {
                    urgent_ = byte;
                    progressed = true;
                } else if (got < 0 && errno != EAGAIN && errno != EINTR) {
                    return finish(errno_code());
                }
            }
        }
        // Drain.
        if (in_pipe_ > 0) {
            const ssize_t n =
                ::splice(pipe_.read_fd(), nullptr, sink_.native_handle(), nullptr, in_pipe_, kSpliceFlags);
            if (n > 0) {
                in_pipe_ -= static_cast<std::size_t>(n);
                on_bytes_(static_cast<std::size_t>(n));
                progressed = true;
            } else if (n < 0 && errno == EINTR) {
                progressed = true;
            } else if (n < 0 && errno != EAGAIN) {
                return finish(errno_code());
            }
        }
        if (source_eof_ && in_pipe_ == 0) {
            boost::system::error_code ec;
            sink_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
            return finish(ec);
        }
        if (!progressed) {
            // Bytes waiting in the pipe: the sink is the bottleneck, so wait for it alone
            // and do not read (backpressure). Empty pipe: wait for the source.
            auto on_ready = [this, keep_alive](const boost::system::error_code& ec) {
                if (ec) return finish(ec);
                run(keep_alive);
            };
            if (in_pipe_ > 0) {
                sink_.async_wait(boost::asio::ip::tcp::socket::wait_write, std::move(on_ready));
            } else {
                source_.async_wait(boost::asio::ip::tcp::socket::wait_read, std::move(on_ready));
            }
            return;
        }
    }
    // Budget used: let other sessions run, then continue.
    boost::asio::post(source_.get_executor(), [this, keep_alive] { run(keep_alive); });
}

bool SplicePump::at_urgent_mark() const {
    int at_mark = 0;
    return ::ioctl(source_.native_handle(), SIOCATMARK, &at_mark) == 0 && at_mark != 0;
}

void SplicePump::finish(const boost::system::error_code& ec) {
    if (done_) return;
    done_ = true;
    auto on_done = std::move(on_done_);
    on_bytes_ = nullptr;
    if (on_done) on_done(ec);
}

}  // namespace psgw::relay
