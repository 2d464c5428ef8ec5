#include "agent/job_registry.hpp"

#include "agent/proc_info.hpp"
#include "agent/relay_stop.hpp"
#include "control/control_message.hpp"
#include "posix/passwd_lookup.hpp"
#include "sys/unique_fd.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace psgw::agent {
namespace {

constexpr std::size_t kMaxStatsSize = 64 * 1024;

/// The relay's stats file as JSON, or null. Read without following symlinks: the
/// directory belongs to the job user.
nlohmann::json read_stats(const std::filesystem::path& path) {
    sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd) return nullptr;
    std::string text(kMaxStatsSize, '\0');
    const ssize_t n = ::read(fd.get(), text.data(), text.size());
    if (n <= 0) return nullptr;
    text.resize(static_cast<std::size_t>(n));
    nlohmann::json stats = nlohmann::json::parse(text, nullptr, false);
    return stats.is_discarded() ? nlohmann::json() : stats;
}

/// The job user, checked against the passwd database (the name must match the uid).
sys::UserIdentity resolve_user(const control::StartRequest& request) {
    const auto found = posix::find_user(request.user);
    if (!found) throw RegistryError("psgw: unknown user '" + request.user + "' on this gateway");
    if (found->uid != request.uid)
        throw RegistryError("psgw: user '" + request.user + "' has uid " + std::to_string(found->uid) +
                            " here, request says " + std::to_string(request.uid));
    return sys::UserIdentity{request.uid, request.gid, request.user, {}};
}

/// Equal apart from the incarnation.
bool same_parameters(const control::StartRequest& running, control::StartRequest request) {
    request.incarnation = running.incarnation;
    return control::to_json(running) == control::to_json(request);
}

/// Both known and different: `request` comes from a later prologue run of the requeued job.
bool supersedes(const control::StartRequest& running, const control::StartRequest& request) {
    return running.incarnation != 0 && request.incarnation != 0 && running.incarnation != request.incarnation;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status));
    return "stopped";
}

}  // namespace

JobRegistry::JobRegistry(const boost::asio::any_io_executor& executor, const RelayLauncher& launcher,
                         const StateStore& store)
    : executor_(executor), launcher_(launcher), store_(store) {}

control::StartReply JobRegistry::reply_for(const Job& job) const {
    control::StartReply reply;
    reply.cluster_addr = launcher_.settings().cluster_addr;
    reply.booster_addr = launcher_.settings().booster_addr;
    for (const auto& relay : job.relays) reply.relays.push_back({relay->port(), relay->pid()});
    return reply;
}

void JobRegistry::save(const Job& job) const {
    nlohmann::json relays = nlohmann::json::array();
    for (const auto& relay : job.relays)
        relays.push_back({{"index", relay->index()},
                          {"pid", relay->pid()},
                          {"port", relay->port()},
                          {"start_time", relay->start_time()}});
    store_.save(job.request.job, {{"request", control::to_json(job.request)}, {"relays", relays}});
}

void JobRegistry::start(const control::StartRequest& request, StartDone done) {
    auto it = jobs_.find(request.job);
    if (it == jobs_.end()) return launch(request, std::move(done));
    Job& job = it->second;
    if (supersedes(job.request, request)) {
        spdlog::warn(
            "job {}: start of incarnation {} replaces the relays of incarnation {} "
            "(the job was requeued and restarted)",
            request.job, request.incarnation, job.request.incarnation);
        job.after_stop.emplace_back(request, std::move(done));
        switch (job.state) {
            case State::kStarting:
                job.launch->cancel("psgw: job " + std::to_string(request.job) +
                                   ": start superseded by a newer incarnation");
                return;
            case State::kStopping:
                return;
            case State::kRunning:
                begin_stop(request.job);
                return;
        }
    }
    const bool same = same_parameters(job.request, request);
    switch (job.state) {
        case State::kStarting:
            if (!same)
                return done(std::nullopt, "psgw: job " + std::to_string(request.job) +
                                              " is being started here with different parameters");
            spdlog::info("job {}: start repeated while starting; it gets the same answer", request.job);
            job.start_waiters.push_back(std::move(done));
            return;
        case State::kStopping:
            // Once the stop is over, this start begins afresh.
            job.after_stop.emplace_back(request, std::move(done));
            return;
        case State::kRunning:
            break;
    }
    if (!same)
        return done(std::nullopt, "psgw: job " + std::to_string(request.job) +
                                      " already runs relays here with different parameters");
    bool all_alive = job.relays.size() == request.relays;
    for (auto& relay : job.relays) all_alive = relay->alive() && all_alive;
    if (all_alive) {
        spdlog::info("job {}: start repeated, returning its {} running relay(s)", request.job,
                     job.relays.size());
        return done(reply_for(job), {});
    }
    // A relay died: the job's routing needs all of them, so start the set afresh.
    spdlog::warn("job {}: a relay died; restarting all of the job's relays", request.job);
    job.after_stop.emplace_back(request, std::move(done));
    begin_stop(request.job);
}

void JobRegistry::launch(const control::StartRequest& request, StartDone done) {
    sys::UserIdentity user;
    try {
        user = resolve_user(request);
    } catch (const std::exception& e) {
        return done(std::nullopt, e.what());
    }
    const std::uint32_t id = request.job;
    Job& job = jobs_[id];
    job.request = request;
    job.state = State::kStarting;
    job.sequence = ++last_start_;
    job.start_waiters.push_back(std::move(done));
    job.launch = std::make_shared<RelayStart>(
        executor_, launcher_, request, user,
        [this, id](std::vector<std::unique_ptr<RelayProcess>> relays, const std::string& error) {
            on_launched(id, std::move(relays), error);
        });
    job.launch->start();
}

void JobRegistry::on_launched(std::uint32_t id, std::vector<std::unique_ptr<RelayProcess>> relays,
                              const std::string& error) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;  // cannot happen: a starting job is only erased here
    Job& job = it->second;
    job.launch.reset();
    if (!error.empty()) {
        // The launch stopped what it had started already.
        Job failed = std::move(job);
        jobs_.erase(it);
        // The user-owned job directory must not outlive the failure: a later job with this
        // id (another user) would inherit it.
        store_.remove(id);
        launcher_.remove_job_files(id, failed.request.relays);
        for (auto& waiter : failed.start_waiters) waiter(std::nullopt, error);
        if (!failed.stop_waiters.empty()) {
            spdlog::info("job {}: start cancelled by a stop; no relay left running", id);
            for (auto& waiter : failed.stop_waiters) waiter({});
        }
        for (auto& [request, done] : failed.after_stop) start(request, std::move(done));
        return;
    }
    job.relays = std::move(relays);
    try {
        save(job);
    } catch (const std::exception& e) {
        // Without a state file a restarted agent would lose these relays: refuse now.
        job.start_error = e.what();
        begin_stop(id);
        return;
    }
    job.state = State::kRunning;
    for (const auto& relay : job.relays)
        spdlog::info("job {}: relay {} started as {} (uid {}), pid {}, port {}", id, relay->index(),
                     job.request.user, job.request.uid, relay->pid(), relay->port());
    const auto reply = reply_for(job);
    auto waiters = std::move(job.start_waiters);
    job.start_waiters.clear();
    for (auto& waiter : waiters) waiter(reply, {});
}

void JobRegistry::stop(std::uint32_t job_id, std::uint64_t incarnation, StopDone done) {
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) {
        store_.remove(job_id);
        return done({});
    }
    Job& job = it->second;
    // Starts queued behind an earlier stop came before this stop: it overrides those of
    // its incarnation.
    std::vector<StartDone> cancelled;
    auto& queued = job.after_stop;
    for (auto q = queued.begin(); q != queued.end();) {
        if (!control::incarnation_matches(q->first.incarnation, incarnation)) {
            ++q;
            continue;
        }
        cancelled.push_back(std::move(q->second));
        q = queued.erase(q);
    }
    // Called last: `job` may be gone once a waiter has run.
    auto refuse_cancelled = [&cancelled, job_id] {
        for (auto& waiter : cancelled)
            waiter(std::nullopt,
                   "psgw: job " + std::to_string(job_id) + " was stopped before its start began");
    };
    if (!control::incarnation_matches(job.request.incarnation, incarnation)) {
        spdlog::warn("job {}: stop for incarnation {} ignored: its relays were started by incarnation {}",
                     job_id, incarnation, job.request.incarnation);
        refuse_cancelled();
        return done({0, cancelled.empty()});
    }
    job.stop_waiters.push_back(std::move(done));
    switch (job.state) {
        case State::kStarting:
            spdlog::info("job {}: stop during its start: cancelling the start", job_id);
            job.launch->cancel("psgw: job " + std::to_string(job_id) + ": start cancelled by a stop request");
            break;
        case State::kStopping:
            break;
        case State::kRunning:
            begin_stop(job_id);
            break;
    }
    refuse_cancelled();
}

bool JobRegistry::stop_if_started_by(std::uint32_t job_id, std::uint64_t sequence) {
    auto it = jobs_.find(job_id);
    if (it == jobs_.end() || it->second.state != State::kRunning || it->second.sequence > sequence)
        return false;
    stop(job_id, it->second.request.incarnation, [](const StopResult&) {});
    return true;
}

void JobRegistry::begin_stop(std::uint32_t id) {
    Job& job = jobs_.at(id);
    job.state = State::kStopping;
    const auto count = static_cast<unsigned>(job.relays.size());
    stop_relays_async(executor_, std::move(job.relays), kStopGrace,
                      [this, id, count] { on_stopped(id, count); });
    job.relays.clear();
}

void JobRegistry::on_stopped(std::uint32_t id, unsigned count) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    Job job = std::move(it->second);
    jobs_.erase(it);
    store_.remove(id);
    launcher_.remove_job_files(id, count);
    spdlog::info("job {}: {} relay(s) stopped", id, count);
    for (auto& waiter : job.start_waiters) waiter(std::nullopt, job.start_error);
    for (auto& waiter : job.stop_waiters) waiter({count, false});
    for (auto& [request, done] : job.after_stop) start(request, std::move(done));
}

nlohmann::json JobRegistry::list() {
    nlohmann::json jobs = nlohmann::json::array();
    for (auto& [id, job] : jobs_) {
        static constexpr const char* kStateNames[] = {"starting", "running", "stopping"};
        nlohmann::json relays = nlohmann::json::array();
        for (auto& relay : job.relays)
            relays.push_back({{"index", relay->index()},
                              {"port", relay->port()},
                              {"pid", relay->pid()},
                              {"alive", relay->alive()},
                              {"stats", read_stats(launcher_.stats_file(id, relay->index()))}});
        jobs.push_back({{"job", id},
                        {"incarnation", job.request.incarnation},
                        {"user", job.request.user},
                        {"uid", job.request.uid},
                        {"gid", job.request.gid},
                        {"state", kStateNames[static_cast<int>(job.state)]},
                        {"relays", relays}});
    }
    return {{"jobs", jobs}};
}

std::vector<std::uint32_t> JobRegistry::jobs() const {
    std::vector<std::uint32_t> out;
    for (const auto& [id, job] : jobs_)
        if (job.state == State::kRunning) out.push_back(id);
    return out;
}

bool JobRegistry::running(std::uint32_t job) const {
    auto it = jobs_.find(job);
    return it != jobs_.end() && it->second.state == State::kRunning;
}

std::size_t JobRegistry::restore() {
    std::size_t adopted = 0;
    for (auto& [path, record] : store_.load_all()) {
        Job job;
        try {
            const nlohmann::json& request_json = record.at("request");
            const auto request = control::parse_request(request_json.dump());
            job.request = std::get<control::StartRequest>(request);
            for (const auto& relay : record.at("relays")) {
                auto process = std::make_unique<RelayProcess>(relay.at("pid").get<pid_t>(),
                                                              relay.at("start_time").get<std::uint64_t>(),
                                                              false, relay.at("index").get<unsigned>());
                process->set_port(relay.at("port").get<std::uint16_t>());
                if (process->alive()) {
                    job.relays.push_back(std::move(process));
                } else {
                    process->release();  // gone (or its pid reused): nothing to stop
                    spdlog::warn("job {}: relay pid {} no longer runs; forgotten", job.request.job,
                                 relay.at("pid").get<int>());
                }
            }
        } catch (const std::exception& e) {
            spdlog::error("state file {} unusable, ignored: {}", path.string(), e.what());
            for (auto& relay : job.relays) relay->release();
            std::filesystem::remove(path);
            continue;
        }
        const auto id = job.request.job;
        if (job.relays.empty()) {
            store_.remove(id);
            launcher_.remove_job_files(id, job.request.relays);
            continue;
        }
        job.sequence = ++last_start_;
        adopted += job.relays.size();
        spdlog::info("job {}: adopted {} running relay(s)", id, job.relays.size());
        save(job);
        jobs_.emplace(id, std::move(job));
    }
    return adopted;
}

void JobRegistry::on_child_exit(pid_t pid, int status) {
    for (auto& [id, job] : jobs_)
        for (auto& relay : job.relays)
            if (relay->pid() == pid) {
                relay->mark_exited();
                spdlog::warn("job {}: relay {} (pid {}) {}", id, relay->index(), pid,
                             describe_status(status));
                return;
            }
}

void JobRegistry::cancel_starts() {
    // Copied first: a cancel never calls back synchronously, but stay safe if it did.
    std::vector<std::shared_ptr<RelayStart>> launches;
    for (auto& [id, job] : jobs_)
        if (job.launch) launches.push_back(job.launch);
    for (auto& launch : launches) launch->cancel("psgw: start cancelled: the agent is stopping");
}

void JobRegistry::detach_all() {
    for (auto& [id, job] : jobs_)
        for (auto& relay : job.relays) relay->release();
    jobs_.clear();
}

}  // namespace psgw::agent
