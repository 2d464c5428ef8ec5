// run_as: the child reports "O<payload>" on success or "E<message>" on failure on
// fd 3, so any exception text (a failed drop included) reaches the caller verbatim.
#include "sys/run_as.hpp"

#include "sys/spawn.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace psgw::sys {

namespace {

constexpr int kReportFd = 3;

void write_all(int fd, const std::string& line) {
    const char* data = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        data += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace

std::string run_as(const std::optional<UserIdentity>& user, const std::function<std::string()>& operation) {
    if (!user) return operation();

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
                drop_privileges(*user);
                line = "O" + operation();
            } catch (const std::exception& e) {
                line = std::string("E") + e.what();
            } catch (...) {
                line = "Epsgw: unknown error in file operation";
            }
            write_all(kReportFd, line);
            return line[0] == 'O' ? 0 : 1;
        });
    } catch (const std::system_error& e) {
        throw std::runtime_error(e.what());
    }
    UniqueFd report = child.take_fd(kReportFd);
    std::string line;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(report.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        line.append(buffer, static_cast<std::size_t>(n));
    }
    const int code = child.wait();
    if (line.empty()) throw std::runtime_error("psgw: file operation child died without a report");
    if (line[0] != 'O' || code != 0) {
        throw std::runtime_error(line[0] == 'E' ? line.substr(1) : "psgw: file operation failed");
    }
    return line.substr(1);
}

}  // namespace psgw::sys
