// External psmgmt-style Python plugins through the runner: equivalence with the
// built-ins, psroute's conventions, and every kind of broken plugin.
#include "route/route_generator.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace psgw::route {
namespace {

// psmgmt-style plugins, written for these tests from the documented definitions.
constexpr const char* kS01 =
    "def routeConnectionS(sizeA, sizeB, numGw, i, j):\n"
    "    return None, (i + j) % numGw\n"
    "routeConnectionX = None\n";
constexpr const char* kS02 =
    "def routeConnectionS(sizeA, sizeB, numGw, i, j):\n"
    "    relA = i - i  # psmgmt plugin02 computes this, always 0\n"
    "    relB = (j - i) % sizeB\n"
    "    return None, (i + (relA + relB) % numGw) % numGw\n";
constexpr const char* kS03 =
    "import itertools\n"
    "def routeConnectionS(sizeA, sizeB, numGw, i, j):\n"
    "    pairs = list(itertools.product(range(sizeA), range(sizeB)))\n"
    "    return None, pairs.index((i, j)) % numGw\n";
constexpr const char* kX01 =
    "def routeConnectionX(nodesA, nodesB, gwList, a, b):\n"
    "    print('chatty plugin output must not corrupt the result')\n"
    "    return None, gwList[(nodesA.index(a) + nodesB.index(b)) % len(gwList)]\n";

class ExternalPlugin : public ::testing::Test {
protected:
    RouteRequest make(const std::string& plugin) const {
        RouteRequest r;
        r.nodes_a = {"c3", "c1", "c2", "c4", "c5"};
        r.nodes_b = {"b1", "b2", "b3", "b4", "b5", "b6", "b7"};
        r.gateways = {"10.0.0.2:41000", "10.0.0.1:41000", "10.0.0.3:41000", "10.0.0.1:41001"};
        r.plugin = plugin;
        r.plugin_dir = dir_.path();
        r.timeout = std::chrono::seconds(20);
        r.plugin_user = test::nobody_if_root();  // as root, plugins only ever run as a job user
        return r;
    }
    std::string plugin(const std::string& name, const std::string& code) const {
        return dir_.write(name, code).string();
    }
    /// Asserts a RouteError naming the plugin and containing `fragment`.
    void expect_failure(const RouteRequest& r, const std::string& fragment) const {
        try {
            generate_routes(r);
            ADD_FAILURE() << "no error for " << r.plugin;
        } catch (const RouteError& e) {
            std::string message = e.what();
            EXPECT_TRUE(message.starts_with("psgw: route plugin '" + r.plugin + "'")) << message;
            EXPECT_NE(message.find(fragment), std::string::npos) << message;
            EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        }
    }
    test::TempDir dir_;
};

TEST_F(ExternalPlugin, SPluginsMatchTheBuiltins) {
    EXPECT_EQ(generate_routes(make(plugin("s01.py", kS01))), generate_routes(make("plugin01")));
    EXPECT_EQ(generate_routes(make(plugin("s02.py", kS02))), generate_routes(make("plugin02")));
    EXPECT_EQ(generate_routes(make(plugin("s03.py", kS03))), generate_routes(make("plugin03")));
}

TEST_F(ExternalPlugin, XPluginMatchesPlugin01) {
    EXPECT_EQ(generate_routes(make(plugin("x01.py", kX01))), generate_routes(make("plugin01")));
}

TEST_F(ExternalPlugin, InstalledRunnerFileBehavesLikeTheEmbeddedCopy) {
    auto r = make(plugin("x01.py", kX01));
    // A copy the plugin user can read wherever the checkout is (a clone in /root).
    r.runner = dir_.path() / "psgw-plugin-runner.py";
    std::filesystem::copy_file(PSGW_RUNNER_SOURCE, r.runner);
    EXPECT_EQ(generate_routes(r), generate_routes(make("plugin01")));
}

TEST_F(ExternalPlugin, BareNameIsLookedUpInPluginDirWithOptionalPy) {
    plugin("mine.py", kS03);
    EXPECT_EQ(generate_routes(make("mine")), generate_routes(make("plugin03")));
    EXPECT_EQ(generate_routes(make("mine.py")), generate_routes(make("plugin03")));
    // A path without ".py" finds the .py file, as psroute's import did.
    EXPECT_EQ(generate_routes(make((dir_.path() / "mine").string())), generate_routes(make("plugin03")));
}

TEST_F(ExternalPlugin, XIsPreferredOverS) {
    auto name = plugin("both.py",
                       "def routeConnectionS(sa, sb, n, i, j):\n    return None, 1\n"
                       "def routeConnectionX(la, lb, gws, a, b):\n    return None, gws[0]\n");
    auto lines = generate_routes(make(name));
    EXPECT_EQ(lines.find("10.0.0.2"), std::string::npos);
    EXPECT_EQ(lines.find("10.0.0.3"), std::string::npos);
}

TEST_F(ExternalPlugin, PythonListIndexConventionsAndZeroErrAreAccepted) {
    // psroute indexed gateways[gwId], so -1 is the last gateway; err 0 counts as success.
    auto name = plugin("neg.py", "def routeConnectionS(sa, sb, n, i, j):\n    return 0, -1\n");
    auto lines = generate_routes(make(name));
    EXPECT_EQ(lines.find("10.0.0.1"), std::string::npos);
    EXPECT_NE(lines.find("10.0.0.3:41000 c1 b1\n"), std::string::npos);
}

TEST_F(ExternalPlugin, BadPluginsFailNamingThePlugin) {
    expect_failure(
        make(plugin("raises.py", "def routeConnectionS(sa, sb, n, i, j):\n    raise ValueError('boom')\n")),
        "ValueError: boom");
    expect_failure(make(plugin("shape.py", "def routeConnectionS(sa, sb, n, i, j):\n    return 3\n")),
                   "returned 3 instead of (err, gateway)");
    expect_failure(make(plugin("err.py", "def routeConnectionS(sa, sb, n, i, j):\n    return 'bad', 0\n")),
                   "returned error 'bad' for pair (0, 0)");
    expect_failure(make(plugin("range.py", "def routeConnectionS(sa, sb, n, i, j):\n    return None, n\n")),
                   "gateway index 3 out of range (3 gateways)");
    expect_failure(make(plugin("type.py", "def routeConnectionS(sa, sb, n, i, j):\n    return None, 'x'\n")),
                   "not an integer");
    expect_failure(
        make(plugin("unknown.py", "def routeConnectionX(la, lb, g, a, b):\n    return None, '192.0.2.1'\n")),
        "unknown gateway '192.0.2.1'");
    expect_failure(make(plugin("neither.py", "routeConnectionX = None\nrouteConnectionS = None\n")),
                   "neither routeConnectionX() nor routeConnectionS() defined");
    expect_failure(make(plugin("syntax.py", "def routeConnectionS(:\n")), "SyntaxError");
    expect_failure(make(plugin("exits.py", "import sys\nsys.exit(4)\n")), "SystemExit: 4");
    expect_failure(make((dir_.path() / "absent.py").string()), "no such plugin file");
    expect_failure(make("absent"), "no such plugin file");
}

TEST_F(ExternalPlugin, PluginMayImportModulesNextToIt) {
    // psroute.py appended the plugin's directory to sys.path.
    dir_.write("topology_helper.py", "def pick(n):\n    return n - 1\n");
    auto name = plugin("uses_helper.py",
                       "import topology_helper\n"
                       "def routeConnectionS(sa, sb, n, i, j):\n    return None, topology_helper.pick(n)\n");
    auto lines = generate_routes(make(name));
    EXPECT_NE(lines.find("10.0.0.3:41000 c1 b1\n"), std::string::npos) << lines;
}

TEST_F(ExternalPlugin, PluginRunsInHomeLikePsroute) {
    auto r = make(plugin("where.py",
                         "import os\n"
                         "raise RuntimeError('cwd=%s home=%s' % (os.getcwd(), os.environ.get('HOME')))\n"));
    std::string home;
    if (r.plugin_user) {
        r.plugin_user->home = dir_.path().string();  // nobody's own home does not exist
        home = r.plugin_user->home;
    } else {
        const char* own = std::getenv("HOME");
        if (own == nullptr || *own != '/') GTEST_SKIP() << "needs HOME";
        home = own;
    }
    const std::string dir = std::filesystem::canonical(home).string();
    expect_failure(r, "RuntimeError: cwd=" + dir + " home=" + home);
}

TEST_F(ExternalPlugin, NeverRunsAsRoot) {
    auto r = make(plugin("s01.py", kS01));
    r.plugin_user = sys::UserIdentity{0, 0, "root", "/root"};
    expect_failure(r, "external plugins never run as root");
    if (geteuid() == 0) {
        r.plugin_user.reset();
        expect_failure(r, "external plugins never run as root; no job user given (SLURM_JOB_UID)");
    }
}

TEST_F(ExternalPlugin, StrictModeAllowsOnlyPluginsInThePluginDir) {
    test::TempDir elsewhere;
    const auto outside = elsewhere.write("site.py", kS01);
    auto r = make(outside.string());
    r.only_plugin_dir = true;
    expect_failure(r, "STRICT_MODE=1 allows only plugins in " + dir_.path().string());
    // A symlink inside the directory that leads out of it is outside too.
    std::filesystem::create_symlink(outside, dir_.path() / "link.py");
    r.plugin = "link";
    expect_failure(r, "STRICT_MODE=1 allows only plugins in");
    r.plugin = plugin("inside.py", kS01);
    EXPECT_NO_THROW(generate_routes(r));
}

TEST_F(ExternalPlugin, TimeoutKillsThePlugin) {
    auto r = make(plugin("slow.py", "import time\ntime.sleep(120)\n"));
    r.timeout = std::chrono::seconds(1);
    expect_failure(r, "timed out after 1 s");
}

TEST_F(ExternalPlugin, MissingInterpreterIsARouteError) {
    auto r = make(plugin("s01.py", kS01));
    r.python = "/nonexistent/python3";
    expect_failure(r, "cannot run /nonexistent/python3");
}

TEST_F(ExternalPlugin, RunsAsThePluginUser) {
    auto nobody = test::nobody_if_root();
    if (!nobody) GTEST_SKIP() << "needs root and user nobody";
    auto r = make(plugin("whoami.py", "import os\nraise RuntimeError('uid=%d' % os.getuid())\n"));
    r.plugin_user = nobody;
    expect_failure(r, "RuntimeError: uid=" + std::to_string(nobody->uid));
}

}  // namespace
}  // namespace psgw::route
