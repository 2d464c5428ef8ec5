#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace psgw::pp {

/// Result of one ping-pong test.
struct PingResult {
    std::string path;                   ///< "direct" or "gateway"
    std::uint32_t size = 0;             ///< payload bytes per message
    std::vector<std::uint64_t> rtt_ns;  ///< one round trip per entry
};

/// Result of one stream phase.
struct StreamResult {
    std::string path;         ///< "direct" or "gateway"
    std::string direction;    ///< "send" (client -> server) or "recv"
    std::uint32_t size = 0;   ///< block size
    std::uint64_t bytes = 0;  ///< payload bytes moved and verified
    double seconds = 0;       ///< wall time of the phase
};

/// The one-line text or JSON form of a ping-pong result.
std::string format(const PingResult& r, bool json);
/// The one-line text or JSON form of a stream result.
std::string format(const StreamResult& r, bool json);

}  // namespace psgw::pp
