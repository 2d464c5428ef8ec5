// kill_and_reap_descendants: the children of a subreaper are found in /proc (a
// process's parent is field 4 of /proc/PID/stat); each pass kills one generation,
// whose orphans are then ours in the next pass.
#include "sys/process_tree.hpp"

#include "posix/fd_io.hpp"
#include "sys/unique_fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace psgw::sys {

namespace {

/// The parent pid of `pid` from /proc/PID/stat, or -1 if it is gone.
pid_t parent_of(const char* pid) {
    UniqueFd fd(::open(("/proc/" + std::string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return -1;
    std::string stat;
    if (!posix::read_to_eof(fd.get(), stat, 512)) return -1;
    // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses; the last ')' ends it.
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) return -1;
    return static_cast<pid_t>(std::strtol(stat.c_str() + close + 4, nullptr, 10));
}

std::vector<pid_t> children_of(pid_t self) {
    std::vector<pid_t> children;
    std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
    if (!proc) return children;
    while (const dirent* entry = ::readdir(proc.get())) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
        if (parent_of(entry->d_name) == self)
            children.push_back(static_cast<pid_t>(std::atol(entry->d_name)));
    }
    return children;
}

}  // namespace

void become_subreaper() {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        throw std::system_error(errno, std::generic_category(), "psgw: PR_SET_CHILD_SUBREAPER");
    }
}

unsigned kill_and_reap_descendants(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    const pid_t self = ::getpid();
    unsigned killed = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const std::vector<pid_t> children = children_of(self);
        for (pid_t child : children) {
            if (::kill(child, SIGKILL) == 0) ++killed;
        }
        // Reap what is dead, the killed ones included (they die at once).
        for (pid_t child : children) {
            while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {}
        }
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
        if (children.empty()) {
            // No child left in /proc and none to reap: done. A child may be between
            // exit and re-parenting for a moment; look again shortly.
            if (::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    return killed;
}

}  // namespace psgw::sys
