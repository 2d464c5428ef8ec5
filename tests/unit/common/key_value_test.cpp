#include "config/key_value.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace psgw::config {
namespace {

TEST(KeyValue, SplitsAtTheFirstEquals) {
    const auto kv = split_key_value("A=b=c");
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->key, "A");
    EXPECT_EQ(kv->value, "b=c");
    const auto empty = split_key_value("A=");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->value, "");
    const auto no_key = split_key_value("=1");
    ASSERT_TRUE(no_key);
    EXPECT_EQ(no_key->key, "");
    EXPECT_FALSE(split_key_value("A"));
    EXPECT_FALSE(split_key_value(""));
}

TEST(KeyValue, EnvTokens) {
    struct Case {
        std::string text;
        std::vector<std::string> tokens;
        std::optional<std::string> bad;
    };
    const std::vector<Case> cases = {
        {"", {}, std::nullopt},
        {" \t\n", {}, std::nullopt},
        {"A=1", {"A=1"}, std::nullopt},
        {"  A=1\tB= C=x=y\r\n", {"A=1", "B=", "C=x=y"}, std::nullopt},
        {"PSP_X=$(rm) `y`", {}, "`y`"},
        {"A=1 =2", {}, "=2"},
        {"A=1 1A=2", {}, "1A=2"},
        {"A-B=1", {}, "A-B=1"},
        {"A", {}, "A"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE("'" + c.text + "'");
        const EnvTokens got = split_env_tokens(c.text);
        EXPECT_EQ(got.bad, c.bad);
        if (!c.bad) {
            EXPECT_EQ(got.tokens, c.tokens);
        }
    }
}

}  // namespace
}  // namespace psgw::config
