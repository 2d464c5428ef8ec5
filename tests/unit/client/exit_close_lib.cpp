// libpsgw_test_exit_close.so: a library psgw_test_connect depends on. The dynamic
// linker initialises it before an LD_PRELOAD library and so finalises it after one;
// its ELF destructor closes a socket then, like an MPI library tearing down at exit.
#include <unistd.h>

namespace {
int g_fd = -1;
}

/// Remembers `fd`; the library's destructor closes it during process exit.
extern "C" __attribute__((visibility("default"))) void psgw_test_close_at_exit(int fd) { g_fd = fd; }

__attribute__((destructor)) static void close_remembered_fd() {
    if (g_fd >= 0) ::close(g_fd);
}
