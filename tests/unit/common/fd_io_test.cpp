#include "posix/fd_io.hpp"
#include "sys/unique_fd.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

namespace psgw::posix {
namespace {

struct Pair {
    sys::UniqueFd a;
    sys::UniqueFd b;
};

Pair socket_pair(int flags = 0) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0, fds), 0);
    return {sys::UniqueFd(fds[0]), sys::UniqueFd(fds[1])};
}

Pair pipe_pair() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    return {sys::UniqueFd(fds[0]), sys::UniqueFd(fds[1])};
}

TEST(FdIo, WritesAndReadsExactlyOverASocket) {
    Pair p = socket_pair();
    const std::string text = "hello";
    ASSERT_TRUE(write_all(p.a.get(), text.data(), text.size()));
    std::string got(5, '\0');
    const IoResult r = read_exact(p.b.get(), got.data(), got.size());
    ASSERT_TRUE(r);
    EXPECT_EQ(r.done, 5u);
    EXPECT_EQ(got, text);
}

TEST(FdIo, VectoredWriteKeepsOrderAndSkipsEmptyParts) {
    Pair p = socket_pair();
    char head[] = "ab";
    char body[] = "cdef";
    const iovec parts[3] = {{head, 2}, {nullptr, 0}, {body, 4}};
    const IoResult w = write_all(p.a.get(), parts);
    ASSERT_TRUE(w);
    EXPECT_EQ(w.done, 6u);
    std::string got(6, '\0');
    ASSERT_TRUE(read_exact(p.b.get(), got.data(), got.size()));
    EXPECT_EQ(got, "abcdef");
}

TEST(FdIo, WorksOnPipes) {  // not a socket: write(2) instead of sendmsg
    Pair p = pipe_pair();
    ASSERT_TRUE(write_all(p.b.get(), "xyz", 3));
    char got[3];
    ASSERT_TRUE(read_exact(p.a.get(), got, 3));
    EXPECT_EQ(std::string(got, 3), "xyz");
}

TEST(FdIo, LargeTransferThroughAFullBuffer) {
    Pair p = socket_pair();
    const std::vector<char> out(4 << 20, 'q');
    std::thread writer([&] { EXPECT_TRUE(write_all(p.a.get(), out.data(), out.size())); });
    std::vector<char> in(out.size());
    const IoResult r = read_exact(p.b.get(), in.data(), in.size());
    writer.join();
    ASSERT_TRUE(r);
    EXPECT_EQ(in, out);
}

TEST(FdIo, ShortReadAtEndOfStreamIsEof) {
    Pair p = socket_pair();
    ASSERT_TRUE(write_all(p.a.get(), "ab", 2));
    p.a.reset();
    char got[4];
    const IoResult r = read_exact(p.b.get(), got, sizeof got);
    EXPECT_EQ(r.status, IoStatus::kEof);
    EXPECT_EQ(r.done, 2u);
    EXPECT_FALSE(r);
}

TEST(FdIo, NonBlockingReadTimesOutAtTheDeadline) {
    Pair p = socket_pair(SOCK_NONBLOCK);
    char got[1];
    const auto start = Clock::now();
    const IoResult r = read_exact(p.b.get(), got, 1, Clock::now() + std::chrono::milliseconds(50));
    EXPECT_EQ(r.status, IoStatus::kTimeout);
    EXPECT_EQ(r.error, ETIMEDOUT);
    EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(40));
}

TEST(FdIo, NonBlockingReadWaitsForData) {
    Pair p = socket_pair(SOCK_NONBLOCK);
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        EXPECT_TRUE(write_all(p.a.get(), "z", 1));
    });
    char got[1];
    const IoResult r = read_exact(p.b.get(), got, 1, Clock::now() + std::chrono::seconds(5));
    writer.join();
    EXPECT_TRUE(r);
}

TEST(FdIo, ReceiveTimeoutOnABlockingSocketIsTimeout) {
    Pair p = socket_pair();
    timeval tv{0, 50000};
    ASSERT_EQ(::setsockopt(p.b.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    char got[1];
    const IoResult r = read_exact(p.b.get(), got, 1);
    EXPECT_EQ(r.status, IoStatus::kTimeout);
}

TEST(FdIo, WriteToAClosedPeerIsEpipeNotSignal) {
    Pair p = socket_pair();
    p.b.reset();
    const IoResult r = write_all(p.a.get(), "x", 1);
    EXPECT_EQ(r.status, IoStatus::kError);
    EXPECT_EQ(r.error, EPIPE);
}

TEST(FdIo, BadDescriptorIsAnError) {
    char got[1];
    const IoResult r = read_exact(-1, got, 1);
    EXPECT_EQ(r.status, IoStatus::kError);
    EXPECT_EQ(r.error, EBADF);
}

}  // namespace
}  // namespace psgw::posix
