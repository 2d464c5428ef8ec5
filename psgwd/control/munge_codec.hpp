// MUNGE credentials around control payloads: the controller encodes, the agent
// decodes and learns the sender's uid — the same mechanism Slurm itself trusts.
#pragma once

#include <psgw/error.hpp>

#include <sys/types.h>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct munge_ctx;

namespace psgw::control {

/// Encode/decode failure; what() is one line, e.g. "MUNGE credential replayed".
class MungeError : public psgw::Error {
public:
    using psgw::Error::Error;
};

/// A verified credential: the payload and who created it.
struct DecodedCredential {
    std::string payload;
    uid_t uid = 0;
    gid_t gid = 0;
};

/// Owns one munge_ctx; talks to munged on `socket` (empty: libmunge's default).
class MungeCodec {
public:
    /// Throws MungeError if the context cannot be created or the socket option set.
    explicit MungeCodec(const std::string& socket = {});

    /// A credential carrying `payload` (compressed), minted for the calling uid. With
    /// `reader`, only a process of that uid can decode it (MUNGE_OPT_UID_RESTRICTION).
    std::string encode(std::string_view payload, std::optional<uid_t> reader = std::nullopt) const;

    /// Verifies a credential. Throws MungeError for invalid, expired, replayed,
    /// rewound or undecodable credentials and when munged cannot be reached.
    DecodedCredential decode(std::string_view credential) const;

private:
    struct CtxDeleter {
        void operator()(munge_ctx* ctx) const;
    };
    using Ctx = std::unique_ptr<munge_ctx, CtxDeleter>;
    static Ctx make_ctx(const std::string& socket);
    // munge_decode() copies a credential's cipher/MAC types into its context, even a
    // garbage credential's: encoding with that context would fail, so each has its own.
    Ctx encode_ctx_;
    Ctx decode_ctx_;
};

}  // namespace psgw::control
