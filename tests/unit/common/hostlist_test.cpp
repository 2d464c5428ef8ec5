// libslurm hostlist wrapper.
#include "slurm/hostlist.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace psgw::slurm {
namespace {

using Names = std::vector<std::string>;

TEST(Hostlist, Expands) {
    EXPECT_EQ(expand_hostlist("cluster[01-03],gw01"), (Names{"cluster01", "cluster02", "cluster03", "gw01"}));
    EXPECT_EQ(expand_hostlist("10.78.0.[11-12],10.78.0.9"), (Names{"10.78.0.11", "10.78.0.12", "10.78.0.9"}));
    EXPECT_EQ(expand_hostlist("b2,b1"), (Names{"b2", "b1"}));  // order kept
    EXPECT_TRUE(expand_hostlist("").empty());
}

TEST(Hostlist, Compresses) {
    EXPECT_EQ(compress_hostlist({"booster01", "booster02", "booster03", "booster04"}), "booster[01-04]");
    EXPECT_EQ(compress_hostlist({}), "");
}

TEST(Hostlist, InvalidExpressionsNameThemselves) {
    for (const char* bad : {"node[3-1]", "node[a-b]", "x[", "n[1-3", "n]", "n[1,,2]"}) {
        try {
            expand_hostlist(bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace psgw::slurm
