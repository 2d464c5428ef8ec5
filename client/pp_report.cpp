#include "pp_report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace psgw::pp {
namespace {

/// Nearest-rank percentile (p in (0,100]) of sorted values, in microseconds.
double percentile_us(const std::vector<std::uint64_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return static_cast<double>(sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1]) / 1000.0;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

std::string format(const PingResult& r, bool json) {
    std::vector<std::uint64_t> sorted = r.rtt_ns;
    std::sort(sorted.begin(), sorted.end());
    const double median = percentile_us(sorted, 50);
    const double p99 = percentile_us(sorted, 99);
    const double min = sorted.empty() ? 0 : static_cast<double>(sorted.front()) / 1000.0;
    if (json) {
        return nlohmann::json{{"test", "pingpong"},
                              {"path", r.path},
                              {"size", r.size},
                              {"count", sorted.size()},
                              {"rtt_us_median", round2(median)},
                              {"rtt_us_p99", round2(p99)},
                              {"rtt_us_min", round2(min)}}
            .dump();
    }
    char line[256];
    std::snprintf(line, sizeof line,
                  "pingpong path=%s size=%u count=%zu rtt_us_median=%.2f rtt_us_p99=%.2f rtt_us_min=%.2f",
                  r.path.c_str(), r.size, sorted.size(), median, p99, min);
    return line;
}

std::string format(const StreamResult& r, bool json) {
    const double mib_s = r.seconds > 0 ? static_cast<double>(r.bytes) / (1024.0 * 1024.0) / r.seconds : 0;
    if (json) {
        return nlohmann::json{{"test", "stream"},         {"path", r.path},
                              {"direction", r.direction}, {"size", r.size},
                              {"bytes", r.bytes},         {"seconds", std::round(r.seconds * 1e6) / 1e6},
                              {"MiB_s", round2(mib_s)}}
            .dump();
    }
    char line[256];
    std::snprintf(line, sizeof line, "stream path=%s direction=%s size=%u bytes=%llu seconds=%.3f MiB_s=%.1f",
                  r.path.c_str(), r.direction.c_str(), r.size, static_cast<unsigned long long>(r.bytes),
                  r.seconds, mib_s);
    return line;
}

}  // namespace psgw::pp
