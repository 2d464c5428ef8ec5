// A decoded value or the RelayStatus that explains why decoding failed.
#pragma once

#include <psgw/contract.hpp>

#include <cassert>
#include <utility>

namespace psgw::wire {

/// Result of a pure decoder: either a value or a RelayStatus error (C++20 has no
/// std::expected). Cheap to copy; never throws.
template <class T>
class Decoded {
public:
    /// A successful result.
    Decoded(T value) : value_(std::move(value)), ok_(true) {}  // NOLINT(google-explicit-constructor)
    /// A failed result.
    static Decoded failure(contract::RelayStatus error) {
        Decoded d;
        d.error_ = error;
        return d;
    }

    /// True when a value is present.
    bool has_value() const noexcept { return ok_; }
    /// Same as has_value().
    explicit operator bool() const noexcept { return ok_; }
    /// The value; only valid when has_value().
    const T& value() const noexcept {
        assert(ok_);
        return value_;
    }
    /// Same as value().
    const T& operator*() const noexcept { return value(); }
    /// Same as &value().
    const T* operator->() const noexcept { return &value(); }
    /// Why decoding failed; only meaningful when !has_value().
    contract::RelayStatus error() const noexcept { return error_; }

private:
    Decoded() = default;
    T value_{};
    contract::RelayStatus error_ = contract::RelayStatus::kOk;
    bool ok_ = false;
};

}  // namespace psgw::wire
