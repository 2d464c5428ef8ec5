#pragma once

namespace psgw::agent {

/// Entry point of "psgwd agent": the root daemon on a gateway node.
int agent_main(int argc, char** argv);

}  // namespace psgw::agent
