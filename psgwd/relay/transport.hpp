// The byte-pump abstraction every relay transport implements (TCP splice now, verbs later).
#pragma once

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <functional>

namespace psgw::relay {

/// The two directions of one relayed connection, named from the client's point of view:
/// the client is the side that sent the hello, the destination the side it named.
enum class Direction { kClientToDest, kDestToClient };

/// What a transport reports back to its session. Both callbacks run on the session's
/// executor (strand), never concurrently, never after on_done.
struct TransportEvents {
    /// `n` more bytes were handed to the receiving side in `direction` (delivered, not
    /// merely buffered in the relay): the stats file counts exactly these.
    std::function<void(Direction direction, std::size_t n)> on_bytes;
    /// Called exactly once: success when both directions ended with an orderly EOF that
    /// was propagated; otherwise the first error (both legs are already closed then).
    std::function<void(const boost::system::error_code& ec)> on_done;
};

/// Relays bytes between two connected legs after the handshake, in both directions.
///
/// Contract every implementation keeps:
///  - Each direction is an independent pump. A pump never takes more from its source
///    than it can hold for the sink: its in-flight bytes are bounded by a fixed
///    per-direction capacity, so per-connection memory is bounded and a slow receiver
///    stops the sender (backpressure), never the other direction.
///    * TCP (TcpSpliceTransport): the capacity is one pipe; the kernel's socket buffers
///      and TCP windows provide the end-to-end flow control.
///    * verbs (planned RdmaTransport: librdmacm, RC QPs, one buffer pool registered with
///      both devices): the capacity is a pool of slots; a slot is "credit". A receive is
///      posted on the source QP only for a free slot, the slot is busy until the send on
///      the sink QP completes, and the peers' end-to-end credits (PSP_GW_TOKENS-style)
///      keep a sender from overrunning the posted receives. Pumps must therefore treat
///      "sink busy" as a state that stops consumption, not as an error.
///  - Order and content are preserved; nothing is dropped or duplicated.
///  - Half-close: an orderly end of stream from one side is propagated to the other
///    (TCP: shutdown(SHUT_WR) after the buffered bytes were delivered; verbs: an
///    end-of-stream message after the last slot), and the other direction keeps going.
///  - Errors in either direction end both: on_done(ec) after closing both legs.
class Transport {
public:
    Transport() = default;
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;
    virtual ~Transport() = default;

    /// Starts both pumps. Call once; the transport keeps itself alive while it has
    /// pending operations (implementations use shared_from_this()).
    virtual void start(TransportEvents events) = 0;

    /// Closes both legs now; pending operations end, and on_done (if not called yet)
    /// is called with boost::asio::error::operation_aborted. Idempotent.
    virtual void stop() = 0;
};

}  // namespace psgw::relay
