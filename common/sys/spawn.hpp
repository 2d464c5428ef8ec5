// The one place that forks: a child with a clean signal state, its own process
// group or session, exactly the descriptors asked for, optionally the job user's
// identity, then either execve or a callable. Every other fork in psgw uses this.
#pragma once

#include "sys/unique_fd.hpp"
#include "sys/user_identity.hpp"

#include <sys/types.h>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace psgw::sys {

/// One descriptor of the child's layout.
struct ChildFd {
    enum class Kind {
        kInput,   ///< child reads; the parent gets the write end (a socket: MSG_NOSIGNAL-safe)
        kOutput,  ///< child writes; the parent gets the read end of a pipe
        kShare,   ///< the parent's `source` descriptor (the parent keeps its own)
        kAlias,   ///< the same descriptor as the child's fd `source` (e.g. stderr = stdout)
    };
    int target;  ///< the descriptor number in the child
    Kind kind;
    int source = -1;

    static ChildFd input(int target) { return {target, Kind::kInput}; }
    static ChildFd output(int target) { return {target, Kind::kOutput}; }
    static ChildFd share(int target, int parent_fd) { return {target, Kind::kShare, parent_fd}; }
    static ChildFd alias(int target, int child_fd) { return {target, Kind::kAlias, child_fd}; }
};

/// How the child is set up between fork and exec (or the callable).
struct SpawnOptions {
    std::vector<ChildFd> fds;              ///< the child's descriptors; every other one is closed
    bool new_session = false;              ///< setsid(); else a new process group (setpgid)
    bool kill_with_parent = false;         ///< PR_SET_PDEATHSIG SIGKILL (set after the drop)
    std::optional<UserIdentity> as_user;   ///< drop_privileges() to this user
    bool require_no_capabilities = false;  ///< after the drop: fail unless no capability remains
    std::string working_dir;               ///< chdir after the drop; empty: "/"
    /// Runs in the child last, just before exec (as the user); for per-child
    /// descriptor tweaks. Only syscalls; a throw fails the start.
    std::function<void()> before_exec;
};

/// A forked child, owned: destroying the handle while the child runs kills its whole
/// group (SIGKILL) and reaps it, unless release() was called.
class Child {
public:
    Child() = default;
    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child();

    pid_t pid() const { return pid_; }
    /// A pidfd (pidfd_open): readable once the child has exited.
    const UniqueFd& pidfd() const { return pidfd_; }
    /// The parent end of the pipe at child fd `target` (kInput/kOutput), once.
    UniqueFd take_fd(int target);

    /// Reaps the child if it has exited: its exit code (128+signal), else nullopt.
    /// A child reaped elsewhere (a SIGCHLD handler) counts as exited with -1.
    std::optional<int> try_wait();
    /// Blocks until the child exits; its exit code (128+signal, -1 if reaped elsewhere).
    int wait();
    /// Sends `signal` to the child's process group while it is not reaped.
    void signal_group(int signal);
    /// Gives up ownership: the child keeps running and someone else reaps it.
    void release();
    /// True while the handle owns an unreaped child.
    bool owns() const { return pid_ > 0; }

private:
    friend struct ChildAccess;  // spawn.cpp fills in a freshly forked child
    void kill_and_reap();

    pid_t pid_ = -1;
    UniqueFd pidfd_;
    std::map<int, UniqueFd> parent_ends_;
};

/// Forks and execs argv[0] (absolute path, no PATH search) with exactly `env`.
/// Waits only for the exec itself: a setup or exec failure in the child is thrown
/// here as std::system_error carrying the child's one-line reason.
Child spawn_exec(const SpawnOptions& options, const std::vector<std::string>& argv,
                 const std::vector<std::string>& env);

/// Forks and runs `body` in the child, which then _exits with its result (127 if it
/// throws). Setup failures (before `body`) are thrown here as std::system_error.
Child spawn_call(const SpawnOptions& options, const std::function<int()>& body);

}  // namespace psgw::sys
