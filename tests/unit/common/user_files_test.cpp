// write_file_atomically / append_file / remove_file, as the caller and as nobody.
#include "sys/user_files.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

namespace psgw::sys {
namespace {

using test::list_dir;
using test::read_file;
using test::TempDir;

struct stat stat_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(lstat(path.c_str(), &info), 0) << path;
    return info;
}

TEST(UserFiles, WritesAtomicallyWithModeAndNoTemporary) {
    TempDir dir;
    auto target = dir.path() / "routes";
    write_file_atomically(target, "one\n", std::nullopt);
    write_file_atomically(target, "two\n", std::nullopt, 0600);
    EXPECT_EQ(read_file(target), "two\n");
    EXPECT_EQ(stat_of(target).st_mode & 07777, 0600u);
    EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"routes"});
}

TEST(UserFiles, ReplacesASymlinkInsteadOfFollowingIt) {
    TempDir dir;
    auto victim = dir.write("victim", "precious\n");
    auto target = dir.path() / "routes";
    std::filesystem::create_symlink(victim, target);
    write_file_atomically(target, "routes\n", std::nullopt);
    EXPECT_EQ(read_file(victim), "precious\n");
    EXPECT_TRUE(S_ISREG(stat_of(target).st_mode));
    EXPECT_EQ(read_file(target), "routes\n");
}

TEST(UserFiles, FailedRenameLeavesNoTemporary) {
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "routes");
    std::filesystem::create_directory(dir.path() / "routes" / "inside");  // rename onto it fails
    try {
        write_file_atomically(dir.path() / "routes", "x", std::nullopt);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find((dir.path() / "routes").string()), std::string::npos);
    }
    EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"routes"});
}

TEST(UserFiles, AsUserOwnsTheFile) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    TempDir dir;
    ASSERT_EQ(chown(dir.path().c_str(), nobody->uid, nobody->gid), 0);
    auto target = dir.path() / "routes";
    write_file_atomically(target, "data\n", nobody);
    EXPECT_EQ(stat_of(target).st_uid, nobody->uid);
    EXPECT_EQ(read_file(target), "data\n");
}

TEST(UserFiles, AsUserInUnwritableDirFailsWithoutTemporary) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    TempDir dir;  // root-owned 0755: nobody may not create files here
    try {
        write_file_atomically(dir.path() / "routes", "data\n", nobody);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        std::string message = e.what();
        EXPECT_EQ(message.find('\n'), std::string::npos);
        EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
        EXPECT_NE(message.find((dir.path() / "routes").string()), std::string::npos) << message;
    }
    EXPECT_TRUE(list_dir(dir.path()).empty());
}

TEST(UserFiles, AsUserDoesNotFollowASymlink) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    TempDir dir;
    TempDir other;
    auto victim = other.write("victim", "precious\n");
    ASSERT_EQ(chown(victim.c_str(), nobody->uid, nobody->gid), 0);  // writable by nobody
    ASSERT_EQ(chown(dir.path().c_str(), nobody->uid, nobody->gid), 0);
    auto target = dir.path() / "routes";
    std::filesystem::create_symlink(victim, target);
    write_file_atomically(target, "routes\n", nobody);
    EXPECT_EQ(read_file(victim), "precious\n");
    EXPECT_TRUE(S_ISREG(stat_of(target).st_mode));
}

TEST(UserFiles, AppendCreatesAndAppendsButRefusesSymlinks) {
    TempDir dir;
    auto target = dir.path() / "JOB-1-psgw.err";
    append_file(target, "a\n", std::nullopt);
    append_file(target, "b\n", std::nullopt);
    EXPECT_EQ(read_file(target), "a\nb\n");
    auto victim = dir.write("victim", "v\n");
    std::filesystem::create_symlink(victim, dir.path() / "link");
    EXPECT_THROW(append_file(dir.path() / "link", "x", std::nullopt), std::runtime_error);
    EXPECT_EQ(read_file(victim), "v\n");
}

TEST(UserFiles, AppendAsUser) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    TempDir dir;
    ASSERT_EQ(chown(dir.path().c_str(), nobody->uid, nobody->gid), 0);
    append_file(dir.path() / "err", "x\n", nobody);
    EXPECT_EQ(stat_of(dir.path() / "err").st_uid, nobody->uid);
    TempDir root_dir;
    EXPECT_THROW(append_file(root_dir.path() / "err", "x\n", nobody), std::runtime_error);
}

TEST(UserFiles, RemoveOnlyRegularFiles) {
    TempDir dir;
    auto file = dir.write("routes", "x");
    EXPECT_TRUE(remove_file(file, std::nullopt));
    EXPECT_FALSE(remove_file(file, std::nullopt));
    auto victim = dir.write("victim", "v");
    std::filesystem::create_symlink(victim, dir.path() / "link");
    EXPECT_THROW(remove_file(dir.path() / "link", std::nullopt), std::runtime_error);
    std::filesystem::create_directory(dir.path() / "sub");
    EXPECT_THROW(remove_file(dir.path() / "sub", std::nullopt), std::runtime_error);
    EXPECT_EQ(read_file(victim), "v");
}

TEST(UserFiles, RemoveAsUserRespectsPermissions) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    TempDir dir;  // root-owned: nobody cannot unlink in it
    auto file = dir.write("routes", "x");
    EXPECT_THROW(remove_file(file, nobody), std::runtime_error);
    EXPECT_TRUE(std::filesystem::exists(file));
    ASSERT_EQ(chown(dir.path().c_str(), nobody->uid, nobody->gid), 0);
    EXPECT_TRUE(remove_file(file, nobody));
}

}  // namespace
}  // namespace psgw::sys
