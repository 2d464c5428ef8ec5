#include "agent/job_registry.hpp"

#include "agent/proc_info.hpp"
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

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status));
    return "stopped";
}

}  // namespace

JobRegistry::JobRegistry(const RelayLauncher& launcher, const StateStore& store)
    : launcher_(launcher), store_(store) {}

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

control::StartReply JobRegistry::start(const control::StartRequest& request) {
    if (auto it = jobs_.find(request.job); it != jobs_.end()) {
        Job& job = it->second;
        if (control::to_json(job.request) != control::to_json(request))
            throw RegistryError("psgw: job " + std::to_string(request.job) +
                                " already runs relays here with different parameters");
        bool all_alive = job.relays.size() == request.relays;
        for (auto& relay : job.relays) all_alive = relay->alive() && all_alive;
        if (all_alive) {
            spdlog::info("job {}: start repeated, returning its {} running relay(s)", request.job, job.relays.size());
            return reply_for(job);
        }
        // A relay died: the job's routing needs all of them, so start the set afresh.
        spdlog::warn("job {}: a relay died; restarting all of the job's relays", request.job);
        stop(request.job);
    }
    const sys::UserIdentity user = resolve_user(request);
    Job job{request, launcher_.launch(request, user)};
    try {
        save(job);
    } catch (const std::exception& e) {
        // Without a state file a restarted agent would lose these relays: refuse now.
        throw RegistryError(e.what());  // job.relays unwinds and stops them
    }
    for (const auto& relay : job.relays)
        spdlog::info("job {}: relay {} started as {} (uid {}), pid {}, port {}", request.job, relay->index(),
                     request.user, request.uid, relay->pid(), relay->port());
    const auto reply = reply_for(job);
    jobs_.emplace(request.job, std::move(job));
    return reply;
}

bool JobRegistry::stop(std::uint32_t job_id) {
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) {
        store_.remove(job_id);
        return false;
    }
    stop_relays(it->second.relays, kStopGrace);
    const unsigned count = static_cast<unsigned>(it->second.relays.size());
    jobs_.erase(it);  // owners are stopped already; their destructors find nothing to do
    store_.remove(job_id);
    launcher_.remove_job_files(job_id, count);
    spdlog::info("job {}: {} relay(s) stopped", job_id, count);
    return true;
}

nlohmann::json JobRegistry::list() {
    nlohmann::json jobs = nlohmann::json::array();
    for (auto& [id, job] : jobs_) {
        nlohmann::json relays = nlohmann::json::array();
        for (auto& relay : job.relays)
            relays.push_back({{"index", relay->index()},
                              {"port", relay->port()},
                              {"pid", relay->pid()},
                              {"alive", relay->alive()},
                              {"stats", read_stats(launcher_.stats_file(id, relay->index()))}});
        jobs.push_back({{"job", id},
                        {"user", job.request.user},
                        {"uid", job.request.uid},
                        {"gid", job.request.gid},
                        {"relays", relays}});
    }
    return {{"jobs", jobs}};
}

std::vector<std::uint32_t> JobRegistry::jobs() const {
    std::vector<std::uint32_t> out;
    for (const auto& [id, job] : jobs_) out.push_back(id);
    return out;
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
                    spdlog::warn("job {}: relay pid {} no longer runs; forgotten", job.request.job, relay.at("pid").get<int>());
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
                spdlog::warn("job {}: relay {} (pid {}) {}", id, relay->index(), pid, describe_status(status));
                return;
            }
}

void JobRegistry::detach_all() {
    for (auto& [id, job] : jobs_)
        for (auto& relay : job.relays) relay->release();
    jobs_.clear();
}

}  // namespace psgw::agent
