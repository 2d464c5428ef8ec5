// psgw-prologue: Epilog/PrologSlurmctld entry point; everything else is in psgw_controller.
#include "prologue.hpp"

#include <psgw/version.hpp>

#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
    CLI::App app{"psgw controller prologue (slurm.conf PrologSlurmctld)"};
    std::string config_path;
    app.add_option("--config", config_path, "psgw.conf path (default: $PSGW_CONF, else /etc/psgw/psgw.conf)");
    app.set_version_flag("--version", std::string(psgw::kVersion));
    CLI11_PARSE(app, argc, argv);
    try {
        return psgw::controller::run_prologue(psgw::controller::current_environment(), config_path);
    } catch (const std::exception& error) {
        // run_prologue reports its own failures; this is the last line of defence.
        std::cerr << "psgw-prologue: " << error.what() << "\n";
        return 1;
    }
}
