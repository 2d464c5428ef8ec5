#include "incarnation.hpp"

#include <set>

#include <gtest/gtest.h>

namespace psgw::controller {
namespace {

TEST(Incarnation, NeverZeroAndDistinctPerRun) {
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto value = new_incarnation();
        EXPECT_NE(value, 0u);
        seen.insert(value);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace psgw::controller
