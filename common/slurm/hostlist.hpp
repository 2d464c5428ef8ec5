// libslurm's hostlist functions behind RAII (no hand-written hostlist parser).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace psgw::slurm {

/// "cluster[01-03],gw01" -> {"cluster01","cluster02","cluster03","gw01"}.
/// Throws std::invalid_argument naming the expression if libslurm rejects it.
std::vector<std::string> expand_hostlist(std::string_view expression);

/// The ranged form of a list of names, e.g. "booster[01-04]".
std::string compress_hostlist(const std::vector<std::string>& names);

}  // namespace psgw::slurm
