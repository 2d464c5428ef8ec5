// Blocking client with one overall deadline per request: connect, write and read
// all wait with poll() against it, so a hung agent can never stall the prologue.
#include "control/control_client.hpp"

#include "control/control_message.hpp"
#include "control/framing.hpp"
#include "control/munge_codec.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace psgw::control {
namespace {

using Clock = std::chrono::steady_clock;

/// Closes the socket on scope exit.
class SocketFd {
public:
    explicit SocketFd(int fd) : fd_(fd) {}
    ~SocketFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    SocketFd(const SocketFd&) = delete;
    SocketFd& operator=(const SocketFd&) = delete;
    int get() const { return fd_; }
    /// Gives up ownership.
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

/// One request/response exchange with an agent.
class Exchange {
public:
    Exchange(const AgentAddress& agent, std::chrono::milliseconds timeout)
        : agent_(agent), deadline_(Clock::now() + timeout) {}

    nlohmann::json run(const nlohmann::json& payload) {
        std::string credential;
        try {
            credential = MungeCodec(agent_.munge_socket).encode(payload.dump());
        } catch (const MungeError& e) {
            fail(e.what());
        }
        std::string frame;
        try {
            frame = encode_frame(credential);
        } catch (const FrameError& e) {
            fail(e.what());
        }
        SocketFd socket(connect_socket());
        write_all(socket.get(), frame);
        std::array<unsigned char, kFrameHeaderSize> header{};
        read_exact(socket.get(), header.data(), header.size());
        std::uint32_t length = 0;
        try {
            length = decode_frame_header(header);
        } catch (const FrameError& e) {
            fail(std::string("bad reply: ") + e.what());
        }
        std::string body(length, '\0');
        read_exact(socket.get(), body.data(), body.size());
        try {
            return parse_reply(body);
        } catch (const MessageError& e) {
            fail(e.what());
        }
    }

    [[noreturn]] void fail(std::string_view reason) const {
        throw ControlError("psgw: agent " + agent_.host + ":" + std::to_string(agent_.port) + ": " +
                           std::string(reason));
    }

private:
    int remaining_ms() const {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
        return left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }

    /// Waits for `events` on fd until the deadline.
    void wait(int fd, short events, const char* what) const {
        for (;;) {
            pollfd pfd{fd, events, 0};
            const int rc = ::poll(&pfd, 1, remaining_ms());
            if (rc > 0) return;
            if (rc == 0) fail(std::string("timed out ") + what);
            if (errno != EINTR) fail(std::string("poll: ") + std::strerror(errno));
        }
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
            const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0) {
                last_error = std::strerror(errno);
                continue;
            }
            SocketFd socket(fd);
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
        while (!data.empty()) {
            const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n > 0) {
                data.remove_prefix(static_cast<std::size_t>(n));
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                wait(fd, POLLOUT, "sending the request");
            } else if (n < 0 && errno != EINTR) {
                fail(std::string("send: ") + std::strerror(errno));
            }
        }
    }

    void read_exact(int fd, void* buffer, std::size_t size) const {
        auto* out = static_cast<char*>(buffer);
        while (size > 0) {
            const ssize_t n = ::recv(fd, out, size, 0);
            if (n > 0) {
                out += n;
                size -= static_cast<std::size_t>(n);
            } else if (n == 0) {
                fail("connection closed before the reply was complete");
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                wait(fd, POLLIN, "waiting for the reply");
            } else if (errno != EINTR) {
                fail(std::string("recv: ") + std::strerror(errno));
            }
        }
    }

    const AgentAddress& agent_;
    Clock::time_point deadline_;
};

}  // namespace

StartReply start_relays(const AgentAddress& agent, const StartRequest& request, std::chrono::milliseconds timeout) {
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

void stop_relays(const AgentAddress& agent, std::uint32_t job, std::chrono::milliseconds timeout) {
    Exchange exchange(agent, timeout);
    if (job == 0) exchange.fail("job must be > 0");
    exchange.run(to_json(StopRequest{job}));
}

nlohmann::json list_relays(const AgentAddress& agent, std::chrono::milliseconds timeout) {
    Exchange exchange(agent, timeout);
    nlohmann::json reply = exchange.run(to_json(ListRequest{}));
    reply.erase("v");
    reply.erase("ok");
    return reply;
}

}  // namespace psgw::control
