// Blocking client with one overall deadline per request: connect, write and read
// all wait with poll() against it, so a hung agent can never stall the prologue.
#include "control/control_client.hpp"
#include <psgw/error.hpp>

#include "control/control_message.hpp"
#include "control/framing.hpp"
#include "control/munge_codec.hpp"
#include "posix/fd_io.hpp"
#include "sys/unique_fd.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include <psgw/contract.hpp>

namespace psgw::control {
namespace {

using Clock = posix::Clock;

/// One request/response exchange with an agent.
class Exchange {
public:
    Exchange(const AgentAddress& agent, std::chrono::milliseconds timeout)
        : agent_(agent), deadline_(Clock::now() + timeout) {}

    nlohmann::json run(const nlohmann::json& payload) {
        std::optional<MungeCodec> munge;
        std::string credential;
        try {
            munge.emplace(agent_.munge_socket);
            // Only root (the agent) can decode it: a squatter on the port learns nothing.
            credential = munge->encode(payload.dump(), uid_t{0});
        } catch (const MungeError& e) {
            fail(e.what());
        }
        std::string frame;
        try {
            frame = encode_frame(credential);
        } catch (const FrameError& e) {
            fail(e.what());
        }
        sys::UniqueFd socket(connect_socket());
        write_all(socket.get(), frame);
        std::array<unsigned char, kFrameHeaderSize> header{};
        read_exact(socket.get(), header.data(), header.size());
        std::uint32_t length = 0;
        try {
            length = decode_frame_header(header);
        } catch (const FrameError& e) {
            fail(std::string("bad reply: ").append(error_body(e.what())));
        }
        std::string body(length, '\0');
        read_exact(socket.get(), body.data(), body.size());
        return parse_reply(open_reply(*munge, body));
    }

    /// The JSON inside the agent's reply credential, once it is known to come from root.
    std::string open_reply(const MungeCodec& munge, const std::string& body) const {
        DecodedCredential decoded;
        try {
            decoded = munge.decode(body);
        } catch (const MungeError& e) {
            fail(std::string("reply not authenticated (not a psgwd agent of protocol v") +
                 std::to_string(contract::kControlVersion) + "?): " + std::string(error_body(e.what())));
        }
        if (decoded.uid != 0)
            fail("reply signed by uid " + std::to_string(decoded.uid) +
                 ", not root: not the psgwd agent, refused");
        return decoded.payload;
    }

    nlohmann::json parse_reply(const std::string& text) const {
        try {
            return control::parse_reply(text);
        } catch (const MessageError& e) {
            fail(e.what());
        }
    }

    [[noreturn]] void fail(std::string_view reason) const {
        throw ControlError("psgw: agent " + agent_.host + ":" + std::to_string(agent_.port) + ": " +
                           std::string(error_body(reason)));
    }

private:
    /// Waits for `events` on fd until the deadline.
    void wait(int fd, short events, const char* what) const {
        const int err = posix::wait_for(fd, events, deadline_);
        if (err == ETIMEDOUT) fail(std::string("timed out ") + what);
        if (err != 0) fail(std::string("poll: ") + std::strerror(err));
    }

    int connect_socket() const {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        const std::string service = std::to_string(agent_.port);
        const int rc = ::getaddrinfo(agent_.host.c_str(), service.c_str(), &hints, &found);
        if (rc != 0) fail(std::string("cannot resolve: ") + ::gai_strerror(rc));
        std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
        std::string last_error = "no address";
        for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
            const int fd =
                ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0) {
                last_error = std::strerror(errno);
                continue;
            }
            sys::UniqueFd socket(fd);
            if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
                if (errno != EINPROGRESS) {
                    last_error = std::string("connect: ") + std::strerror(errno);
                    continue;
                }
                wait(fd, POLLOUT, "connecting");
                int error = 0;
                socklen_t size = sizeof error;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
                if (error != 0) {
                    last_error = std::string("connect: ") + std::strerror(error);
                    continue;
                }
            }
            return socket.release();
        }
        fail(last_error);
    }

    void write_all(int fd, std::string_view data) const {
        const posix::IoResult result = posix::write_all(fd, data.data(), data.size(), deadline_);
        if (result.status == posix::IoStatus::kTimeout) fail("timed out sending the request");
        if (!result) fail(std::string("send: ") + std::strerror(result.error));
    }

    void read_exact(int fd, void* buffer, std::size_t size) const {
        const posix::IoResult result = posix::read_exact(fd, buffer, size, deadline_);
        if (result.status == posix::IoStatus::kEof) fail("connection closed before the reply was complete");
        if (result.status == posix::IoStatus::kTimeout) fail("timed out waiting for the reply");
        if (!result) fail(std::string("recv: ") + std::strerror(result.error));
    }

    const AgentAddress& agent_;
    Clock::time_point deadline_;
};

}  // namespace

StartReply start_relays(const AgentAddress& agent, const StartRequest& request,
                        std::chrono::milliseconds timeout) {
    Exchange exchange(agent, timeout);
    try {
        validate(request);
    } catch (const MessageError& e) {
        exchange.fail(e.what());
    }
    const nlohmann::json reply = exchange.run(to_json(request));
    try {
        return parse_start_reply(reply);
    } catch (const MessageError& e) {
        exchange.fail(e.what());
    }
}

nlohmann::json stop_relays(const AgentAddress& agent, std::uint32_t job, std::chrono::milliseconds timeout,
                           std::uint64_t incarnation) {
    Exchange exchange(agent, timeout);
    if (job == 0) exchange.fail("job must be > 0");
    nlohmann::json reply = exchange.run(to_json(StopRequest{job, incarnation}));
    reply.erase("v");
    reply.erase("ok");
    return reply;
}

nlohmann::json list_relays(const AgentAddress& agent, std::chrono::milliseconds timeout) {
    Exchange exchange(agent, timeout);
    nlohmann::json reply = exchange.run(to_json(ListRequest{}));
    reply.erase("v");
    reply.erase("ok");
    return reply;
}

}  // namespace psgw::control
