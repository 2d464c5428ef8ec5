#include "test_support.hpp"

#include "sys/child_process.hpp"
#include "wire/relay_handshake.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace psgw::client::test {

std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string kv = *e;
        const std::string key = kv.substr(0, kv.find('='));
        if (!overrides.contains(key)) env.push_back(kv);
    }
    for (const auto& [k, v] : overrides) {
        if (!v.empty()) env.push_back(k + "=" + v);
    }
    return env;
}

Finished run(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    sys::ChildOptions opt;
    opt.argv = argv;
    opt.env = env;
    opt.timeout = std::chrono::seconds(60);
    opt.working_dir = "/tmp";
    const sys::ChildResult r = sys::run_child(opt);
    return Finished{r.timed_out ? -1 : r.exit_code, r.output, r.error_output};
}

Background::Background(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& input) {
    int in[2];
    int out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
        ::dup2(in[0], STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    out_ = out[0];
    std::size_t done = 0;
    while (done < input.size()) {
        const ssize_t n = ::write(in[1], input.data() + done, input.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
}

Background::~Background() { stop(); }

std::string Background::read_line() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (true) {
        const auto nl = buffered_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffered_.substr(0, nl);
            buffered_.erase(0, nl + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                .count();
        if (left <= 0 || out_ < 0) return "";
        pollfd p{out_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) return "";
        char buf[512];
        const ssize_t n = ::read(out_, buf, sizeof buf);
        if (n <= 0) return "";
        buffered_.append(buf, static_cast<std::size_t>(n));
    }
}

int Background::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {  // up to 5 s, then SIGKILL
        if (::waitpid(pid_, &status, WNOHANG) == pid_) break;
        if (i == 99) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
        ::usleep(50000);
    }
    pid_ = -1;
    if (out_ >= 0) ::close(out_);
    out_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

EchoServer::EchoServer(const std::string& addr) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(listener_, 16) != 0) {
        throw std::runtime_error("echo server: bind " + addr + ": " + std::strerror(errno));
    }
    socklen_t len = sizeof sa;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    acceptor_ = std::thread([this] { serve(); });
}

EchoServer::~EchoServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& w : workers_) w.join();
    ::close(listener_);
}

std::vector<std::string> EchoServer::clients() {
    const std::lock_guard lock(mutex_);
    return clients_;
}

void EchoServer::serve() {
    while (!stop_) {
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        sockaddr_in peer{};
        socklen_t len = sizeof peer;
        const int fd = ::accept4(listener_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
        if (fd < 0) continue;
        char text[INET_ADDRSTRLEN] = "";
        ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
        {
            const std::lock_guard lock(mutex_);
            clients_.emplace_back(text);
        }
        workers_.emplace_back([fd, this] {
            char buf[65536];
            while (!stop_) {
                pollfd q{fd, POLLIN, 0};
                if (::poll(&q, 1, 100) <= 0) continue;
                const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0) break;
                if (::send(fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
            }
            ::close(fd);
        });
    }
}

CorruptingRelay::CorruptingRelay(std::uint64_t flip_at) : flip_at_(flip_at) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(listener_, 4) != 0) {
        throw std::runtime_error("corrupting relay: bind");
    }
    socklen_t len = sizeof sa;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this] { serve(); });
}

CorruptingRelay::~CorruptingRelay() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
}

void CorruptingRelay::serve() {
    while (!stop_) {
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        relay_one(client);
        ::close(client);
    }
}

void CorruptingRelay::relay_one(int client) {
    const timeval tv{10, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    wire::HelloBytes hello{};
    if (::recv(client, hello.data(), hello.size(), MSG_WAITALL) != static_cast<ssize_t>(hello.size())) return;
    const auto dest = wire::decode_hello(hello);
    if (!dest) return;
    const int out = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(out, reinterpret_cast<const sockaddr*>(&*dest), sizeof(sockaddr_in)) != 0) {
        ::close(out);
        return;
    }
    const auto reply = wire::encode_reply(contract::RelayStatus::kOk);
    ::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
    std::uint64_t forwarded = 0;  // client -> destination
    char buf[65536];
    while (!stop_) {
        pollfd p[2] = {{client, POLLIN, 0}, {out, POLLIN, 0}};
        if (::poll(p, 2, 100) <= 0) continue;
        bool done = false;
        for (int i = 0; i < 2 && !done; ++i) {
            if (p[i].revents == 0) continue;
            const ssize_t n = ::recv(p[i].fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0) {
                done = n == 0 || (errno != EAGAIN && errno != EINTR);
                continue;
            }
            if (i == 0 && forwarded <= flip_at_ && flip_at_ < forwarded + static_cast<std::uint64_t>(n)) {
                buf[flip_at_ - forwarded] ^= 0x10;
            }
            if (i == 0) forwarded += static_cast<std::uint64_t>(n);
            const int to = i == 0 ? out : client;
            ssize_t sent = 0;
            while (sent < n) {
                const ssize_t w = ::send(to, buf + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
                if (w <= 0) {
                    done = true;
                    break;
                }
                sent += w;
            }
        }
        if (done) break;
    }
    ::close(out);
}

LoopbackGateway::LoopbackGateway() {
    char tmpl[] = "/tmp/psgw-client-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
    stats_file_ = dir_ + "/relay-stats.json";
    const nlohmann::json config = {
        {"job", 4242},
        {"cluster_addr", "127.0.0.1"},
        {"booster_addr", "127.0.0.2"},
        {"ports", {{"first", 42100}, {"last", 42999}}},
        {"cluster_peers", {"127.0.0.3"}},
        {"booster_peers", {"127.0.0.4"}},
        {"connect_timeout_ms", 3000},
        {"stats_file", stats_file_},
        {"log_level", "warn"},
    };
    relay_ = std::make_unique<Background>(std::vector<std::string>{PSGWD_BINARY_PATH, "relay"},
                                          environment_with({}), config.dump());
    const std::string ready = relay_->read_line();
    const auto pos = ready.find(" port=");
    if (ready.rfind("psgw-relay v1", 0) != 0 || pos == std::string::npos) {
        throw std::runtime_error("relay did not become ready: '" + ready + "'");
    }
    port_ = static_cast<std::uint16_t>(std::stoi(ready.substr(pos + 6)));
    route_file_ = dir_ + "/psgw-route-4242";
    std::ofstream(route_file_) << "127.0.0.1:" << port_ << " 127.0.0.3 127.0.0.4\n";
    std::ofstream(route_file_ + ".gw") << "127.0.0.1 127.0.0.2\n";
}

LoopbackGateway::~LoopbackGateway() {
    relay_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::uint64_t LoopbackGateway::wait_stat(const std::string& key, std::uint64_t at_least) {
    std::uint64_t value = 0;
    for (int i = 0; i < 100; ++i) {  // the relay rewrites the file every second; wait up to 10 s
        std::ifstream in(stats_file_);
        std::stringstream ss;
        ss << in.rdbuf();
        const auto j = nlohmann::json::parse(ss.str(), nullptr, false);
        if (!j.is_discarded() && j.contains(key)) value = j[key].get<std::uint64_t>();
        if (value >= at_least) break;
        ::usleep(100000);
    }
    return value;
}

}  // namespace psgw::client::test
