// The pure parts of the relay's limits: pipe sizing, keepalive schedule and socket
// options, and the refusal log rate.
#include "relay/pipe_budget.hpp"
#include "relay/refusal_limiter.hpp"
#include "relay/socket_options.hpp"

#include "sys/unique_fd.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

namespace {

using namespace psgw::relay;
using psgw::contract::RelayStatus;
using namespace std::chrono_literals;

constexpr std::uint64_t kMiB = 1 << 20;

TEST(PipeBudget, FitsAllSessionsInTheUserBudget) {
    // Default sysctls (64 MiB budget, 1 MiB max): 8 sessions x 2 pipes fit at 1 MiB ...
    EXPECT_EQ(pipe_size_for(kMiB, kMiB, 64 * kMiB, 8), kMiB);
    // ... 64 sessions at 512 KiB, 100 at 256 KiB (rounded down to a power of two) ...
    EXPECT_EQ(pipe_size_for(kMiB, kMiB, 64 * kMiB, 64), kMiB / 2);
    EXPECT_EQ(pipe_size_for(kMiB, kMiB, 64 * kMiB, 100), kMiB / 4);
    // ... and never below the 64 KiB default, where the kernel decides anyway.
    EXPECT_EQ(pipe_size_for(kMiB, kMiB, 64 * kMiB, 4096), 65536u);
}

TEST(PipeBudget, NeverAboveWhatIsConfiguredOrPipeMaxSize) {
    EXPECT_EQ(pipe_size_for(256 * 1024, kMiB, 0, 1), 256u * 1024);
    EXPECT_EQ(pipe_size_for(8 * kMiB, kMiB, 0, 1), kMiB);
    EXPECT_EQ(pipe_size_for(8 * kMiB, 0, 0, 1), 8 * kMiB);  // limits unknown: as configured
    EXPECT_EQ(pipe_size_for(4096, kMiB, 64 * kMiB, 1), 65536u);
}

TEST(Keepalive, DeadPeerFreesItsSlotAfterAboutTwiceTheIdleTime) {
    const KeepaliveTimes t = keepalive_times(60s);
    EXPECT_EQ(t.idle_s, 60);
    EXPECT_EQ(t.interval_s, 15);
    EXPECT_EQ(t.count, 4);
    EXPECT_EQ(t.user_timeout_ms, 120000u);
    EXPECT_EQ(keepalive_times(2s).interval_s, 1);
}

int get_int(int fd, int level, int name) {
    int value = -1;
    socklen_t len = sizeof value;
    getsockopt(fd, level, name, &value, &len);
    return value;
}

TEST(Keepalive, OptionsAreSetOnTheSocket) {
    const psgw::sys::UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(fd);
    ASSERT_EQ(set_relay_socket_options(fd.get(), 40s), 0);
    EXPECT_EQ(get_int(fd.get(), SOL_SOCKET, SO_OOBINLINE), 1);
    EXPECT_EQ(get_int(fd.get(), SOL_SOCKET, SO_KEEPALIVE), 1);
    EXPECT_EQ(get_int(fd.get(), IPPROTO_TCP, TCP_KEEPIDLE), 40);
    EXPECT_EQ(get_int(fd.get(), IPPROTO_TCP, TCP_KEEPINTVL), 10);
    EXPECT_EQ(get_int(fd.get(), IPPROTO_TCP, TCP_KEEPCNT), 4);
    EXPECT_EQ(get_int(fd.get(), IPPROTO_TCP, TCP_USER_TIMEOUT), 80000);

    const psgw::sys::UniqueFd off(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_EQ(set_relay_socket_options(off.get(), 0s), 0);
    EXPECT_EQ(get_int(off.get(), SOL_SOCKET, SO_OOBINLINE), 1);  // urgent data inline regardless
    EXPECT_EQ(get_int(off.get(), SOL_SOCKET, SO_KEEPALIVE), 0);
}

TEST(RefusalLimiter, BurstThenCountThenReportWithTheNextInterval) {
    RefusalLimiter limiter;
    const auto t0 = RefusalLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < RefusalLimiter::kBurst; ++i) {
        const auto d = limiter.on_refusal(RelayStatus::kSourceNotInJob, t0);
        EXPECT_TRUE(d.log);
        EXPECT_EQ(d.suppressed_before, 0u);
    }
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.on_refusal(RelayStatus::kSourceNotInJob, t0 + 1s).log);
    // Another reason has its own budget.
    EXPECT_TRUE(limiter.on_refusal(RelayStatus::kOverloaded, t0 + 1s).log);
    // The next interval's first line carries the count.
    const auto d = limiter.on_refusal(RelayStatus::kSourceNotInJob, t0 + RefusalLimiter::kInterval);
    EXPECT_TRUE(d.log);
    EXPECT_EQ(d.suppressed_before, 100u);
    for (int i = 0; i < RefusalLimiter::kBurst + 3; ++i) {
        limiter.on_refusal(RelayStatus::kSourceNotInJob, t0 + RefusalLimiter::kInterval + 1s);
    }
    const auto left = limiter.flush();
    EXPECT_EQ(left[static_cast<std::size_t>(RelayStatus::kSourceNotInJob)], 4u);
    EXPECT_EQ(limiter.flush()[static_cast<std::size_t>(RelayStatus::kSourceNotInJob)], 0u);
}

}  // namespace
