// psgw-pp: ping-pong latency and streaming bandwidth between two nodes, directly or
// through the job's gateway (in the spirit of pscom_pp).
#include "pp_client.hpp"
#include "pp_io.hpp"
#include "pp_server.hpp"

#include <psgw/version.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app{"psgw-pp: ping-pong latency and stream bandwidth, direct or through a psgw gateway"};
    app.set_version_flag("--version", std::string(psgw::kVersion));
    app.require_subcommand(1);

    psgw::pp::ServerOptions sopt;
    auto* server = app.add_subcommand("server", "wait for clients and answer their tests");
    server->add_option("--listen", sopt.listen, "ADDR:PORT to listen on ([V6]:PORT for IPv6)")
        ->capture_default_str();
    server->add_flag("--once", sopt.once, "exit after the first client (exit code: its result)");
    server->add_option("--io-timeout", sopt.io_timeout_s, "seconds without progress before giving up")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();

    psgw::pp::ClientOptions copt;
    auto* client = app.add_subcommand("client", "run a test against a psgw-pp server");
    client->add_option("--connect", copt.connect, "the server's ADDR:PORT")->required();
    client->add_flag("--via-gateway", copt.via_gateway,
                     "connect through the gateway that PSP_GW_SERVER names for this pair");
    std::string mode = "pingpong";
    client->add_option("--mode", mode, "pingpong (latency) or stream (bandwidth)")
        ->check(CLI::IsMember({"pingpong", "stream"}))
        ->capture_default_str();
    std::string direction = "send";
    client
        ->add_option("--direction", direction,
                     "stream: send (client to server), recv (server to client) or both")
        ->check(CLI::IsMember({"send", "recv", "both"}))
        ->capture_default_str();
    client->add_option("--size", copt.size, "bytes per message/block (default 64 pingpong, 1048576 stream)")
        ->check(CLI::Range(1u, 64u << 20));
    client
        ->add_option("--count", copt.count,
                     "messages/blocks per test at most (default 10000 pingpong, 1024 stream)")
        ->check(CLI::PositiveNumber);
    client->add_option("--seconds", copt.seconds, "time per test at most")
        ->check(CLI::Range(0.001, 3600.0))
        ->capture_default_str();
    client->add_flag("--json", copt.json, "print each result as one JSON object per line");
    client->add_option("--io-timeout", copt.io_timeout_s, "seconds without progress before giving up")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();

    // CLI11's messages become one "psgw: ..." line like every other psgw error.
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return std::string("psgw: ") + e.what() + " (see --help)\n";
    });
    CLI11_PARSE(app, argc, argv);
    copt.mode = mode == "stream" ? psgw::pp::Mode::kStream : psgw::pp::Mode::kPingpong;
    copt.direction = direction == "recv"   ? psgw::pp::Direction::kRecv
                     : direction == "both" ? psgw::pp::Direction::kBoth
                                           : psgw::pp::Direction::kSend;
    try {
        if (server->parsed()) return psgw::pp::run_server(sopt);
        return psgw::pp::run_client(copt);
    } catch (const psgw::pp::PpError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
