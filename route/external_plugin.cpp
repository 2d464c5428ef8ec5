// External plugin run; the wire format is documented in psgw-plugin-runner.py.
#include "external_plugin.hpp"
#include <psgw/error.hpp>

#include "plugin_runner_script.hpp"
#include "route/plugin_answer.hpp"
#include "sys/child_process.hpp"

#include <unistd.h>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <system_error>

namespace psgw::route {

std::vector<std::uint32_t> run_external_plugin(const std::filesystem::path& file, const RouteRequest& request,
                                               const std::vector<std::string>& nodes_a,
                                               const std::vector<std::string>& nodes_b,
                                               const std::vector<std::string>& gateways) {
    const std::string who = "psgw: route plugin '" + request.plugin + "'";
    const std::size_t pairs = nodes_a.size() * nodes_b.size();
    const std::size_t width = answer_index_width(gateways.size());

    nlohmann::json input = {{"plugin", file.string()}, {"a", nodes_a}, {"b", nodes_b}, {"gw", gateways}};
    sys::ChildOptions options;
    options.argv = {request.python.string(), "-I", "-B"};
    if (request.runner.empty()) {
        options.argv.insert(options.argv.end(), {"-c", detail::kPluginRunnerScript});
    } else {
        options.argv.push_back(request.runner.string());
    }
    options.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
    std::string home;
    // A plugin is the user's code: it runs as the job user (psgw-runas when we are
    // root or SlurmUser) and never as root.
    if (request.plugin_user ? request.plugin_user->uid == 0 : geteuid() == 0) {
        throw RouteError(who + ": external plugins never run as root" +
                         (request.plugin_user ? "" : "; no job user given (SLURM_JOB_UID)"));
    }
    if (request.plugin_user) {
        options.as_user = request.plugin_user;
        options.env.push_back("USER=" + request.plugin_user->name);
        options.env.push_back("LOGNAME=" + request.plugin_user->name);
        home = request.plugin_user->home;
    } else if (const char* own_home = std::getenv("HOME")) {
        home = own_home;
    }
    // psroute.py's plugins ran in $HOME; the runner changes there if it can.
    if (!home.empty()) options.env.push_back("HOME=" + home);
    options.timeout = request.timeout;
    options.stdin_data = input.dump();
    options.output_limit = pairs * width + 1;  // one byte more reveals an over-long answer

    sys::ChildResult result;
    try {
        result = sys::run_child(options);
    } catch (const std::system_error& e) {
        throw RouteError(who + ": cannot run " + request.python.string() + ": " +
                         std::string(error_body(e.what())));
    }
    if (result.timed_out) {
        throw RouteError(who + ": timed out after " + std::to_string(request.timeout.count()) + " s");
    }
    if (result.exit_code != 0) {
        throw RouteError(who + ": " + runner_failure_reason(result.error_output, result.exit_code));
    }
    return decode_plugin_answer(result.output, pairs, gateways.size(), who);
}

}  // namespace psgw::route
