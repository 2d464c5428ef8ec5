// The process-wide plugin state. SPANK hooks are called from one thread only.
#include "plugin_state.hpp"

namespace psgw::spank {

PluginState& plugin_state() {
    static PluginState state;
    return state;
}

void reset_plugin_state() { plugin_state() = PluginState{}; }

}  // namespace psgw::spank
