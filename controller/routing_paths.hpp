// Where the routing file, its gateway map and the error file go: psmgmt's rule,
// shared with the SPANK plugin's PSP_GW_SERVER (contract.hpp).
#pragma once

#include "job_environment.hpp"

#include <sys/types.h>
#include <filesystem>
#include <string>

namespace psgw::controller {

/// The job user's home directory (getpwuid_r); throws JobEnvironmentError if unknown.
std::string home_directory(uid_t uid);

/// --gw_file, else "<SLURM_SPANK_PSGW_CWD or home>/<prefix>-<jobid>".
std::filesystem::path routing_file_path(const GatewayOptions& options, std::uint32_t job_id,
                                        const std::string& route_prefix, const std::string& home);

/// "<routing file>" + contract::kGatewayMapSuffix.
std::filesystem::path gateway_map_path(const std::filesystem::path& routing_file);

/// Directory for the error file: SLURM_SPANK_PSGW_CWD, else SLURM_JOB_WORK_DIR, else home.
std::filesystem::path error_directory(const JobEnvironment& job, const std::string& home);

/// "<dir>/JOB-<jobid>-psgw.err".
std::filesystem::path error_file_path(const std::filesystem::path& dir, std::uint32_t job_id);

}  // namespace psgw::controller
