// Running a piece of code as the job user: in a forked child (spawn_call) that
// drops privileges and reports one line back through a pipe.
#pragma once

#include "sys/user_identity.hpp"

#include <functional>
#include <optional>
#include <string>

namespace psgw::sys {

/// Runs `operation` as `user` in a forked child (or directly when no user is given)
/// and returns its payload; the child's exception text becomes a std::runtime_error here.
std::string run_as(const std::optional<UserIdentity>& user, const std::function<std::string()>& operation);

}  // namespace psgw::sys
