#pragma once

#include <string>

namespace psgw::pp {

/// Options of "psgw-pp server".
struct ServerOptions {
    std::string listen = "0.0.0.0:41900";  ///< --listen
    bool once = false;                     ///< --once: exit after the first client
    int io_timeout_s = 30;                 ///< --io-timeout
};

/// Serves clients one after another. Prints "psgw-pp server listening on ADDR:PORT"
/// when ready and one line per finished client. Returns the exit code (with --once:
/// 0 only if the client's session succeeded and its data verified).
int run_server(const ServerOptions& opt);

}  // namespace psgw::pp
