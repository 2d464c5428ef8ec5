#include "reservation_ledger.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace psgw::controller {

namespace {

using Entries = std::map<std::string, LedgerEntry>;

nlohmann::json to_json(const FileRecord& file) {
    return {{"path", file.path}, {"dev", file.dev}, {"ino", file.ino}};
}

FileRecord file_from_json(const nlohmann::json& j) {
    FileRecord file;
    if (!j.is_object()) return file;
    file.path = j.value("path", "");
    file.dev = j.value("dev", std::uint64_t{0});
    file.ino = j.value("ino", std::uint64_t{0});
    return file;
}

Entries decode(const nlohmann::json& document) {
    Entries entries;
    try {
        for (const auto& [gateway, j] : document.at("gateways").items()) {
            LedgerEntry e;
            e.job = j.at("job").get<std::uint32_t>();
            e.since = j.value("since", std::int64_t{0});
            e.agent_host = j.value("agent", "");
            e.agent_port = j.value("agent_port", std::uint16_t{0});
            e.route_file = file_from_json(j.value("route_file", nlohmann::json::object()));
            e.map_file = file_from_json(j.value("map_file", nlohmann::json::object()));
            e.created_by_psgw = j.value("created_by_psgw", false);
            e.incarnation = j.value("incarnation", std::uint64_t{0});
            entries.emplace(gateway, std::move(e));
        }
    } catch (const nlohmann::json::exception& error) {
        throw LedgerError(std::string("psgw: ledger entry is malformed: ") + error.what());
    }
    return entries;
}

nlohmann::json encode(const Entries& entries) {
    nlohmann::json gateways = nlohmann::json::object();
    for (const auto& [gateway, e] : entries) {
        gateways[gateway] = {{"job", e.job},
                             {"since", e.since},
                             {"agent", e.agent_host},
                             {"agent_port", e.agent_port},
                             {"route_file", to_json(e.route_file)},
                             {"map_file", to_json(e.map_file)},
                             {"created_by_psgw", e.created_by_psgw},
                             {"incarnation", e.incarnation}};
    }
    return {{"version", 1}, {"gateways", gateways}};
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

ReservationLedger::ReservationLedger(std::filesystem::path state_dir) : state_dir_(std::move(state_dir)) {}

ReservationLedger::Reservation ReservationLedger::reserve(std::uint32_t job, unsigned count,
                                                          const std::vector<GatewayCandidate>& eligible,
                                                          const PresenceFn& presence,
                                                          std::uint64_t incarnation) {
    LedgerStore store(state_dir_);
    Entries entries = decode(store.read());
    Reservation result;

    // Reconcile: one question per other job, under the lock so that no concurrent
    // prologue can reserve between our check and our write.
    std::map<std::uint32_t, slurm::JobPresence> asked;
    for (auto it = entries.begin(); it != entries.end();) {
        const auto holder = it->second.job;
        if (holder != job) {
            auto known = asked.find(holder);
            if (known == asked.end()) known = asked.emplace(holder, presence(holder)).first;
            if (known->second == slurm::JobPresence::kGone) {
                result.reclaimed.push_back({it->first, it->second});
                it = entries.erase(it);
                continue;
            }
        }
        ++it;
    }

    // Idempotent re-run: keep what the job holds if it is still exactly right.
    std::set<std::string> eligible_names;
    for (const auto& c : eligible) eligible_names.insert(c.name);
    std::vector<std::string> held;
    for (const auto& [gateway, e] : entries) {
        if (e.job == job) held.push_back(gateway);
    }
    bool reusable = held.size() == count && std::all_of(held.begin(), held.end(), [&](const auto& g) {
                        return eligible_names.contains(g);
                    });
    if (reusable) {
        result.gateways = held;
        result.reused = true;
        // This run's start replaces the relays of the earlier one; its stops must match.
        bool changed = !result.reclaimed.empty();
        for (const auto& gateway : held) {
            auto& e = entries.at(gateway);
            changed = changed || e.incarnation != incarnation;
            e.incarnation = incarnation;
        }
        if (changed) store.write(encode(entries));
        return result;
    }
    for (const auto& gateway : held) {
        result.reclaimed.push_back({gateway, entries.at(gateway)});
        entries.erase(gateway);
    }

    std::vector<const GatewayCandidate*> free;
    for (const auto& c : eligible) {
        if (!entries.contains(c.name)) free.push_back(&c);
    }
    if (free.size() < count) {
        if (!result.reclaimed.empty()) store.write(encode(entries));
        throw NotEnoughGateways("psgw: job " + std::to_string(job) + " needs " + std::to_string(count) +
                                " gateway node(s), but only " + std::to_string(free.size()) + " of " +
                                std::to_string(eligible.size()) + " usable ones are free");
    }
    const auto since = now_seconds();
    for (unsigned i = 0; i < count; ++i) {
        LedgerEntry e;
        e.job = job;
        e.since = since;
        e.agent_host = free[i]->agent_host;
        e.agent_port = free[i]->agent_port;
        e.incarnation = incarnation;
        entries.emplace(free[i]->name, std::move(e));
        result.gateways.push_back(free[i]->name);
    }
    std::sort(result.gateways.begin(), result.gateways.end());
    store.write(encode(entries));
    return result;
}

std::map<std::string, LedgerEntry> ReservationLedger::release(std::uint32_t job) {
    LedgerStore store(state_dir_);
    Entries entries = decode(store.read());
    Entries released;
    for (auto it = entries.begin(); it != entries.end();) {
        if (it->second.job == job) {
            released.insert(*it);
            it = entries.erase(it);
        } else {
            ++it;
        }
    }
    if (!released.empty()) store.write(encode(entries));
    return released;
}

void ReservationLedger::record_files(std::uint32_t job, const FileRecord& route_file,
                                     const FileRecord& map_file) {
    LedgerStore store(state_dir_);
    Entries entries = decode(store.read());
    bool changed = false;
    for (auto& [gateway, e] : entries) {
        if (e.job != job) continue;
        e.route_file = route_file;
        e.map_file = map_file;
        e.created_by_psgw = true;
        changed = true;
    }
    if (changed) store.write(encode(entries));
}

std::map<std::string, LedgerEntry> ReservationLedger::entries_of(std::uint32_t job) const {
    Entries out;
    for (auto& [gateway, e] : all()) {
        if (e.job == job) out.emplace(gateway, e);
    }
    return out;
}

std::map<std::string, LedgerEntry> ReservationLedger::all() const {
    LedgerStore store(state_dir_);
    return decode(store.read());
}

}  // namespace psgw::controller
