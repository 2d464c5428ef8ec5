#include "routing_paths.hpp"

#include <psgw/contract.hpp>

#include "sys/user_identity.hpp"

namespace psgw::controller {

std::string home_directory(uid_t uid) {
    std::string home;
    try {
        home = sys::lookup_user(uid).home;
    } catch (const std::exception&) {}
    if (home.empty()) {
        throw JobEnvironmentError("psgw: no home directory for uid " + std::to_string(uid));
    }
    return home;
}

std::filesystem::path routing_file_path(const GatewayOptions& options, std::uint32_t job_id,
                                        const std::string& route_prefix, const std::string& home) {
    if (!options.route_file.empty()) return options.route_file;
    std::filesystem::path dir = options.cwd.empty() ? home : options.cwd;
    return dir / (route_prefix + "-" + std::to_string(job_id));
}

std::filesystem::path gateway_map_path(const std::filesystem::path& routing_file) {
    return routing_file.string() + std::string(contract::kGatewayMapSuffix);
}

std::filesystem::path error_directory(const JobEnvironment& job, const std::string& home) {
    if (!job.options.cwd.empty()) return job.options.cwd;
    if (!job.work_dir.empty()) return job.work_dir;
    return home;
}

std::filesystem::path error_file_path(const std::filesystem::path& dir, std::uint32_t job_id) {
    return dir / (std::string(contract::kErrFilePrefix) + std::to_string(job_id) +
                  std::string(contract::kErrFileSuffix));
}

}  // namespace psgw::controller
