// A non-blocking pipe used as the in-kernel buffer of one splice pump.
#pragma once

#include "sys/unique_fd.hpp"

#include <cstddef>

namespace psgw::relay {

/// Owns both ends of a pipe2(O_NONBLOCK|O_CLOEXEC) and knows its capacity in bytes.
class SplicePipe {
public:
    /// Creates a pipe and grows it towards `wanted` bytes with F_SETPIPE_SZ. When the
    /// kernel says EPERM (above pipe-max-size, or the user's pipe-page budget is used
    /// up) it halves the request down to the default size and keeps what it got.
    /// Throws std::system_error if no pipe can be created (EMFILE, ENFILE).
    explicit SplicePipe(std::size_t wanted);

    /// The end splice() reads from.
    int read_fd() const { return read_.get(); }
    /// The end splice() writes to.
    int write_fd() const { return write_.get(); }
    /// Bytes the pipe holds at most (F_GETPIPE_SZ).
    std::size_t capacity() const { return capacity_; }

private:
    sys::UniqueFd read_;    ///< pipe[0]
    sys::UniqueFd write_;   ///< pipe[1]
    std::size_t capacity_;  ///< F_GETPIPE_SZ after growing
};

}  // namespace psgw::relay
