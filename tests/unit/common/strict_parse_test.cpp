#include "config/strict_parse.hpp"

#include <gtest/gtest.h>

namespace psgw::config {
namespace {

TEST(StrictParse, DecimalAcceptsPlainDigitsInRange) {
    EXPECT_EQ(parse_decimal("1", 1, 10), 1);
    EXPECT_EQ(parse_decimal("10", 1, 10), 10);
    EXPECT_EQ(parse_decimal("007", 0, 10), 7);
    EXPECT_EQ(parse_decimal("9223372036854775807", 0, INT64_MAX), INT64_MAX);
}

TEST(StrictParse, DecimalRejectsEverythingElse) {
    for (const char* bad : {"0x10", "2x", "-1", "", " 1", "1 ", "+1", "1.0", "abc", "0b1", "1e3"}) {
        EXPECT_FALSE(parse_decimal(bad, 0, 1000).has_value()) << "'" << bad << "'";
    }
}

TEST(StrictParse, DecimalRejectsOverflowAndRange) {
    EXPECT_FALSE(parse_decimal("9223372036854775808", 0, INT64_MAX).has_value());
    EXPECT_FALSE(parse_decimal("99999999999999999999999", 0, INT64_MAX).has_value());
    EXPECT_FALSE(parse_decimal("0", 1, 10).has_value());
    EXPECT_FALSE(parse_decimal("11", 1, 10).has_value());
}

TEST(StrictParse, Bool) {
    for (const char* yes : {"1", "yes", "TRUE", "Yes", "true"}) {
        EXPECT_EQ(parse_bool(yes), true) << yes;
    }
    for (const char* no : {"0", "no", "FALSE", "No", "false"}) {
        EXPECT_EQ(parse_bool(no), false) << no;
    }
    for (const char* bad : {"", "2", "on", "y", " 1"}) {
        EXPECT_FALSE(parse_bool(bad).has_value()) << bad;
    }
}

TEST(StrictParse, EnvAssignment) {
    EXPECT_TRUE(is_env_assignment("A=1"));
    EXPECT_TRUE(is_env_assignment("_x9="));
    EXPECT_TRUE(is_env_assignment("PSP_DEBUG=a=b;$(rm)"));  // value is never evaluated
    EXPECT_FALSE(is_env_assignment("=1"));
    EXPECT_FALSE(is_env_assignment("A"));
    EXPECT_FALSE(is_env_assignment("1A=1"));
    EXPECT_FALSE(is_env_assignment("A-B=1"));
    EXPECT_FALSE(is_env_assignment("$(x)=1"));
    EXPECT_FALSE(is_env_assignment(""));
}

}  // namespace
}  // namespace psgw::config
