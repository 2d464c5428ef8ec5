#include "incarnation.hpp"

#include <sys/random.h>
#include <unistd.h>
#include <chrono>

namespace psgw::controller {

std::uint64_t new_incarnation() noexcept {
    std::uint64_t value = 0;
    while (value == 0) {
        if (::getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
            // No entropy source (cannot really happen): distinct per run is all that matters.
            const auto now = std::chrono::system_clock::now().time_since_epoch().count();
            value = static_cast<std::uint64_t>(now) * 0x9e3779b97f4a7c15ull ^
                    static_cast<std::uint64_t>(::getpid());
        }
    }
    return value;
}

}  // namespace psgw::controller
