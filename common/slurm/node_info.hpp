// Node table from slurmctld (slurm_load_node): what the controller needs to
// classify job nodes and to pick usable gateway nodes.
#pragma once

#include <psgw/error.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace psgw::slurm {

/// slurmctld could not be asked; what() is one line starting "psgw: ".
class SlurmError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// One node as slurmctld reports it.
struct NodeInfo {
    std::string name;                   ///< NodeName
    std::string addr;                   ///< NodeAddr (management network); NodeName if unset
    std::vector<std::string> features;  ///< active features
    bool down = false;                  ///< base state DOWN
    bool drain = false;                 ///< DRAIN flag (draining or drained)
    bool fail = false;                  ///< FAIL flag
    bool not_responding = false;        ///< NO_RESPOND flag

    /// True if the node may be handed out (none of the flags above).
    bool usable() const { return !down && !drain && !fail && !not_responding; }
    /// True if `feature` is among the active features.
    bool has_feature(const std::string& feature) const;
};

/// Calls slurm_init(NULL) once per process (reads slurm.conf / $SLURM_CONF).
void ensure_slurm_initialized();

/// All nodes, in slurmctld's order. Throws SlurmError.
std::vector<NodeInfo> load_nodes();

/// "a,b&c|d" style feature strings split into names (only ',' separates active features).
std::vector<std::string> split_features(const char* features);

}  // namespace psgw::slurm
