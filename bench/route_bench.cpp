// route_bench: times generate_routes() for one plugin on an |A| x |B| job.
//   route_bench PLUGIN [A B GATEWAYS REPEAT]   (defaults 1024 1024 64 5)
// Prints: plugin, lines, bytes, best and median wall time in milliseconds.
#include "route/route_generator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: route_bench PLUGIN [A B GATEWAYS REPEAT]\n");
        return 2;
    }
    const int a = argc > 2 ? std::atoi(argv[2]) : 1024;
    const int b = argc > 3 ? std::atoi(argv[3]) : 1024;
    const int g = argc > 4 ? std::atoi(argv[4]) : 64;
    const int repeat = argc > 5 ? std::atoi(argv[5]) : 5;

    psgw::route::RouteRequest request;
    request.plugin = argv[1];
    request.timeout = std::chrono::seconds(600);
    // Test-bed-like fabric addresses: realistic line lengths.
    for (int k = 0; k < a; ++k)
        request.nodes_a.push_back("10.78." + std::to_string(k / 250) + "." + std::to_string(k % 250 + 1));
    for (int k = 0; k < b; ++k)
        request.nodes_b.push_back("10.79." + std::to_string(k / 250) + "." + std::to_string(k % 250 + 1));
    for (int k = 0; k < g; ++k) request.gateways.push_back("10.78.9." + std::to_string(k + 1) + ":41000");

    std::vector<double> ms;
    std::size_t bytes = 0;
    try {
        for (int r = 0; r < repeat; ++r) {
            auto start = std::chrono::steady_clock::now();
            std::string text = psgw::route::generate_routes(request);
            auto stop = std::chrono::steady_clock::now();
            bytes = text.size();
            ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%s %lld %zu %.1f %.1f\n", argv[1], static_cast<long long>(a) * b, bytes, ms.front(),
                ms[ms.size() / 2]);
    return 0;
}
