#include "failure_report.hpp"

#include "sys/child_process.hpp"
#include "sys/user_files.hpp"

#include <psgw/contract.hpp>

#include <unistd.h>
#include <ctime>
#include <exception>

namespace psgw::controller {

std::string_view failure_kind_name(FailureKind kind) {
    return kind == FailureKind::kPermanent ? contract::kErrorKindPermanent : contract::kErrorKindTransient;
}

std::string error_line(std::uint32_t job, const std::string& reason, FailureKind kind,
                       std::chrono::system_clock::time_point when) {
    std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    // The reason usually carries its own "psgw: " prefix already.
    std::string text = reason.starts_with("psgw: ") ? reason.substr(6) : reason;
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    const char* verdict = kind == FailureKind::kPermanent ? " [permanent: a retry cannot succeed]"
                                                          : " [transient: a retry may succeed]";
    return std::string(stamp) + " psgw: gateway startup for job " + std::to_string(job) + " failed: " + text +
           verdict + "\n";
}

void append_error_file(const std::filesystem::path& err_file, const std::string& line,
                       const sys::UserIdentity& user) {
    sys::append_file(err_file, line, user);
}

std::string run_psgw_error(const std::filesystem::path& script, std::vector<std::string> env,
                           const std::string& reason, FailureKind kind, std::chrono::milliseconds timeout) {
    if (script.empty()) return "PSGW_ERROR is empty: nothing run";
    if (::access(script.c_str(), X_OK) != 0) {
        return "PSGW_ERROR " + script.string() + " is not an executable file: not run";
    }
    env.push_back(std::string(contract::kEnvErrorReason) + "=" + reason);
    env.push_back(std::string(contract::kEnvErrorKind) + "=" + std::string(failure_kind_name(kind)));
    sys::ChildOptions options;
    options.argv = {script.string()};
    options.env = std::move(env);
    options.timeout = timeout;
    sys::ChildResult result;
    try {
        result = sys::run_child(options);
    } catch (const std::exception& error) {
        return "PSGW_ERROR " + script.string() + " could not be started: " + error.what();
    }
    if (result.timed_out) return "PSGW_ERROR " + script.string() + " timed out";
    return "PSGW_ERROR " + script.string() + " exited with " + std::to_string(result.exit_code);
}

}  // namespace psgw::controller
