// Asks slurmctld whether the agent's jobs still exist, so relays of jobs whose
// epilogue never reached us do not linger. The query runs in a forked child:
// libslurm may block for its MessageTimeout or call fatal() on a bad slurm.conf,
// and neither may stall or kill the agent.
#pragma once

#include "slurm/job_info.hpp"
#include "sys/spawn.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace psgw::agent {

/// Runs one job query at a time in a child process and reports the answers.
class SlurmJobProbe {
public:
    /// Presence per job; a job the query did not answer for is kUnknown.
    using Result = std::map<std::uint32_t, slurm::JobPresence>;
    using Callback = std::function<void(const Result&)>;

    explicit SlurmJobProbe(boost::asio::io_context& io, std::chrono::seconds timeout);
    ~SlurmJobProbe();
    SlurmJobProbe(const SlurmJobProbe&) = delete;
    SlurmJobProbe& operator=(const SlurmJobProbe&) = delete;

    /// Starts a query for `jobs` unless one is still running; `done` runs on the io_context.
    void probe(const std::vector<std::uint32_t>& jobs, Callback done);
    /// Cancels a running query (kills the child).
    void cancel();

    /// Parses the child's output lines "JOB active|gone|unknown".
    static Result parse(const std::string& output, const std::vector<std::uint32_t>& jobs);

private:
    void finish();

    std::chrono::seconds timeout_;
    boost::asio::posix::stream_descriptor pipe_;
    boost::asio::steady_timer timer_;
    sys::Child child_;  ///< the running query
    std::string output_;
    std::vector<std::uint32_t> jobs_;
    Callback done_;
};

}  // namespace psgw::agent
