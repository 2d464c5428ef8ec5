// Hostlist expansion and compression through libslurm, so psgw reads node lists
// exactly as Slurm writes them.
#include "slurm/hostlist.hpp"

#include <psgw/error.hpp>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include <slurm/slurm.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
// libslurm 22.05's hostlist parser leaks the copied prefix of an expression it rejects
// ("a[3-1]"): a few bytes per invalid hostlist, in libslurm, out of our reach. Every
// sanitized program that parses hostlists links this file, and LeakSanitizer asks for
// its suppressions here (scripts/run-sanitized).
extern "C" const char* __lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier): the LSan hook
    return "leak:slurm_hostlist_create_dims\n";
}
// Without the "Suppressions used" report: a program's stderr stays its own one line.
extern "C" const char* __lsan_default_options() {  // NOLINT(bugprone-reserved-identifier): the LSan hook
    return "print_suppressions=0";
}
#endif
#endif

namespace psgw::slurm {

namespace {

struct HostlistDeleter {
    void operator()(hostlist* list) const { slurm_hostlist_destroy(list); }
};
using Hostlist = std::unique_ptr<hostlist, HostlistDeleter>;

struct FreeDeleter {
    void operator()(char* text) const { std::free(text); }
};
using MallocString = std::unique_ptr<char, FreeDeleter>;

/// libslurm turns an unclosed "x[1-" into the name "x]" instead of failing, so
/// brackets are checked for balance first (the only syntax check done here).
bool brackets_balanced(std::string_view text) {
    bool open = false;
    for (char c : text) {
        if (c == '[') {
            if (open) return false;
            open = true;
        } else if (c == ']') {
            if (!open) return false;
            open = false;
        }
    }
    return !open;
}

}  // namespace

std::vector<std::string> expand_hostlist(std::string_view expression) {
    const std::string text(expression);
    if (!brackets_balanced(text)) throw std::invalid_argument("psgw: invalid hostlist '" + text + "'");
    Hostlist list(slurm_hostlist_create(text.c_str()));
    if (!list) throw std::invalid_argument("psgw: invalid hostlist '" + text + "'");
    std::vector<std::string> names;
    int count = slurm_hostlist_count(list.get());
    if (count > 0) names.reserve(static_cast<std::size_t>(count));
    while (MallocString host{slurm_hostlist_shift(list.get())}) names.emplace_back(host.get());
    if (static_cast<int>(names.size()) != count) {
        throw std::invalid_argument("psgw: cannot expand hostlist '" + text + "'");
    }
    return names;
}

std::string compress_hostlist(const std::vector<std::string>& names) {
    Hostlist list(slurm_hostlist_create(nullptr));
    if (!list) throw psgw::Error("psgw: cannot create a hostlist");
    for (const auto& name : names) {
        if (slurm_hostlist_push_host(list.get(), name.c_str()) != 1) {
            throw std::invalid_argument("psgw: invalid host name '" + name + "'");
        }
    }
    MallocString ranged(slurm_hostlist_ranged_string_malloc(list.get()));
    if (!ranged) throw psgw::Error("psgw: cannot format a hostlist");
    return ranged.get();
}

}  // namespace psgw::slurm
