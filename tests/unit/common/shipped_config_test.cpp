// The shipped etc/psgw.conf must list every key with its default, nothing else.
#include "config/psgw_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace psgw::config {
namespace {

std::string shipped_text() {
    std::ifstream file(PSGW_SHIPPED_CONF);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

TEST(ShippedConfig, ParsesToExactlyTheDefaults) { EXPECT_EQ(load(PSGW_SHIPPED_CONF), Config{}); }

TEST(ShippedConfig, ListsEveryKeyUncommentedWithItsDefault) {
    const std::string text = shipped_text();
    ASSERT_FALSE(text.empty());
    for (const auto& key : keys()) {
        const std::string value = key.default_value.empty() ? "" : " " + std::string(key.default_value);
        const std::string pattern = "(^|\\n)" + std::string(key.name) + " =" + value + "\\n";
        EXPECT_TRUE(std::regex_search(text, std::regex(pattern))) << key.name;
    }
}

}  // namespace
}  // namespace psgw::config
