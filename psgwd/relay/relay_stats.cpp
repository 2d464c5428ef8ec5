#include "relay/relay_stats.hpp"

#include "sys/user_files.hpp"

#include <optional>

namespace psgw::relay {

namespace {

// Stable JSON keys for the refusal reasons (RelayStatus order).
constexpr const char* kReasonKeys[] = {
    "ok",
    "bad_version",
    "malformed",
    "source_not_in_job",
    "dest_not_in_job",
    "connect_refused",
    "connect_timeout",
    "unreachable",
    "overloaded",
};

}  // namespace

void RelayStats::on_refused(contract::RelayStatus status) {
    const auto index = static_cast<std::size_t>(status);
    if (index < kStatuses) ++refused_[index];
}

nlohmann::json RelayStats::to_json() const {
    nlohmann::json refused = nlohmann::json::object();
    for (std::size_t i = 1; i < kStatuses; ++i) refused[kReasonKeys[i]] = refused_[i];
    return {
        {"job", job_},
        {"port", port_},
        {"connections_total", connections_total_},
        {"connections_active", connections_active_},
        {"connections_relayed", connections_relayed_},
        {"refused", refused},
        {"bytes_cluster_to_booster", bytes_cluster_to_booster_},
        {"bytes_booster_to_cluster", bytes_booster_to_cluster_},
        {"max_connections", {{"configured", max_configured_}, {"effective", max_effective_}}},
        {"pipe_size",
         {{"configured", pipe_configured_},
          {"planned", pipe_planned_},
          {"granted_min", pipe_min_},
          {"granted_max", pipe_max_}}},
    };
}

void RelayStats::write_file(const std::string& path) const {
    sys::write_file_atomically(path, to_json().dump() + "\n", std::nullopt, 0644);
}

}  // namespace psgw::relay
