// FABRIC_ADDRESSES parsing and lookups.
#include "config/fabric_map.hpp"

#include "config/psgw_config.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace psgw::config {
namespace {

bool is_ip_address(const std::string& text) {
    unsigned char buffer[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

[[noreturn]] void fail(std::string_view origin, std::size_t line, const std::string& what) {
    throw ConfigError("psgw: " + std::string(origin) + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

std::string_view to_string(Fabric fabric) { return fabric == Fabric::kCluster ? "cluster" : "booster"; }

FabricMap FabricMap::parse(std::string_view text, std::string_view origin) {
    FabricMap map;
    std::map<std::pair<std::string, Fabric>, std::size_t> first_line;
    std::istringstream in{std::string(text)};
    std::size_t line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
        }
        std::istringstream words(line);
        std::vector<std::string> fields;
        for (std::string word; words >> word;) {
            fields.push_back(word);
        }
        if (fields.empty()) {
            continue;
        }
        if (fields.size() != 3) {
            fail(origin, line_no, "expected 'NODENAME FABRIC ADDRESS', got '" + line + "'");
        }
        Fabric fabric;
        if (fields[1] == "cluster") {
            fabric = Fabric::kCluster;
        } else if (fields[1] == "booster") {
            fabric = Fabric::kBooster;
        } else {
            fail(origin, line_no, "unknown fabric '" + fields[1] + "' (expected cluster or booster)");
        }
        if (!is_ip_address(fields[2])) {
            fail(origin, line_no, "invalid IP address '" + fields[2] + "' for node " + fields[0]);
        }
        auto key = std::make_pair(fields[0], fabric);
        if (const auto [it, inserted] = first_line.emplace(key, line_no); !inserted) {
            fail(origin, line_no,
                 "duplicate entry for node " + fields[0] + " on fabric " + fields[1] + " (first on line " +
                     std::to_string(it->second) + ")");
        }
        map.addresses_.emplace(std::move(key), fields[2]);
    }
    return map;
}

FabricMap FabricMap::load(const std::filesystem::path& path) {
    std::ifstream file(path);
    if (!file) {
        throw ConfigError("psgw: cannot read " + path.string() + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << file.rdbuf();
    return parse(text.str(), path.string());
}

std::optional<std::string> FabricMap::address(std::string_view node, Fabric fabric) const {
    const auto it = addresses_.find(std::make_pair(std::string(node), fabric));
    if (it == addresses_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::string> FabricMap::node_for(std::string_view address, Fabric fabric) const {
    for (const auto& [key, value] : addresses_) {
        if (key.second == fabric && value == address) {
            return key.first;
        }
    }
    return std::nullopt;
}

}  // namespace psgw::config
