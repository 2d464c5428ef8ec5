// run_as: the forked child reports "O<payload>" on success or "E<message>" on failure
// on fd 3, so any exception text (a failed drop included) reaches the caller verbatim.
#include "sys/run_as.hpp"

#include "posix/fd_io.hpp"
#include "sys/runas_client.hpp"
#include "sys/spawn.hpp"

#include <unistd.h>
#include <stdexcept>
#include <system_error>

namespace psgw::sys {

namespace {

constexpr int kReportFd = 3;

std::string perform_in_dropped_child(const UserIdentity& user, const UserOperation& operation) {
    SpawnOptions options;
    // stdio stays for diagnostics; nothing else of the caller's reaches the child.
    options.fds = {ChildFd::share(0, 0), ChildFd::share(1, 1), ChildFd::share(2, 2),
                   ChildFd::output(kReportFd)};
    options.working_dir = ".";  // the caller's: relative paths keep their meaning
    Child child;
    try {
        child = spawn_call(options, [&] {
            std::string line;
            try {
                // Dropped here rather than by spawn: a refusal is reported as our own line.
                drop_privileges(user);
                line = "O" + perform_here(operation);
            } catch (const std::exception& e) {
                line = std::string("E") + e.what();
            } catch (...) {
                line = "Epsgw: unknown error in file operation";
            }
            (void)posix::write_all(kReportFd, line.data(), line.size());  // a lost report reads as "died"
            return line[0] == 'O' ? 0 : 1;
        });
    } catch (const std::system_error& e) {
        throw std::runtime_error(e.what());
    }
    UniqueFd report = child.take_fd(kReportFd);
    std::string line;
    (void)posix::read_to_eof(report.get(), line);  // a short report is judged below
    const int code = child.wait();
    if (line.empty()) throw std::runtime_error("psgw: file operation child died without a report");
    if (line[0] != 'O' || code != 0) {
        throw std::runtime_error(line[0] == 'E' ? line.substr(1) : "psgw: file operation failed");
    }
    return line.substr(1);
}

}  // namespace

std::string run_as(const std::optional<UserIdentity>& user, const UserOperation& operation) {
    if (!user || is_current_identity(*user)) return perform_here(operation);
    if (::geteuid() == 0) return perform_in_dropped_child(*user, operation);
    return perform_via_runas(*user, operation);
}

}  // namespace psgw::sys
