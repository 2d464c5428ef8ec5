#pragma once

#include "pp_protocol.hpp"

#include <cstdint>
#include <string>

namespace psgw::pp {

/// Options of "psgw-pp client".
struct ClientOptions {
    std::string connect;                     ///< --connect ADDR:PORT
    bool via_gateway = false;                ///< --via-gateway: libpsgw + PSP_GW_SERVER
    Mode mode = Mode::kPingpong;             ///< --mode
    Direction direction = Direction::kSend;  ///< --direction (stream)
    std::uint32_t size = 0;                  ///< --size (0: mode default)
    std::uint64_t count = 0;                 ///< --count (0: mode default)
    double seconds = 10;                     ///< --seconds: bound per phase
    bool json = false;                       ///< --json
    int io_timeout_s = 30;                   ///< --io-timeout
};

/// Runs the tests and prints one line per test. Returns the exit code; throws
/// PpError on failure (including corrupted data).
int run_client(const ClientOptions& opt);

}  // namespace psgw::pp
