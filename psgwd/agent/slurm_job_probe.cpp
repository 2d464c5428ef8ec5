#include "agent/slurm_job_probe.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/streambuf.hpp>

#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

#include <spdlog/spdlog.h>

namespace psgw::agent {

SlurmJobProbe::SlurmJobProbe(boost::asio::io_context& io, std::chrono::seconds timeout)
    : timeout_(timeout), pipe_(io), timer_(io) {}

SlurmJobProbe::~SlurmJobProbe() { cancel(); }

void SlurmJobProbe::cancel() {
    child_ = sys::Child();  // kills the query's group and reaps it
    boost::system::error_code ignored;
    pipe_.close(ignored);
    timer_.cancel();
}

SlurmJobProbe::Result SlurmJobProbe::parse(const std::string& output,
                                           const std::vector<std::uint32_t>& jobs) {
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
    if (child_.owns() || jobs.empty()) return;
    constexpr int kOutputFd = 3;
    sys::SpawnOptions options;
    // stdio stays (libslurm's own messages); the agent's sockets do not.
    options.fds = {sys::ChildFd::share(0, 0), sys::ChildFd::share(1, 1), sys::ChildFd::share(2, 2),
                   sys::ChildFd::output(kOutputFd)};
    // libslurm may wait forever (e.g. for a missing slurm.conf): never outlive the
    // agent, nor the query's deadline.
    options.kill_with_parent = true;
    const unsigned alarm_seconds = static_cast<unsigned>(timeout_.count()) + 1;
    try {
        child_ = sys::spawn_call(options, [&jobs, alarm_seconds] {
            ::alarm(alarm_seconds);
            for (auto job : jobs) {
                const std::string line = std::to_string(job) + " " +
                                         std::string(slurm::to_string(slurm::job_presence(job))) + "\n";
                if (::write(kOutputFd, line.data(), line.size()) < 0) break;
            }
            return 0;
        });
    } catch (const std::exception& e) {
        spdlog::warn("cannot start the Slurm job query: {}", e.what());
        return;
    }
    jobs_ = jobs;
    done_ = std::move(done);
    output_.clear();
    pipe_.assign(child_.take_fd(kOutputFd).release());
    timer_.expires_after(timeout_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) child_.signal_group(SIGKILL);  // EOF on the pipe follows
    });
    boost::asio::async_read(pipe_, boost::asio::dynamic_buffer(output_),
                            [this](const boost::system::error_code&, std::size_t) { finish(); });
}

void SlurmJobProbe::finish() {
    if (!child_.owns()) return;  // cancelled
    child_.release();            // done writing: the agent's SIGCHLD handler reaps it
    timer_.cancel();
    boost::system::error_code ignored;
    pipe_.close(ignored);
    if (done_) done_(parse(output_, jobs_));
}

}  // namespace psgw::agent
