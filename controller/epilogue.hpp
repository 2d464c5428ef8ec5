// psgw-epilogue (EpilogSlurmctld): stop the job's relays, release its gateways,
// and with --gw_cleanup remove the routing file and gateway map psgw created.
#pragma once

#include "job_environment.hpp"
#include "reservation_ledger.hpp"
#include "sys/user_identity.hpp"

#include <string_view>

namespace psgw::controller {

/// Runs the epilogue; returns 0, or 1 if an agent could not be told to stop
/// (the reservation is released regardless, so nothing stays booked).
int run_epilogue(const EnvMap& env, std::string_view config_path);

/// Removes the entry's routing file and map as `user`, each only if it is still
/// the file psgw created (same dev/ino). Returns one log line per file.
std::vector<std::string> remove_created_files(const LedgerEntry& entry, const sys::UserIdentity& user);

}  // namespace psgw::controller
