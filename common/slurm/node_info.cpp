#include "slurm/node_info.hpp"

#include <algorithm>
#include <memory>
#include <mutex>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

namespace psgw::slurm {

namespace {

struct NodeInfoMsgDeleter {
    void operator()(node_info_msg_t* msg) const { slurm_free_node_info_msg(msg); }
};
using NodeInfoMsgPtr = std::unique_ptr<node_info_msg_t, NodeInfoMsgDeleter>;

}  // namespace

bool NodeInfo::has_feature(const std::string& feature) const {
    return std::find(features.begin(), features.end(), feature) != features.end();
}

void ensure_slurm_initialized() {
    static std::once_flag once;
    std::call_once(once, [] { slurm_init(nullptr); });
}

std::vector<std::string> split_features(const char* features) {
    std::vector<std::string> out;
    if (features == nullptr) return out;
    std::string current;
    for (const char* p = features;; ++p) {
        if (*p == ',' || *p == '\0') {
            if (!current.empty()) out.push_back(current);
            current.clear();
            if (*p == '\0') break;
        } else {
            current.push_back(*p);
        }
    }
    return out;
}

std::vector<NodeInfo> load_nodes() {
    ensure_slurm_initialized();
    node_info_msg_t* raw = nullptr;
    if (slurm_load_node(0, &raw, SHOW_ALL) != SLURM_SUCCESS) {
        throw SlurmError(std::string("psgw: cannot load the node table from slurmctld: ") +
                         slurm_strerror(slurm_get_errno()));
    }
    NodeInfoMsgPtr msg(raw);
    std::vector<NodeInfo> nodes;
    nodes.reserve(msg->record_count);
    for (uint32_t i = 0; i < msg->record_count; ++i) {
        const node_info_t& n = msg->node_array[i];
        if (n.name == nullptr) continue;  // hidden/unused slot
        NodeInfo info;
        info.name = n.name;
        info.addr = n.node_addr != nullptr && *n.node_addr != '\0' ? n.node_addr : n.name;
        // features_act is NULL when the active set equals the configured one.
        info.features = split_features(n.features_act != nullptr ? n.features_act : n.features);
        info.down = (n.node_state & NODE_STATE_BASE) == NODE_STATE_DOWN;
        info.drain = (n.node_state & NODE_STATE_DRAIN) != 0;
        info.fail = (n.node_state & NODE_STATE_FAIL) != 0;
        info.not_responding = (n.node_state & NODE_STATE_NO_RESPOND) != 0;
        nodes.push_back(std::move(info));
    }
    return nodes;
}

}  // namespace psgw::slurm
