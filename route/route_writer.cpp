// Atomic routing-file write as the job user.
#include "route/route_generator.hpp"

#include "sys/user_files.hpp"

#include <stdexcept>

namespace psgw::route {

void write_routing_file(const std::filesystem::path& path, const std::string& text,
                        const std::optional<sys::UserIdentity>& as_user) {
    try {
        sys::write_file_atomically(path, text, as_user, 0644);
    } catch (const std::exception& e) {
        throw RouteError(e.what());
    }
}

}  // namespace psgw::route
