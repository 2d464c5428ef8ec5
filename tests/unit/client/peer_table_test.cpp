#include "peer_table.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace psgw::client {
namespace {

sockaddr_in v4(std::uint32_t host, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(host);
    a.sin_port = htons(port);
    return a;
}

TEST(PeerTable, RemembersCopiesAndForgets) {
    PeerTable t;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    const sockaddr_in peer = v4(0x7f000004, 5201);
    t.remember(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
    EXPECT_TRUE(t.active());

    sockaddr_in out{};
    socklen_t len = sizeof out;
    ASSERT_TRUE(t.lookup(fd, reinterpret_cast<sockaddr*>(&out), &len));
    EXPECT_EQ(len, sizeof peer);
    EXPECT_EQ(out.sin_port, peer.sin_port);
    EXPECT_EQ(out.sin_addr.s_addr, peer.sin_addr.s_addr);

    const int copy = ::dup(fd);
    t.copy(fd, copy);
    len = sizeof out;
    EXPECT_TRUE(t.lookup(copy, reinterpret_cast<sockaddr*>(&out), &len));

    t.forget(fd);
    len = sizeof out;
    EXPECT_FALSE(t.lookup(fd, reinterpret_cast<sockaddr*>(&out), &len));
    ::close(fd);
    // The table did not see this dup2 (plain libc here): `copy` now names another
    // socket, and its stale entry must not be reported for it.
    const int other = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(::dup2(other, copy), copy);
    len = sizeof out;
    EXPECT_FALSE(t.lookup(copy, reinterpret_cast<sockaddr*>(&out), &len));
    ::close(other);
    ::close(copy);
}

TEST(PeerTable, LookupTruncatesLikeGetpeername) {
    PeerTable t;
    const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in6 peer{};
    peer.sin6_family = AF_INET6;
    peer.sin6_port = htons(9);
    t.remember(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
    sockaddr_in small{};
    socklen_t len = sizeof small;
    ASSERT_TRUE(t.lookup(fd, reinterpret_cast<sockaddr*>(&small), &len));
    EXPECT_EQ(len, sizeof peer);  // the full length is reported, only sizeof small copied
    ::close(fd);
}

}  // namespace
}  // namespace psgw::client
