#include "config/psgw_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>

namespace psgw::config {
namespace {

/// The ConfigError message parse() throws for `text`, or "" if it parsed.
std::string error_of(std::string_view text) {
    try {
        parse(text, "test.conf");
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

TEST(ConfigParse, EmptyTextYieldsDefaults) {
    EXPECT_EQ(parse("", "x"), Config{});
    EXPECT_EQ(parse("\n# only a comment\n   \n\t# indented\n", "x"), Config{});
}

TEST(ConfigParse, EveryTableDefaultEqualsTheStructDefault) {
    for (const auto& key : keys()) {
        const std::string line = std::string(key.name) + " = " + std::string(key.default_value);
        EXPECT_EQ(parse(line, "x"), Config{}) << line;
    }
}

TEST(ConfigParse, KeysAreUniqueAndDocumented) {
    std::set<std::string_view> names;
    for (const auto& key : keys()) {
        EXPECT_TRUE(names.insert(key.name).second) << key.name;
        EXPECT_FALSE(key.meaning.empty()) << key.name;
    }
    EXPECT_EQ(names.size(), 36u);  // COMMON.md's fixed key set, plus AGENT_ADDRESS and RELAY_KEEPALIVE
    EXPECT_TRUE(names.contains("MUNGE_SOCKET"));
}

TEST(ConfigParse, ParsesValuesWithOptionalSpacesAndComments) {
    const Config cfg = parse(
        "GATEWAY_TPP=4\n"
        "TIMEOUT_ROUTE_SCRIPT   =   0   # no limit\n"
        "  DEFAULT_ROUTE_PREFIX= route\n"
        "STRICT_MODE = no\n"
        "ROUTE_SCRIPT = /opt/psroute\n"
        "GATEWAY_ENV = PSP_A=1   PSP_B=x#y\n"
        "ROUTE_NODE_COLUMNS = name\n"
        "AGENT_PORT = 7000\n"
        "RELAY_PORTS = 50000-50000\n"
        "TIMEOUT_AGENT = 3\n"
        "MUNGE_SOCKET = /run/m/munge.socket.2\n"
        "PSGW_ERROR =\n"
        "GATEWAY_NODES = gw[01-02]\r\n",
        "x");
    EXPECT_EQ(cfg.gateway_tpp, 4u);
    EXPECT_EQ(cfg.timeout_route_script, std::chrono::seconds{0});
    EXPECT_EQ(cfg.default_route_prefix, "route");
    EXPECT_FALSE(cfg.strict_mode);
    EXPECT_EQ(cfg.route_script, "/opt/psroute");
    EXPECT_EQ(cfg.gateway_env, (std::vector<std::string>{"PSP_A=1", "PSP_B=x#y"}));
    EXPECT_EQ(cfg.route_node_columns, NodeColumns::kName);
    EXPECT_EQ(cfg.agent_port, 7000);
    EXPECT_EQ(cfg.relay_ports, (PortRange{50000, 50000}));
    EXPECT_EQ(cfg.timeout_agent, std::chrono::seconds{3});
    EXPECT_EQ(cfg.munge_socket, "/run/m/munge.socket.2");
    EXPECT_TRUE(cfg.psgw_error.empty());
    EXPECT_EQ(cfg.gateway_nodes, "gw[01-02]");
    EXPECT_EQ(cfg.python, "/usr/bin/python3");  // untouched keys keep defaults
}

TEST(ConfigParse, UnknownKey) {
    EXPECT_EQ(error_of("\nFOO = 1\n"), "psgw: test.conf:2: unknown key 'FOO'");
    EXPECT_EQ(error_of("gateway_tpp = 1"), "psgw: test.conf:1: unknown key 'gateway_tpp'");
}

TEST(ConfigParse, DuplicateKey) {
    EXPECT_EQ(error_of("AGENT_PORT = 1\n# x\nAGENT_PORT = 1\n"),
              "psgw: test.conf:3: duplicate key 'AGENT_PORT' (first set on line 1)");
}

TEST(ConfigParse, MissingEquals) {
    EXPECT_EQ(error_of("AGENT_PORT 6470"), "psgw: test.conf:1: missing '=' in 'AGENT_PORT 6470'");
    EXPECT_EQ(error_of(" = 3"), "psgw: test.conf:1: missing key before '=' in '= 3'");
}

TEST(ConfigParse, BadValuesNameKeyAndValue) {
    EXPECT_EQ(error_of("AGENT_PORT = 0x10"),
              "psgw: test.conf:1: bad value '0x10' for AGENT_PORT: expected a decimal integer in 1..65535");
    EXPECT_EQ(error_of("AGENT_PORT = 65536"),
              "psgw: test.conf:1: bad value '65536' for AGENT_PORT: expected a decimal integer in 1..65535");
    EXPECT_EQ(error_of("TIMEOUT_AGENT = 2.5"),
              "psgw: test.conf:1: bad value '2.5' for TIMEOUT_AGENT: expected a decimal integer in "
              "1..86400 (whole seconds)");
    EXPECT_EQ(error_of("STRICT_MODE = maybe"),
              "psgw: test.conf:1: bad value 'maybe' for STRICT_MODE: expected 0, 1, yes, no, true or false");
    EXPECT_EQ(error_of("RELAY_PORTS = 42000-41000"),
              "psgw: test.conf:1: bad value '42000-41000' for RELAY_PORTS: expected FIRST-LAST with "
              "1 <= FIRST <= LAST <= 65535");
    EXPECT_EQ(error_of("ROUTE_NODE_COLUMNS = ip"),
              "psgw: test.conf:1: bad value 'ip' for ROUTE_NODE_COLUMNS: expected 'address' or 'name'");
    EXPECT_EQ(error_of("GATEWAY_ENV = A=1 oops"),
              "psgw: test.conf:1: bad value 'A=1 oops' for GATEWAY_ENV: token 'oops' is not KEY=VALUE");
    EXPECT_EQ(error_of("STATE_DIR = var/lib"),
              "psgw: test.conf:1: bad value 'var/lib' for STATE_DIR: expected an absolute path");
    EXPECT_EQ(error_of("DEFAULT_ROUTE_PREFIX = a/b"),
              "psgw: test.conf:1: bad value 'a/b' for DEFAULT_ROUTE_PREFIX: expected a file name "
              "prefix without '/' or spaces");
    for (const char* bad :
         {"RELAY_PORTS = 41000", "RELAY_PORTS = -5", "RELAY_PORTS = 0-10", "GATEWAY_TPP = 0",
          "GATEWAY_TPP = -1", "RELAY_PIPE_SIZE = 100", "CONTROL_USER = a b", "TIMEOUT_PROLOGUE = 0",
          "RELAY_KEEPALIVE = -1", "RELAY_KEEPALIVE = 86401"}) {
        EXPECT_NE(error_of(bad).find("bad value"), std::string::npos) << bad;
    }
    EXPECT_EQ(parse("RELAY_KEEPALIVE = 0", "x").relay_keepalive, std::chrono::seconds(0));  // off
    EXPECT_EQ(parse("RELAY_KEEPALIVE = 15", "x").relay_keepalive, std::chrono::seconds(15));
    EXPECT_EQ(Config{}.relay_keepalive, std::chrono::seconds(60));
}

TEST(ConfigParse, EmptyValueOnlyWhereAllowed) {
    EXPECT_EQ(error_of("PSGWD_BINARY ="), "psgw: test.conf:1: empty value for PSGWD_BINARY is not allowed");
    EXPECT_EQ(error_of("AGENT_PORT ="), "psgw: test.conf:1: empty value for AGENT_PORT is not allowed");
    Config expected;
    expected.psgw_error.clear();
    EXPECT_EQ(parse("ROUTE_SCRIPT=\nGATEWAY_ENV=\nGATEWAY_NODES=\nMUNGE_SOCKET=\nPSGW_ERROR=", "x"),
              expected);
}

TEST(ConfigResolvePath, ExplicitThenEnvThenDefault) {
    ::unsetenv("PSGW_CONF");
    EXPECT_EQ(resolve_path(""), kDefaultConfigPath);
    ::setenv("PSGW_CONF", "/tmp/x.conf", 1);
    EXPECT_EQ(resolve_path(""), "/tmp/x.conf");
    EXPECT_EQ(resolve_path("/a/b.conf"), "/a/b.conf");
    ::unsetenv("PSGW_CONF");
}

TEST(ConfigLoad, MissingFileIsAnError) {
    try {
        load("/nonexistent/psgw.conf");
        FAIL() << "no error";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "psgw: cannot read /nonexistent/psgw.conf: No such file or directory");
    }
}

}  // namespace
}  // namespace psgw::config
