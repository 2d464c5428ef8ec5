// Which request variables never reach a relay under STRICT_MODE.
#include "agent/relay_launcher.hpp"

#include <gtest/gtest.h>

namespace psgw::agent {
namespace {

TEST(RelayEnvironment, LoaderVariablesAreRecognised) {
    for (const char* entry : {"LD_PRELOAD=/home/u/x.so", "LD_LIBRARY_PATH=/opt/pscom/lib", "LD_AUDIT=a.so",
                              "GCONV_PATH=/tmp", "GLIBC_TUNABLES=x", "LOCPATH=/tmp", "LD_=1"}) {
        EXPECT_TRUE(is_loader_variable(entry)) << entry;
    }
}

TEST(RelayEnvironment, OrdinaryVariablesPass) {
    for (const char* entry : {"PSP_DEBUG=10", "OLD_LD_PRELOAD=x", "PATH=/bin", "HOME=/home/u", "LDX=1"}) {
        EXPECT_FALSE(is_loader_variable(entry)) << entry;
    }
}

}  // namespace
}  // namespace psgw::agent
