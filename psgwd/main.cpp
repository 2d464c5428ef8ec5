// psgwd: dispatch to the role named by the first argument.
#include "agent/agent_main.hpp"
#include "relay/relay_main.hpp"

#include <psgw/version.hpp>

#include <cstdio>
#include <cstring>
#include <exception>

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "--version") == 0) {
        std::printf("psgwd %.*s\n", static_cast<int>(psgw::kVersion.size()), psgw::kVersion.data());
        return 0;
    }
    try {
        if (argc >= 2 && std::strcmp(argv[1], "agent") == 0)
            return psgw::agent::agent_main(argc - 1, argv + 1);
        if (argc >= 2 && std::strcmp(argv[1], "relay") == 0)
            return psgw::relay::relay_main(argc - 1, argv + 1);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "psgwd: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: psgwd agent [options] | psgwd relay [options] | psgwd --version\n");
    return 2;
}
