#pragma once

namespace psgw::relay {

/// Entry point of "psgwd relay": reads its JSON configuration from stdin, listens on
/// both fabric addresses, writes the readiness line, relays until SIGTERM.
int relay_main(int argc, char** argv);

}  // namespace psgw::relay
