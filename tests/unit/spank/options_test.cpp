// Pure option validation and plugstack.conf arguments (no hooks).
#include "options.hpp"
#include "plugin_args.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace psgw::spank {
namespace {

std::string error_of(auto&& body) {
    try {
        body();
    } catch (const OptionError& error) {
        return error.what();
    }
    return "";
}

TEST(Options, TableHasTheTenPsmgmtOptionsWithPsgwHelp) {
    std::vector<std::string> names;
    for (const auto& def : option_defs()) {
        names.emplace_back(def.name);
        EXPECT_TRUE(def.usage.starts_with("[psgw] ")) << def.name;
        EXPECT_EQ(&option_def(def.id), &def);
    }
    EXPECT_EQ(names,
              (std::vector<std::string>{"gw_num", "gw_file", "gw_plugin", "gw_env", "gw_cleanup", "gw_binary",
                                        "gw_psgwd_per_node", "gw_quiet", "gw_debug", "gw_inherit"}));
}

TEST(Options, NumAndPerNodeRanges) {
    EXPECT_EQ(validate_num("1"), 1u);
    EXPECT_EQ(validate_num("1024"), 1024u);
    EXPECT_EQ(validate_per_node("32"), 32u);
    EXPECT_EQ(error_of([] { validate_num("1025"); }),
              "psgw: --gw_num=1025 is invalid: expected a decimal number in 1..1024");
    EXPECT_EQ(error_of([] { validate_per_node("33"); }),
              "psgw: --gw_psgwd_per_node=33 is invalid: expected a decimal number in 1..32");
}

TEST(Options, PluginResolution) {
    const auto dir = std::filesystem::path(::testing::TempDir()) / "psgw-options-plugins";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "mine.py") << "def routeConnectionS(a, b, g, i, j):\n    return (0, 0)\n";
    config::Config cfg;
    cfg.dir_route_scripts = dir;
    EXPECT_EQ(resolve_plugin("plugin01", cfg), "plugin01");
    EXPECT_EQ(resolve_plugin("plugin03.py", cfg), "plugin03");
    const std::string real = std::filesystem::canonical(dir / "mine.py").string();
    EXPECT_EQ(resolve_plugin("mine", cfg), real);
    EXPECT_EQ(resolve_plugin("mine.py", cfg), real);
    EXPECT_EQ(resolve_plugin((dir / "." / "mine.py").string(), cfg), real);
    EXPECT_EQ(error_of([&] { resolve_plugin("other", cfg); }),
              "psgw: --gw_plugin=other is invalid: not built in (plugin01, plugin02, plugin03) and not "
              "found in " +
                  dir.string() + " as other or other.py");
    EXPECT_EQ(error_of([&] { resolve_plugin(dir.string() + "/", cfg); }),
              "psgw: --gw_plugin=" + dir.string() + "/ is invalid: no such regular file");
}

TEST(Options, StrictModeAllowsOnlyPluginPathsInDirRouteScripts) {
    const auto base = std::filesystem::path(::testing::TempDir()) / "psgw-options-strict";
    std::filesystem::create_directories(base / "site");
    std::filesystem::create_directories(base / "home");
    std::ofstream(base / "site" / "ok.py") << "def routeConnectionS(a, b, g, i, j):\n    return (0, 0)\n";
    std::ofstream(base / "home" / "mine.py") << "def routeConnectionS(a, b, g, i, j):\n    return (0, 0)\n";
    std::filesystem::remove(base / "site" / "out.py");
    std::filesystem::create_symlink(base / "home" / "mine.py", base / "site" / "out.py");
    config::Config cfg;
    cfg.dir_route_scripts = base / "site";
    ASSERT_TRUE(cfg.strict_mode);  // the default
    const std::string home_plugin = (base / "home" / "mine.py").string();
    EXPECT_EQ(error_of([&] { resolve_plugin(home_plugin, cfg); }),
              "psgw: --gw_plugin=" + home_plugin + " is invalid: STRICT_MODE=1 allows only plugins in " +
                  (base / "site").string());
    const std::string link = (base / "site" / "out.py").string();
    EXPECT_NE(error_of([&] { resolve_plugin(link, cfg); }).find("STRICT_MODE=1 allows only plugins in"),
              std::string::npos);
    EXPECT_EQ(resolve_plugin((base / "site" / "ok.py").string(), cfg),
              std::filesystem::canonical(base / "site" / "ok.py").string());
    cfg.strict_mode = false;
    EXPECT_EQ(resolve_plugin(home_plugin, cfg), std::filesystem::canonical(home_plugin).string());
}

TEST(Options, EnvTokensAreCheckedNeverEvaluated) {
    EXPECT_EQ(validate_env("A=1  PSP_X=$(reboot)"), "A=1  PSP_X=$(reboot)");
    EXPECT_EQ(error_of([] { validate_env("A=1 $(reboot)"); }),
              "psgw: --gw_env=A=1 $(reboot) is invalid: token '$(reboot)' is not KEY=VALUE");
    EXPECT_EQ(error_of([] { validate_env("  "); }),
              "psgw: --gw_env=   is invalid: expected KEY=VALUE tokens");
}

// Found by tests/fuzz/gw_options_fuzz: a value with a newline or a NUL made the error
// two lines (or cut it short in srun's output).
TEST(Options, ControlCharactersInAValueAreShownEscapedOnOneLine) {
    EXPECT_EQ(error_of([] { validate_env(std::string("PATH=/b\n\0\x1b", 10)); }),
              "psgw: --gw_env=PATH=/b\\n\\x00\\x1b is invalid: token '\\x00\\x1b' is not KEY=VALUE");
    EXPECT_EQ(error_of([] { validate_num("2\n"); }),
              "psgw: --gw_num=2\\n is invalid: expected a decimal number in 1..1024");
}

TEST(Options, BinaryOnlyWithoutStrictMode) {
    config::Config cfg;
    EXPECT_EQ(error_of([&] { validate_binary("/bin/true", cfg); }),
              "psgw: --gw_binary=/bin/true is not allowed: STRICT_MODE is on");
    cfg.strict_mode = false;
    EXPECT_EQ(validate_binary("/bin/true", cfg), "/bin/true");
    EXPECT_EQ(error_of([&] { validate_binary("/etc/passwd", cfg); }),
              "psgw: --gw_binary=/etc/passwd is invalid: expected an absolute path to an executable file");
    EXPECT_EQ(error_of([&] { validate_binary("true", cfg); }),
              "psgw: --gw_binary=true is invalid: expected an absolute path to an executable file");
}

TEST(Options, FlagRepeatedWithAnyValueIsTheSameFlag) {
    // sbatch re-applies a het job's flags from the environment with optarg "(null)".
    OptionSet options;
    const config::Config cfg;
    options.set(Opt::kQuiet, nullptr, 0, &cfg);
    EXPECT_EQ(error_of([&] { options.set(Opt::kQuiet, "(null)", 1, &cfg); }), "");
    EXPECT_EQ(options.raw(Opt::kQuiet), "");
    options.check_components();  // still seen in component 0 only
}

TEST(PluginArgs, OnlyAbsoluteConf) {
    EXPECT_EQ(parse_plugin_args({}).conf, "");
    EXPECT_EQ(parse_plugin_args({"conf=/etc/psgw/psgw.conf"}).conf, "/etc/psgw/psgw.conf");
    EXPECT_EQ(error_of([] { parse_plugin_args({"debug=1"}); }),
              "psgw: unknown plugstack.conf argument 'debug=1' (only conf=/abs/path is known)");
    EXPECT_EQ(error_of([] { parse_plugin_args({"conf=psgw.conf"}); }),
              "psgw: plugstack.conf argument 'conf=psgw.conf': expected an absolute path");
    EXPECT_EQ(error_of([] {
                  parse_plugin_args({"conf=/a", "conf=/b"});
              }),
              "psgw: plugstack.conf argument 'conf=/b' repeats conf=");
}

}  // namespace
}  // namespace psgw::spank
