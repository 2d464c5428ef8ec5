#include "routing_paths.hpp"

#include <psgw/contract.hpp>

#include <cerrno>
#include <pwd.h>
#include <unistd.h>
#include <vector>

namespace psgw::controller {

std::string home_directory(uid_t uid) {
    long size_hint = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(size_hint > 0 ? static_cast<std::size_t>(size_hint) : 16384);
    passwd entry{};
    passwd* result = nullptr;
    int rc = 0;
    while ((rc = getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result)) == ERANGE) {
        buffer.resize(buffer.size() * 2);
    }
    if (rc != 0 || result == nullptr || entry.pw_dir == nullptr || *entry.pw_dir == '\0') {
        throw JobEnvironmentError("psgw: no home directory for uid " + std::to_string(uid));
    }
    return entry.pw_dir;
}

std::filesystem::path routing_file_path(const GatewayOptions& options, std::uint32_t job_id,
                                        const std::string& route_prefix,
                                        const std::string& home) {
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
