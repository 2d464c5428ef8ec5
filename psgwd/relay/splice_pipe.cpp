#include "relay/splice_pipe.hpp"

#include "relay/relay_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

namespace psgw::relay {

namespace {

constexpr std::size_t kDefaultPipeSize = 65536;  // Linux default: 16 pages

}  // namespace

SplicePipe::SplicePipe(std::size_t wanted) : capacity_(kDefaultPipeSize) {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::system_category(), "pipe2");
    }
    read_.reset(fds[0]);
    write_.reset(fds[1]);

    std::size_t ask = wanted;
    for (;;) {
        if (::fcntl(write_.get(), F_SETPIPE_SZ, static_cast<int>(ask)) >= 0) break;
        if (errno != EPERM || ask <= kDefaultPipeSize) break;  // keep the default size
        ask /= 2;
    }
    const int size = ::fcntl(write_.get(), F_GETPIPE_SZ);
    if (size > 0) capacity_ = static_cast<std::size_t>(size);
    if (capacity_ < wanted) {
        // Report what the kernel really gave (F_GETPIPE_SZ): past the user's pipe budget
        // even a default pipe is 2 pages, whatever size was asked for.
        static std::atomic<bool> warned{false};  // once per process: it repeats for every pipe
        if (!warned.exchange(true)) {
            relay_log().warn(
                "pipe_size {} not granted (fs.pipe-max-size or the user's fs.pipe-user-pages-soft budget); "
                "this pipe holds {} bytes (F_GETPIPE_SZ)",
                wanted, capacity_);
        }
    }
}

}  // namespace psgw::relay
