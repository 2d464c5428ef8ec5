#include "relay/pipe_budget.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <fstream>

namespace psgw::relay {

namespace {

constexpr std::uint64_t kMinPipeSize = 65536;  // Linux default: 16 pages

std::uint64_t read_sysctl(const char* path) {
    std::ifstream in(path);
    std::uint64_t value = 0;
    if (!(in >> value)) return 0;
    return value;
}

}  // namespace

std::uint64_t pipe_size_for(std::uint64_t wanted, std::uint64_t max_size, std::uint64_t user_budget_bytes,
                            std::uint32_t max_sessions) {
    std::uint64_t size = wanted;
    if (max_size > 0) size = std::min(size, max_size);
    if (user_budget_bytes > 0 && max_sessions > 0) {
        size = std::min(size, user_budget_bytes / (std::uint64_t{2} * max_sessions));
    }
    size = std::bit_floor(std::max(size, kMinPipeSize));
    return std::min(size, std::max(wanted, kMinPipeSize));
}

PipePlan plan_pipe_size(std::uint64_t wanted, std::uint32_t max_sessions, bool privileged) {
    PipePlan plan;
    plan.wanted = wanted;
    plan.max_size = read_sysctl("/proc/sys/fs/pipe-max-size");
    if (!privileged) {
        const long page = ::sysconf(_SC_PAGESIZE);
        plan.user_budget_bytes = read_sysctl("/proc/sys/fs/pipe-user-pages-soft") *
                                 static_cast<std::uint64_t>(page > 0 ? page : 4096);
    }
    plan.size = pipe_size_for(wanted, plan.max_size, plan.user_budget_bytes, max_sessions);
    return plan;
}

}  // namespace psgw::relay
