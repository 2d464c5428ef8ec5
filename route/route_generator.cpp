// generate_routes: validate, sort, ask the plugin, assemble the file in one buffer.
#include "route/route_generator.hpp"

#include "builtin_plugins.hpp"
#include "external_plugin.hpp"
#include "plugin_resolver.hpp"
#include "route/gateway_table.hpp"

#include <algorithm>
#include <cstring>

namespace psgw::route {

namespace {

/// Sorted copy of one node column; rejects values that would break the line grammar.
std::vector<std::string> sorted_nodes(const std::vector<std::string>& nodes, std::string_view side) {
    if (nodes.empty()) throw RouteError("psgw: no " + std::string(side) + " nodes to route");
    std::vector<std::string> sorted = nodes;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t k = 0; k < sorted.size(); ++k) {
        const auto& node = sorted[k];
        if (node.empty() || node.find_first_of(" \t\r\n") != std::string::npos) {
            throw RouteError("psgw: invalid " + std::string(side) + " node '" + node + "'");
        }
        if (k > 0 && sorted[k - 1] == node) {
            throw RouteError("psgw: " + std::string(side) + " node '" + node + "' given twice");
        }
    }
    return sorted;
}

/// Lays out all lines. Pass 1 sizes each gateway's block (lines of one gateway are
/// contiguous, in A-major pair order, rotating over its ports); pass 2 copies bytes
/// into the one preallocated buffer. `choose(i, j)` returns the gateway index.
template <typename Choose>
std::string assemble(const GatewayTable& table, const std::vector<std::string>& nodes_a,
                     const std::vector<std::string>& nodes_b, Choose choose) {
    const std::size_t gateways = table.size();
    std::vector<std::size_t> port_turn(gateways, 0);
    std::vector<std::size_t> block_size(gateways, 0);

    // Pass 1: bytes per gateway block. Node bytes are the same wherever the line goes,
    // only the endpoint text differs (ports of different lengths).
    for (std::size_t i = 0; i < nodes_a.size(); ++i) {
        for (std::size_t j = 0; j < nodes_b.size(); ++j) {
            const std::size_t g = choose(i, j);
            const auto& endpoints = table.endpoints(g);
            std::size_t& turn = port_turn[g];
            block_size[g] += endpoints[turn].size() + nodes_a[i].size() + nodes_b[j].size() + 3;
            if (++turn == endpoints.size()) turn = 0;
        }
    }
    std::vector<std::size_t> cursor(gateways, 0);
    std::size_t total = 0;
    for (std::size_t g = 0; g < gateways; ++g) {
        cursor[g] = total;
        total += block_size[g];
    }

    std::string text(total, '\0');
    char* out = text.data();
    std::fill(port_turn.begin(), port_turn.end(), 0);
    auto put = [](char* at, const std::string& s) { return std::copy(s.begin(), s.end(), at); };
    for (std::size_t i = 0; i < nodes_a.size(); ++i) {
        const std::string& a = nodes_a[i];
        for (std::size_t j = 0; j < nodes_b.size(); ++j) {
            const std::size_t g = choose(i, j);
            const auto& endpoints = table.endpoints(g);
            std::size_t& turn = port_turn[g];
            char* at = out + cursor[g];
            at = put(at, endpoints[turn]);
            *at++ = ' ';
            at = put(at, a);
            *at++ = ' ';
            at = put(at, nodes_b[j]);
            *at++ = '\n';
            cursor[g] = static_cast<std::size_t>(at - out);
            if (++turn == endpoints.size()) turn = 0;
        }
    }
    return text;
}

template <std::uint64_t (*Plugin)(std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t)>
std::string assemble_builtin(const GatewayTable& table, const std::vector<std::string>& a,
                             const std::vector<std::string>& b) {
    const std::uint64_t size_a = a.size();
    const std::uint64_t size_b = b.size();
    const std::uint64_t num_gw = table.size();
    return assemble(table, a, b, [=](std::size_t i, std::size_t j) {
        return static_cast<std::size_t>(Plugin(size_a, size_b, num_gw, i, j));
    });
}

}  // namespace

bool is_builtin_plugin(std::string_view plugin) { return find_builtin(plugin).has_value(); }

std::string generate_routes(const RouteRequest& request) {
    const std::vector<std::string> nodes_a = sorted_nodes(request.nodes_a, "A-side");
    const std::vector<std::string> nodes_b = sorted_nodes(request.nodes_b, "B-side");
    const GatewayTable table(request.gateways);
    const ResolvedPlugin plugin = resolve_plugin(request.plugin, request.plugin_dir, request.only_plugin_dir);

    if (plugin.builtin) {
        switch (*plugin.builtin) {
            case BuiltinPlugin::kPlugin01:
                return assemble_builtin<route_plugin01>(table, nodes_a, nodes_b);
            case BuiltinPlugin::kPlugin02:
                return assemble_builtin<route_plugin02>(table, nodes_a, nodes_b);
            case BuiltinPlugin::kPlugin03:
                return assemble_builtin<route_plugin03>(table, nodes_a, nodes_b);
        }
    }
    const std::vector<std::uint32_t> choices =
        run_external_plugin(plugin.file, request, nodes_a, nodes_b, table.addresses());
    const std::size_t size_b = nodes_b.size();
    return assemble(table, nodes_a, nodes_b,
                    [&](std::size_t i, std::size_t j) { return std::size_t{choices[i * size_b + j]}; });
}

}  // namespace psgw::route
