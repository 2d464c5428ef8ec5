// The control client trusts only replies sealed by root's MUNGE credential, and its
// requests can be decoded only by root: a user who binds AGENT_PORT while the agent
// is down can neither read requests nor answer them.
#include "agent_blackbox_fixture.hpp"

#include <poll.h>

#include <future>

#include <gtest/gtest.h>

namespace psgw::control {
namespace {

using namespace std::chrono_literals;
using namespace agent_test;

/// A squatter on the agent's port: accepts one connection, keeps the request, answers `reply`.
class FakeAgent {
public:
    FakeAgent(std::uint16_t port, std::string reply) : reply_(std::move(reply)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd_, 4) == 0;
        served_ = std::async(std::launch::async, [this] { return serve(); });
    }
    ~FakeAgent() {
        if (served_.valid()) served_.wait();
        ::close(fd_);
    }
    FakeAgent(const FakeAgent&) = delete;
    FakeAgent& operator=(const FakeAgent&) = delete;

    bool ok() const { return ok_; }
    /// The request body it received.
    std::string request() { return served_.get(); }

private:
    std::string serve() {
        pollfd p{fd_, POLLIN, 0};
        if (!ok_ || ::poll(&p, 1, 10000) != 1) return {};
        const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) return {};
        timeval tv{10, 0};
        ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::array<unsigned char, kFrameHeaderSize> header{};
        std::string body;
        if (::recv(conn, header.data(), header.size(), MSG_WAITALL) == static_cast<ssize_t>(header.size())) {
            body.resize(decode_frame_header(header));
            if (::recv(conn, body.data(), body.size(), MSG_WAITALL) != static_cast<ssize_t>(body.size()))
                body.clear();
        }
        const std::string frame = encode_frame(reply_);
        [[maybe_unused]] const ssize_t sent = ::send(conn, frame.data(), frame.size(), MSG_NOSIGNAL);
        ::close(conn);
        return body;
    }

    int fd_ = -1;
    bool ok_ = false;
    std::string reply_;
    std::future<std::string> served_;
};

/// The ControlError text list_relays() throws against `agent`, or "(accepted)".
std::string list_error(const AgentAddress& agent) {
    try {
        list_relays(agent, 5s);
    } catch (const ControlError& e) {
        return e.what();
    }
    return "(accepted)";
}

// A protocol-v1 style reply (plain JSON) is what a squatter can always send.
TEST_F(AgentBlackBox, UnsignedRepliesAreRefused) {
    FakeAgent fake(port_, R"({"v":1,"ok":true,"jobs":[]})");
    ASSERT_TRUE(fake.ok());
    const std::string error = list_error(agent());
    EXPECT_NE(error.find("reply not authenticated"), std::string::npos) << error;
    EXPECT_EQ(error.rfind("psgw: agent 127.0.0.1:", 0), 0u) << error;
}

// A valid MUNGE credential, but minted by an ordinary user: not the agent.
TEST_F(AgentBlackBox, RepliesSignedByAnotherUserAreRefused) {
    const std::string sealed =
        as_nobody([] { return MungeCodec(socket_).encode(R"({"v":2,"ok":true,"jobs":[]})"); });
    ASSERT_FALSE(sealed.empty()) << "minting as nobody failed";
    FakeAgent fake(port_, sealed);
    ASSERT_TRUE(fake.ok());
    const std::string error = list_error(agent());
    const std::string nobody_uid = std::to_string(::getpwnam("nobody")->pw_uid);
    EXPECT_NE(error.find("reply signed by uid " + nobody_uid + ", not root"), std::string::npos) << error;

    // What the squatter got: a credential only root can open.
    const std::string request = fake.request();
    ASSERT_FALSE(request.empty());
    const std::string opened = as_nobody([&request] { return MungeCodec(socket_).decode(request).payload; });
    EXPECT_TRUE(opened.empty()) << "nobody decoded the request: " << opened;
    EXPECT_NE(MungeCodec(socket_).decode(request).payload.find("\"list\""), std::string::npos);
}

}  // namespace
}  // namespace psgw::control
