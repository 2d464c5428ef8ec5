// Fake SPANK host: records what the plugin asks Slurm to do, lets tests set context,
// job environment and items (after qiskit spank-plugins' test_spank_qrmi.c).
#pragma once

#include "spank_api.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fake {

struct Spank {
    spank_context_t context = S_CTX_ALLOCATOR;
    std::vector<spank_option> registered;
    std::map<std::string, std::string> job_control;  ///< spank_job_control_setenv
    std::map<std::string, std::string> job_env;      ///< what spank_getenv sees
    std::map<std::string, std::string> set_env;      ///< spank_setenv
    std::uint32_t job_id = 0;                        ///< S_JOB_ID (0: unavailable)
    std::uint32_t uid = 0;                           ///< S_JOB_UID
    std::vector<std::string> errors;                 ///< slurm_error lines
    std::vector<std::string> infos;                  ///< slurm_info lines
    std::vector<std::string> verbose;                ///< slurm_verbose lines
    std::vector<std::string> debug;                  ///< slurm_debug lines
    spank_err_t job_control_rc = static_cast<spank_err_t>(ESPANK_SUCCESS);
    bool throw_in_job_control_setenv = false;
};

/// The fake host state; reset() before each test.
Spank& spank();
void reset();
/// A non-null handle to pass to hooks.
spank_t handle();
/// Calls the callback of the registered option `name`; -2 if it is not registered.
int option(const char* name, const char* value, int remote = 0);

}  // namespace fake
