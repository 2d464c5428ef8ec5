#include "client_context.hpp"
#include <psgw/error.hpp>

#include "local_addresses.hpp"

#include "psgw/contract.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace psgw::client {
namespace {

ClientContext load_context() noexcept {
    ClientContext ctx;
    const std::string var(contract::kEnvGwServer);
    const char* path = std::getenv(var.c_str());
    if (path == nullptr || *path == '\0') return ctx;
    try {
        ctx.resolver.emplace(RouteResolver::load(path, local_addresses()));
        ctx.state = ClientContext::State::kReady;
    } catch (const RoutingError& e) {
        ctx.state = ClientContext::State::kError;
        ctx.error = e.what();
        ctx.error_errno = e.code();
    } catch (const std::exception& e) {
        ctx.state = ClientContext::State::kError;
        ctx.error = std::string("psgw: loading the routing file: ").append(psgw::error_body(e.what()));
        ctx.error_errno = ENOMEM;
    }
    return ctx;
}

}  // namespace

const ClientContext& client_context() noexcept {
    static std::once_flag once;
    static ClientContext ctx;
    std::call_once(once, [] { ctx = load_context(); });
    return ctx;
}

int default_connect_timeout_ms() noexcept {
    constexpr int kDefault = 10000;
    const char* env = std::getenv(contract::kEnvConnectTimeoutMs.data());
    if (env == nullptr || *env == '\0') return kDefault;
    int value = 0;
    const char* end = env + std::strlen(env);
    const auto [p, ec] = std::from_chars(env, end, value);
    if (ec != std::errc{} || p != end || value <= 0) return kDefault;
    return value;
}

}  // namespace psgw::client
