// psgw-runas: setuid-root helper (contract.hpp, docs/admin.md "SlurmUser and psgw-runas").
// Parses the request, checks the caller, then runas_helper does the rest.
#include "runas_helper.hpp"

#include <psgw/contract.hpp>
#include <psgw/version.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

std::vector<gid_t> caller_groups() {
    std::vector<gid_t> groups(static_cast<std::size_t>(std::max(0, ::getgroups(0, nullptr))));
    const int count = ::getgroups(static_cast<int>(groups.size()), groups.data());
    groups.resize(static_cast<std::size_t>(std::max(0, count)));
    groups.push_back(::getgid());
    return groups;
}

}  // namespace

int main(int argc, char** argv) {
    using psgw::contract::kRunasRefused;
    // Who may ask comes first: before parsing, nothing of the caller's is trusted.
    struct stat self {};
    if (::stat("/proc/self/exe", &self) != 0) {
        std::cerr << "psgw: psgw-runas cannot stat its own executable\n";
        return kRunasRefused;
    }
    if (const std::string refusal = psgw::runas::caller_refusal(self, ::getuid(), caller_groups());
        !refusal.empty()) {
        std::cerr << refusal << "\n";
        return kRunasRefused;
    }
    ::umask(022);

    CLI::App app{"psgw-runas: act as the job user for psgw's controller side (setuid root helper)"};
    psgw::runas::Request request;
    unsigned long timeout_ms = 0;
    app.add_option("--uid", request.uid, "the job user's uid (never 0)")->required();
    app.add_option("--cwd", request.cwd, "exec: working directory (absolute)");
    app.add_option("--timeout-ms", timeout_ms, "exec: kill the program and all it started after this");
    app.add_option("--report-fd", request.report_fd, "exec: descriptor for the outcome line")
        ->check(CLI::Range(3, 1 << 20));
    // The first word that is not an option is the verb; it and the rest are the operation.
    app.prefix_command();
    app.footer("operation: write PATH MODE | append PATH | remove PATH | stat PATH | exec -- ARGV...");
    app.set_version_flag("--version", std::string(psgw::kVersion));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        std::cerr << "psgw: psgw-runas: " << e.what() << "\n";
        return kRunasRefused;
    }
    request.args = app.remaining();
    if (request.cwd.empty() || request.cwd.front() != '/') {
        std::cerr << "psgw: psgw-runas: --cwd must be an absolute path\n";
        return kRunasRefused;
    }
    request.timeout = std::chrono::milliseconds(timeout_ms);
    return psgw::runas::perform(request);
}
