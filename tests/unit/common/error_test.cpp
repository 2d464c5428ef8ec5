// psgw::Error (include/psgw/error.hpp): the base of every psgw exception.
#include <psgw/error.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <type_traits>

namespace {

static_assert(std::is_base_of_v<std::runtime_error, psgw::Error>);

TEST(Error, KeepsTheMessageAndIsARuntimeError) {
    try {
        throw psgw::Error(std::string("psgw: something failed"));
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "psgw: something failed");
        EXPECT_NE(dynamic_cast<const psgw::Error*>(&e), nullptr);
    }
}

TEST(Error, Prefix) {
    EXPECT_EQ(psgw::kErrorPrefix, "psgw: ");
    EXPECT_TRUE(psgw::has_error_prefix("psgw: x"));
    EXPECT_FALSE(psgw::has_error_prefix("psgw:x"));
    EXPECT_FALSE(psgw::has_error_prefix("x psgw: "));
    EXPECT_FALSE(psgw::has_error_prefix(""));
}

TEST(Error, PrintableEscapesWhatWouldBreakTheLine) {
    EXPECT_EQ(psgw::printable("a=b c/d.é"), "a=b c/d.é");  // UTF-8 and spaces stay
    EXPECT_EQ(psgw::printable(std::string("x\ny\r\t\0\x1b[2J\x7f", 11)), "x\\ny\\r\\t\\x00\\x1b[2J\\x7f");
    EXPECT_EQ(psgw::printable(""), "");
}

}  // namespace
