#include "fake_spank.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace fake {

constexpr auto kOk = static_cast<spank_err_t>(ESPANK_SUCCESS);

Spank& spank() {
    static Spank state;
    return state;
}

void reset() { spank() = Spank{}; }

spank_t handle() {
    static int dummy;
    return reinterpret_cast<spank_t>(&dummy);
}

int option(const char* name, const char* value, int remote) {
    for (const auto& opt : spank().registered) {
        if (std::strcmp(opt.name, name) == 0) {
            return opt.cb(opt.val, value, remote);
        }
    }
    return -2;
}

namespace {
__attribute__((format(printf, 1, 0))) std::string format(const char* fmt, va_list args) {
    char buffer[4096];
    std::vsnprintf(buffer, sizeof buffer, fmt, args);
    return buffer;
}
}  // namespace

}  // namespace fake

extern "C" {

spank_context_t spank_context(void) { return fake::spank().context; }

spank_err_t spank_option_register(spank_t, struct spank_option* opt) {
    fake::spank().registered.push_back(*opt);
    return fake::kOk;
}

spank_err_t spank_job_control_setenv(spank_t, const char* name, const char* value, int overwrite) {
    auto& s = fake::spank();
    if (s.throw_in_job_control_setenv) {
        throw std::runtime_error("fake failure");
    }
    if (s.job_control_rc != fake::kOk) {
        return s.job_control_rc;
    }
    if (overwrite != 0 || !s.job_control.contains(name)) {
        s.job_control[name] = value;
    }
    return fake::kOk;
}

spank_err_t spank_getenv(spank_t, const char* var, char* buf, int len) {
    const auto& env = fake::spank().job_env;
    const auto it = env.find(var);
    if (it == env.end()) {
        return ESPANK_ENV_NOEXIST;
    }
    if (static_cast<int>(it->second.size()) >= len) {
        return ESPANK_NOSPACE;
    }
    std::memcpy(buf, it->second.c_str(), it->second.size() + 1);
    return fake::kOk;
}

spank_err_t spank_setenv(spank_t, const char* var, const char* val, int overwrite) {
    auto& env = fake::spank().set_env;
    if (overwrite == 0 && (env.contains(var) || fake::spank().job_env.contains(var))) {
        return ESPANK_ENV_EXISTS;  // as Slurm: the variable is already in the job's environment
    }
    env[var] = val;
    return fake::kOk;
}

spank_err_t spank_get_item(spank_t, spank_item_t item, ...) {
    va_list args;
    // The signature is Slurm's (spank.h): an enum before "...", which clang flags.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wvarargs"
#endif
    va_start(args, item);
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
    spank_err_t rc = ESPANK_BAD_ARG;
    if (item == S_JOB_ID && fake::spank().job_id != 0) {
        *va_arg(args, std::uint32_t*) = fake::spank().job_id;
        rc = fake::kOk;
    } else if (item == S_JOB_UID) {
        *va_arg(args, uid_t*) = fake::spank().uid;
        rc = fake::kOk;
    }
    va_end(args);
    return rc;
}

const char* spank_strerror(spank_err_t err) {
    return err == ESPANK_BAD_ARG ? "Bad argument" : "fake spank error";
}

void slurm_error(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fake::spank().errors.push_back(fake::format(fmt, args));
    va_end(args);
}

void slurm_verbose(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fake::spank().verbose.push_back(fake::format(fmt, args));
    va_end(args);
}

void slurm_debug(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fake::spank().debug.push_back(fake::format(fmt, args));
    va_end(args);
}

void slurm_info(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fake::spank().infos.push_back(fake::format(fmt, args));
    va_end(args);
}

}  // extern "C"
