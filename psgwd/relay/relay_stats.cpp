#include "relay/relay_stats.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "sys/unique_fd.hpp"

namespace psgw::relay {

namespace {

// Stable JSON keys for the refusal reasons (RelayStatus order).
constexpr const char* kReasonKeys[] = {
    "ok", "bad_version", "malformed", "source_not_in_job", "dest_not_in_job",
    "connect_refused", "connect_timeout", "unreachable", "overloaded",
};

[[noreturn]] void fail(const std::string& path, const char* what) {
    throw std::runtime_error("psgw: relay stats file " + path + ": " + what + ": " + std::strerror(errno));
}

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
    };
}

void RelayStats::write_file(const std::string& path) const {
    const std::string text = to_json().dump() + "\n";
    const std::string tmp = path + ".tmp";  // one relay per stats file: no name clash
    {
        sys::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!fd) fail(path, "open");
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                ::unlink(tmp.c_str());
                fail(path, "write");
            }
            done += static_cast<std::size_t>(n);
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        fail(path, "rename");
    }
}

}  // namespace psgw::relay
