// An owning file descriptor: closed exactly once, movable, not copyable.
#pragma once

#include <unistd.h>
#include <utility>

namespace psgw::sys {

/// Owns one file descriptor (-1: none).
class UniqueFd {
public:
    UniqueFd() = default;
    /// Takes ownership of `fd`.
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    /// The descriptor, still owned.
    int get() const { return fd_; }
    /// True if a descriptor is held.
    explicit operator bool() const { return fd_ >= 0; }
    /// Closes the held descriptor and takes `fd` instead.
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    /// Gives up ownership.
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_ = -1;
};

}  // namespace psgw::sys
