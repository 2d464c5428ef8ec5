#include "relay/fd_budget.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace psgw::relay {

namespace {

std::uint64_t count_open_fds() {
    std::error_code ec;
    std::uint64_t n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        ++n;
    }
    return n > 0 ? n - 1 : 3;  // minus the iterator's own descriptor; stdio if /proc is missing
}

}  // namespace

FdBudget fit_sessions_to_nofile(std::uint32_t wanted) {
    FdBudget budget;
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        if (lim.rlim_cur < lim.rlim_max) {
            rlimit raised = lim;
            raised.rlim_cur = lim.rlim_max;
            if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
        }
        budget.nofile = lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : lim.rlim_cur;
    } else {
        budget.nofile = 1024;
    }
    budget.open_at_start = count_open_fds();
    const std::uint64_t reserve = budget.open_at_start + kFdReserve;
    const std::uint64_t fit = budget.nofile > reserve ? (budget.nofile - reserve) / kFdsPerSession : 0;
    budget.max_sessions = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(fit, 1, wanted));
    return budget;
}

}  // namespace psgw::relay
