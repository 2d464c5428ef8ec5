#include "agent/proc_info.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace psgw::agent {

std::optional<std::uint64_t> process_start_time(pid_t pid) {
    if (pid <= 0) return std::nullopt;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    // Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 1));
    std::string state;
    fields >> state;  // field 3
    if (state == "Z" || state == "X") return std::nullopt;
    std::string skip;
    for (int field = 4; field < 22; ++field) fields >> skip;
    std::uint64_t start_time = 0;
    if (!(fields >> start_time)) return std::nullopt;
    return start_time;
}

bool is_same_process(pid_t pid, std::uint64_t start_time) {
    const auto now = process_start_time(pid);
    return now && *now == start_time;
}

}  // namespace psgw::agent
