#include "agent/slurm_job_probe.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/streambuf.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <sys/prctl.h>
#include <unistd.h>

namespace psgw::agent {

SlurmJobProbe::SlurmJobProbe(boost::asio::io_context& io, std::chrono::seconds timeout)
    : io_(io), timeout_(timeout), pipe_(io), timer_(io) {}

SlurmJobProbe::~SlurmJobProbe() { cancel(); }

void SlurmJobProbe::cancel() {
    if (child_ > 0) ::kill(child_, SIGKILL);  // the agent's SIGCHLD handler reaps it
    child_ = -1;
    boost::system::error_code ignored;
    pipe_.close(ignored);
    timer_.cancel();
}

SlurmJobProbe::Result SlurmJobProbe::parse(const std::string& output, const std::vector<std::uint32_t>& jobs) {
    Result result;
    for (auto job : jobs) result[job] = slurm::JobPresence::kUnknown;
    std::istringstream lines(output);
    std::uint32_t job = 0;
    std::string word;
    while (lines >> job >> word) {
        auto it = result.find(job);
        if (it == result.end()) continue;
        if (word == "active") it->second = slurm::JobPresence::kActive;
        if (word == "gone") it->second = slurm::JobPresence::kGone;
    }
    return result;
}

void SlurmJobProbe::probe(const std::vector<std::uint32_t>& jobs, Callback done) {
    if (child_ > 0 || jobs.empty()) return;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    // Block signals across fork: the child must not run asio's handlers (they write
    // to a pipe shared with the agent) before it has reset them.
    sigset_t all;
    sigset_t saved;
    sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, &saved);
    const pid_t pid = ::fork();
    if (pid == 0) {
        for (int sig : {SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGALRM}) ::signal(sig, SIG_DFL);
        ::sigprocmask(SIG_SETMASK, &saved, nullptr);
        // libslurm may wait forever (e.g. for a missing slurm.conf): never outlive the
        // agent, nor the query's deadline.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::alarm(static_cast<unsigned>(timeout_.count()) + 1);
        // Keep only stdio and the pipe: the child must not hold the agent's sockets.
        ::close(fds[0]);
        if (fds[1] > 3) ::close_range(3, static_cast<unsigned>(fds[1]) - 1, 0);
        ::close_range(static_cast<unsigned>(fds[1]) + 1, ~0U, 0);
        for (auto job : jobs) {
            const std::string line = std::to_string(job) + " " + std::string(slurm::to_string(slurm::job_presence(job))) + "\n";
            if (::write(fds[1], line.data(), line.size()) < 0) break;
        }
        ::_exit(0);
    }
    ::sigprocmask(SIG_SETMASK, &saved, nullptr);
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        return;
    }
    child_ = pid;
    jobs_ = jobs;
    done_ = std::move(done);
    output_.clear();
    pipe_.assign(fds[0]);
    timer_.expires_after(timeout_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && child_ > 0) ::kill(child_, SIGKILL);  // EOF on the pipe follows
    });
    boost::asio::async_read(pipe_, boost::asio::dynamic_buffer(output_),
                            [this](const boost::system::error_code&, std::size_t) { finish(); });
}

void SlurmJobProbe::finish() {
    if (child_ <= 0) return;  // cancelled
    child_ = -1;
    timer_.cancel();
    boost::system::error_code ignored;
    pipe_.close(ignored);
    if (done_) done_(parse(output_, jobs_));
}

}  // namespace psgw::agent
