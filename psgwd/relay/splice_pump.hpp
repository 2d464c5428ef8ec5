// One direction of a TCP relay: source socket -> pipe -> sink socket with splice(2).
#pragma once

#include "relay/splice_pipe.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace psgw::relay {

/// Moves bytes from `source` to `sink` without copying them through user space:
/// splice(source -> pipe), splice(pipe -> sink), both non-blocking, driven by
/// async_wait on the native sockets (Boost.Asio has no splice).
///
/// Backpressure: while the pipe holds bytes the sink would not take, the pump waits
/// only for the sink to become writable and does not read; in-flight data is bounded
/// by the pipe. Half-close: after the source's EOF and an empty pipe it shuts down the
/// sink's sending side and reports success.
///
/// Urgent data (MSG_OOB) is relayed as an ordinary byte in its place in the stream:
/// splice() stops at the urgent mark, so the pump reads that one byte with recv()
/// (the sockets have SO_OOBINLINE) and writes it into the pipe. The urgent flag itself
/// is not reproduced on the other leg.
class SplicePump {
public:
    /// Called with the number of bytes just delivered to the sink.
    using BytesHandler = std::function<void(std::size_t)>;
    /// Called once when the pump ends (success: EOF propagated).
    using DoneHandler = std::function<void(const boost::system::error_code&)>;

    /// Both sockets must outlive the pump and be in non-blocking mode.
    SplicePump(boost::asio::ip::tcp::socket& source, boost::asio::ip::tcp::socket& sink, SplicePipe pipe);
    SplicePump(const SplicePump&) = delete;
    SplicePump& operator=(const SplicePump&) = delete;

    /// Starts pumping. `keep_alive` (the owner) is held by every pending handler.
    void start(const std::shared_ptr<void>& keep_alive, BytesHandler on_bytes, DoneHandler on_done);

    /// Bytes the pipe can hold (the in-flight bound of this direction).
    std::size_t capacity() const { return pipe_.capacity(); }

private:
    /// Splices until both ends would block (or a turn's budget is used), then waits.
    void run(const std::shared_ptr<void>& keep_alive);
    /// True if the source's next byte is TCP urgent data (SIOCATMARK).
    bool at_urgent_mark() const;
    /// Ends the pump once.
    void finish(const boost::system::error_code& ec);

    boost::asio::ip::tcp::socket& source_;  ///< read side
    boost::asio::ip::tcp::socket& sink_;    ///< write side
    SplicePipe pipe_;                       ///< the in-kernel buffer
    std::size_t in_pipe_ = 0;               ///< bytes spliced in, not yet out
    std::optional<std::uint8_t> urgent_;    ///< the urgent byte read past the mark, not yet in the pipe
    bool source_eof_ = false;               ///< the source sent FIN
    bool done_ = false;                     ///< finish() was called
    BytesHandler on_bytes_;                 ///< progress callback
    DoneHandler on_done_;                   ///< completion callback
};

}  // namespace psgw::relay
