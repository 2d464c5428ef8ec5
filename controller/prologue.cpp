#include "prologue.hpp"

#include "agent_calls.hpp"
#include "config/fabric_map.hpp"
#include "config/psgw_config.hpp"
#include "deadline.hpp"
#include "failure_report.hpp"
#include "gateway_pool.hpp"
#include "incarnation.hpp"
#include "logging.hpp"
#include "node_classifier.hpp"
#include "posix/host_port.hpp"
#include "relay_environment.hpp"
#include "reservation_ledger.hpp"
#include "route/gateway_table.hpp"
#include "route_output.hpp"
#include "routing_paths.hpp"
#include "slurm/hostlist.hpp"
#include "slurm/job_info.hpp"
#include "slurm/node_info.hpp"
#include "user_stat.hpp"

#include <psgw/contract.hpp>
#include <psgw/error.hpp>

#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace psgw::controller {

namespace {

std::vector<std::string> env_list(const EnvMap& env) {
    std::vector<std::string> out;
    for (const auto& [name, value] : env) out.push_back(name + "=" + value);
    return out;
}

// One prologue run: what has been done so far decides what the failure path undoes.
class PrologueRun {
public:
    PrologueRun(const EnvMap& env, std::string_view config_path) : env_(env), config_path_(config_path) {}

    int run() {
        try {
            execute();
            return 0;
        } catch (const std::exception& error) {
            return fail(error.what());
        }
    }

private:
    // Each step says whether its failure is the job's own (a retry cannot help: its
    // options, nodes, plugin or files) or the site's state (no gateway free, an agent
    // down, a timeout: a retry may). psgw_error holds or retries the job accordingly.
    void execute() {
        kind_ = FailureKind::kPermanent;
        job_ = read_job_environment(env_);
        user_ = sys::UserIdentity{job_->uid, job_->gid, job_->user, {}};
        if (job_->uid == 0) {
            throw psgw::Error(
                "psgw: gateway jobs of root are refused: relays and route plugins never run as root");
        }
        kind_ = FailureKind::kTransient;
        home_ = home_directory(job_->uid);
        user_->home = home_;  // route plugins run in $HOME, as psroute.py's did
        config_ = config::load(config::resolve_path(config_path_));
        const Deadline deadline(config_->timeout_prologue);
        const auto& options = job_->options;
        spdlog::info("{} gateway(s) requested for nodes {}", options.num, job_->nodelist);

        auto job_nodes = slurm::expand_hostlist(job_->nodelist);
        auto nodes = slurm::load_nodes();
        auto fabric = config::FabricMap::load(config_->fabric_addresses);
        kind_ = FailureKind::kPermanent;
        auto split = classify_nodes(job_nodes, nodes, *config_, fabric);
        kind_ = FailureKind::kTransient;

        std::vector<std::string> skipped;
        auto pool = usable_gateways(*config_, nodes, &skipped);
        if (!skipped.empty()) spdlog::info("gateway nodes not usable: {}", fmt::join(skipped, ", "));

        ledger_.emplace(config_->state_dir);
        ReservationLedger::Reservation reservation;
        try {
            reservation =
                ledger_->reserve(job_->job_id, options.num, pool, slurm::job_presence, incarnation_);
        } catch (const NotEnoughGateways& error) {
            // Tell the user why the pool is smaller than the site's gateway count.
            if (skipped.empty()) throw;
            throw NotEnoughGateways(
                fmt::format("{}; not usable: {}", error.what(), fmt::join(skipped, ", ")));
        }
        reserved_ = true;
        for (const auto& name : reservation.gateways) {
            for (const auto& c : pool) {
                if (c.name == name)
                    targets_.push_back(
                        {name, {c.agent_host, c.agent_port, config_->munge_socket.string()}, incarnation_});
            }
        }
        spdlog::info("reserved {}{}", fmt::join(reservation.gateways, ","),
                     reservation.reused ? " (already held by this job)" : "");
        stop_reclaimed(reservation.reclaimed);
        check(deadline, "reserving gateways");

        control::StartRequest request;
        request.job = job_->job_id;
        request.user = job_->user;
        request.uid = job_->uid;
        request.gid = job_->gid;
        request.relays = options.per_node;
        request.env = relay_environment(config_->gateway_env, options);
        request.debug = options.debug;
        request.binary = options.binary;
        request.cwd = error_directory(*job_, home_).string();
        request.cluster_peers = split.a_addresses();
        request.booster_peers = split.b_addresses();
        request.incarnation = incarnation_;
        auto outcome = start_on_all(targets_, request, deadline.cap(config_->timeout_agent));
        if (!outcome.errors.empty()) {
            throw psgw::Error(
                fmt::format("psgw: starting relays failed on {}", fmt::join(outcome.errors, "; ")));
        }
        check(deadline, "starting relays");

        RouteJob route;
        route.job = job_->job_id;
        route.split = split;
        for (const auto& started : outcome.started) {
            const auto& reply = started.reply;
            if (reply.cluster_addr.empty() || reply.booster_addr.empty() || reply.relays.empty()) {
                throw psgw::Error("psgw: agent on " + started.target.name + " reported no relay addresses");
            }
            for (const auto& relay : reply.relays) {
                route.relay_endpoints.push_back(posix::format_host_port(reply.cluster_addr, relay.port));
            }
            route.gateway_addresses.emplace_back(reply.cluster_addr, reply.booster_addr);
        }
        kind_ = FailureKind::kPermanent;  // the job's plugin, paths and directory from here on
        route.route_file = routing_file_path(options, job_->job_id, config_->default_route_prefix, home_);
        route.plugin = options.plugin.empty() ? config_->default_route_plugin : options.plugin;
        route.user = *user_;
        route.home = home_;
        route.debug = options.debug;
        write_routing_files(*config_, route, deadline.cap(config_->timeout_route_script));

        // Remember exactly which files we created, so --gw_cleanup removes only those.
        auto map_path = gateway_map_path(route.route_file);
        auto route_id = stat_as_user(route.route_file, user_);
        auto map_id = stat_as_user(map_path, user_);
        if (route_id && map_id) {
            ledger_->record_files(job_->job_id, {route.route_file.string(), route_id->dev, route_id->ino},
                                  {map_path.string(), map_id->dev, map_id->ino});
        } else {
            spdlog::warn("cannot stat {} as {}: --gw_cleanup will leave it", route.route_file.string(),
                         job_->user);
        }
        kind_ = FailureKind::kTransient;
        check(deadline, "writing the routing file");
        spdlog::info("gateways {} ready ({} relay(s)); routing file {}", fmt::join(reservation.gateways, ","),
                     route.relay_endpoints.size(), route.route_file.string());
    }

    void check(const Deadline& deadline, const char* step) const {
        if (deadline.expired()) {
            throw psgw::Error("psgw: TIMEOUT_PROLOGUE=" + std::to_string(config_->timeout_prologue.count()) +
                              " s exceeded while " + step);
        }
    }

    // Relays of jobs whose epilogue was lost: stop them, best effort.
    void stop_reclaimed(const std::vector<ReservationLedger::Reclaimed>& reclaimed) const {
        std::map<std::uint32_t, std::vector<GatewayTarget>> by_job;
        for (const auto& r : reclaimed) {
            spdlog::info("reclaimed {} from job {} (gone according to slurmctld)", r.gateway, r.entry.job);
            by_job[r.entry.job].push_back(
                {r.gateway,
                 {r.entry.agent_host, r.entry.agent_port, config_->munge_socket.string()},
                 r.entry.incarnation});
        }
        for (const auto& [job, targets] : by_job) {
            for (const auto& error : stop_on_all(targets, job, config_->timeout_agent)) {
                spdlog::warn("stopping stale relays of job {}: {}", job, error);
            }
        }
    }

    int fail(const std::string& reason) {
        const std::uint32_t job_id = job_ ? job_->job_id : 0;
        spdlog::error("{} [{}]", reason, failure_kind_name(kind_));
        if (job_ && user_ && !home_.empty() && !job_->options.quiet) {
            auto err_file = error_file_path(error_directory(*job_, home_), job_id);
            try {
                append_error_file(
                    err_file, error_line(job_id, reason, kind_, std::chrono::system_clock::now()), *user_);
            } catch (const std::exception& error) {
                spdlog::warn("cannot write {}: {}", err_file.string(), error.what());
            }
        }
        if (reserved_ && config_) {
            for (const auto& error : stop_on_all(targets_, job_id, config_->timeout_agent)) {
                spdlog::warn("stopping relays: {}", error);
            }
            try {
                ledger_->release(job_id);
            } catch (const std::exception& error) {
                spdlog::error("releasing the reservation: {}", error.what());
            }
        }
        if (config_) {
            spdlog::info("{}", run_psgw_error(config_->psgw_error, env_list(env_), reason, kind_,
                                              config_->timeout_pe_grace));
        }
        return 1;
    }

    const EnvMap& env_;
    std::string_view config_path_;
    std::optional<JobEnvironment> job_;
    std::optional<sys::UserIdentity> user_;
    std::string home_;
    std::optional<config::Config> config_;
    std::optional<ReservationLedger> ledger_;
    bool reserved_ = false;
    FailureKind kind_ = FailureKind::kPermanent;
    std::vector<GatewayTarget> targets_;
    /// This run's nonce: stops of earlier runs of the (requeued) job id cannot touch its relays.
    std::uint64_t incarnation_ = new_incarnation();
};

}  // namespace

bool concerns_psgw(const EnvMap& env) {
    if (!wants_gateways(env)) return false;
    auto offset = het_offset(env);
    return !offset || *offset == 0;
}

int run_prologue(const EnvMap& env, std::string_view config_path) {
    std::uint32_t job_id = 0;
    try {
        if (!concerns_psgw(env)) return 0;
        auto it = env.find("SLURM_JOB_ID");
        if (it != env.end()) job_id = static_cast<std::uint32_t>(std::stoul(it->second));
    } catch (const std::exception&) {
        // Reported by PrologueRun, which re-reads the environment strictly.
    }
    setup_logging("psgw-prologue", job_id);
    return PrologueRun(env, config_path).run();
}

}  // namespace psgw::controller
