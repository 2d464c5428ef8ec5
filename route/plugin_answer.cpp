// The plugin runner's answer codec (route/plugin_answer.hpp).
#include "route/plugin_answer.hpp"

#include "route/route_generator.hpp"

#include <cstring>

namespace psgw::route {

namespace {

constexpr std::string_view kRunnerMark = "psgw-plugin-runner: ";

}  // namespace

std::size_t answer_index_width(std::size_t gateways) {
    if (gateways <= 256) return 1;
    if (gateways <= 65536) return 2;
    return 4;
}

std::vector<std::uint32_t> decode_plugin_answer(std::string_view answer, std::size_t pairs,
                                                std::size_t gateways, std::string_view who) {
    const std::size_t width = answer_index_width(gateways);
    if (answer.size() != pairs * width) {
        throw RouteError(std::string(who) + ": runner returned " + std::to_string(answer.size()) +
                         " bytes, expected " + std::to_string(pairs * width));
    }
    std::vector<std::uint32_t> choices(pairs);
    const char* data = answer.data();
    for (std::size_t k = 0; k < pairs; ++k) {
        std::uint32_t value = 0;
        if (width == 1) {
            value = static_cast<unsigned char>(data[k]);
        } else if (width == 2) {
            std::uint16_t v16 = 0;
            std::memcpy(&v16, data + 2 * k, 2);
            value = v16;
        } else {
            std::memcpy(&value, data + 4 * k, 4);
        }
        if (value >= gateways) {
            throw RouteError(std::string(who) + ": gateway index " + std::to_string(value) + " out of range");
        }
        choices[k] = value;
    }
    return choices;
}

std::string runner_failure_reason(std::string_view error_output, int exit_code) {
    std::string_view text = error_output;
    std::string_view marked;
    std::string_view last;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        if (line.starts_with(kRunnerMark)) marked = line.substr(kRunnerMark.size());
        if (!line.empty()) last = line;
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    if (!marked.empty()) return std::string(marked);
    if (!last.empty()) return std::string(last);
    return "runner exited with code " + std::to_string(exit_code);
}

}  // namespace psgw::route
