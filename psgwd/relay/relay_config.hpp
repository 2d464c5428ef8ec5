// The per-job relay's configuration: one JSON object on stdin (docs/protocol.md).
#pragma once

#include <psgw/error.hpp>

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace psgw::relay {

/// Thrown by parse_relay_config(); what() is one line starting with "psgw: relay config: ".
class RelayConfigError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// Validated relay configuration. Field names equal the JSON keys.
struct RelayConfig {
    std::uint32_t job = 0;                                ///< Slurm job id (for logs and stats)
    boost::asio::ip::address cluster_addr;                ///< the gateway's cluster-fabric address
    boost::asio::ip::address booster_addr;                ///< the gateway's booster-fabric address
    std::uint16_t port_first = 0;                         ///< "ports.first"
    std::uint16_t port_last = 0;                          ///< "ports.last"
    std::vector<boost::asio::ip::address> cluster_peers;  ///< the job's cluster-side nodes
    std::vector<boost::asio::ip::address> booster_peers;  ///< the job's booster-side nodes
    std::chrono::milliseconds handshake_timeout{5000};    ///< "handshake_timeout_ms"
    std::chrono::milliseconds connect_timeout{5000};      ///< "connect_timeout_ms"
    std::uint32_t max_connections = 4096;                 ///< concurrent sessions, then kOverloaded
    std::uint32_t pipe_size = 1048576;                    ///< bytes per splice pipe (F_SETPIPE_SZ)
    std::chrono::seconds keepalive{60};                   ///< "keepalive_s": TCP keepalive idle, 0: off
    std::string stats_file;                               ///< empty: no stats file
    std::string log_level = "info";                       ///< spdlog level name
};

/// Parses and validates the JSON text. Required keys: job, cluster_addr, booster_addr,
/// ports, cluster_peers, booster_peers; the others default as in RelayConfig. Unknown
/// keys, wrong types, out-of-range values are errors. Throws RelayConfigError.
RelayConfig parse_relay_config(std::string_view json_text);

}  // namespace psgw::relay
