// perform_via_runas: the helper gets the operation as argv and its content on stdin;
// stdout is the answer, stderr the one-line reason of a refusal.
#include "sys/runas_client.hpp"

#include "sys/child_process.hpp"

#include <psgw/contract.hpp>
#include <psgw/error.hpp>

#include <unistd.h>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#ifndef PSGW_RUNAS_DEFAULT
#error "PSGW_RUNAS_DEFAULT (the installed psgw-runas) must be defined by the build"
#endif

namespace psgw::sys {

namespace {

// A file operation is a few syscalls; this only bounds a wedged file system.
constexpr std::chrono::seconds kOperationTimeout{60};

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::string runas_helper_path() {
    const char* path = std::getenv(contract::kEnvRunas.data());
    return path && *path ? path : PSGW_RUNAS_DEFAULT;
}

bool is_current_identity(const UserIdentity& user) {
    return ::geteuid() == user.uid && ::getegid() == user.gid;
}

std::vector<std::string> runas_prefix(const UserIdentity& user) {
    return {runas_helper_path(), "--uid", std::to_string(user.uid)};
}

std::vector<std::string> runas_exec_argv(const UserIdentity& user, const std::string& working_dir,
                                         std::chrono::milliseconds timeout, int report_fd,
                                         const std::vector<std::string>& argv) {
    std::vector<std::string> command = runas_prefix(user);
    command.insert(command.end(), {"--cwd", working_dir.empty() ? "/" : working_dir, "--report-fd",
                                   std::to_string(report_fd)});
    if (timeout.count() > 0) command.insert(command.end(), {"--timeout-ms", std::to_string(timeout.count())});
    command.insert(command.end(), {"exec", "--"});
    command.insert(command.end(), argv.begin(), argv.end());
    return command;
}

std::optional<RunasOutcome> parse_runas_report(std::string_view report) {
    if (!report.ends_with('\n')) return std::nullopt;
    report.remove_suffix(1);
    if (report == "timeout") return RunasOutcome{RunasOutcome::Kind::kTimedOut, 128 + 9, 0, {}};
    const auto space = report.find(' ');
    const std::string_view word = report.substr(0, space);
    std::string_view rest = space == std::string_view::npos ? std::string_view() : report.substr(space + 1);
    int number = -1;
    const auto end = rest.find(' ');
    const std::string_view digits = rest.substr(0, end);
    const auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (digits.empty() || error != std::errc() || stop != digits.data() + digits.size() || number < 0) {
        return std::nullopt;
    }
    if (word == "exit" && end == std::string_view::npos && number <= 255) {
        return RunasOutcome{RunasOutcome::Kind::kExited, number, 0, {}};
    }
    if (word == "error" && end != std::string_view::npos && number > 0) {
        return RunasOutcome{RunasOutcome::Kind::kNotStarted, -1, number, std::string(rest.substr(end + 1))};
    }
    return std::nullopt;
}

std::string perform_via_runas(const UserIdentity& user, const UserOperation& operation) {
    ChildOptions options;
    options.argv = runas_prefix(user);
    for (auto& arg : operation.helper_args()) options.argv.push_back(std::move(arg));
    options.stdin_data = operation.content;
    options.timeout = kOperationTimeout;
    ChildResult result;
    try {
        result = run_child(options);
    } catch (const std::system_error& e) {
        throw std::runtime_error("psgw: cannot act as user " + user.name + ": " +
                                 std::string(error_body(e.what())));
    }
    if (result.exit_code == 0 && !result.timed_out) return result.output;
    std::string reason = first_line(result.error_output);
    if (result.timed_out) reason = "psgw: " + options.argv[0] + " did not finish in time";
    if (reason.empty())
        reason = "psgw: " + options.argv[0] + " failed with exit code " + std::to_string(result.exit_code);
    throw std::runtime_error(reason);
}

}  // namespace psgw::sys
