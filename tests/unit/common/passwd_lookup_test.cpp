#include "posix/passwd_lookup.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace psgw::posix {
namespace {

TEST(PasswdLookup, RootByUidAndName) {
    const auto by_uid = find_user(uid_t{0});
    ASSERT_TRUE(by_uid);
    EXPECT_EQ(by_uid->uid, 0u);
    EXPECT_FALSE(by_uid->name.empty());
    const auto by_name = find_user(by_uid->name);
    ASSERT_TRUE(by_name);
    EXPECT_EQ(by_name->uid, 0u);
    EXPECT_EQ(by_name->gid, by_uid->gid);
    EXPECT_EQ(by_name->home, by_uid->home);
}

TEST(PasswdLookup, CurrentUser) {
    const auto me = find_user(::getuid());
    ASSERT_TRUE(me);
    EXPECT_EQ(me->uid, ::getuid());
}

TEST(PasswdLookup, UnknownIsNullopt) {
    EXPECT_FALSE(find_user(std::string_view("psgw-no-such-user-xyz")));
    EXPECT_FALSE(find_user(std::string_view("")));
    EXPECT_FALSE(find_user(std::string_view("root\0x", 6)));
    EXPECT_FALSE(find_user(uid_t{4294967294u}));
}

}  // namespace
}  // namespace psgw::posix
