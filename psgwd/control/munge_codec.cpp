#include "control/munge_codec.hpp"

#include <munge.h>
#include <cstdlib>

namespace psgw::control {
namespace {

/// Clear words for the errors an operator will actually see.
std::string describe(munge_err_t err, munge_ctx_t ctx) {
    std::string what;
    switch (err) {
        case EMUNGE_CRED_REPLAYED:
            what = "MUNGE credential replayed";
            break;
        case EMUNGE_CRED_EXPIRED:
            what = "MUNGE credential expired (clock skew or stale request)";
            break;
        case EMUNGE_CRED_REWOUND:
            what = "MUNGE credential from the future (clock skew)";
            break;
        case EMUNGE_CRED_INVALID:
            what = "invalid MUNGE credential (forged, or another MUNGE key)";
            break;
        case EMUNGE_BAD_CRED:
        case EMUNGE_BAD_VERSION:
        case EMUNGE_BAD_CIPHER:
        case EMUNGE_BAD_MAC:
        case EMUNGE_BAD_ZIP:
        case EMUNGE_BAD_REALM:
            what = "malformed MUNGE credential";
            break;
        case EMUNGE_CRED_UNAUTHORIZED:
            what = "MUNGE credential not meant for this host";
            break;
        case EMUNGE_SOCKET:
            what = "cannot reach munged";
            break;
        case EMUNGE_BAD_LENGTH:
            what = "MUNGE payload too long";
            break;
        default:
            what = std::string("MUNGE error: ") + munge_strerror(err);
            break;
    }
    const char* detail = ctx != nullptr ? munge_ctx_strerror(ctx) : nullptr;
    if (detail != nullptr && *detail != '\0') what += std::string(" (") + detail + ")";
    return what;
}

}  // namespace

void MungeCodec::CtxDeleter::operator()(munge_ctx* ctx) const { munge_ctx_destroy(ctx); }

MungeCodec::Ctx MungeCodec::make_ctx(const std::string& socket) {
    Ctx ctx(munge_ctx_create());
    if (!ctx) throw MungeError("psgw: cannot create a MUNGE context");
    if (!socket.empty()) {
        const munge_err_t err = munge_ctx_set(ctx.get(), MUNGE_OPT_SOCKET, socket.c_str());
        if (err != EMUNGE_SUCCESS)
            throw MungeError("psgw: MUNGE socket '" + socket + "': " + describe(err, ctx.get()));
    }
    // Peer lists compress well; keeps 2 x 1024 peers far below munged's request limit.
    const munge_err_t err = munge_ctx_set(ctx.get(), MUNGE_OPT_ZIP_TYPE, MUNGE_ZIP_ZLIB);
    if (err != EMUNGE_SUCCESS) throw MungeError(std::string(kErrorPrefix) + describe(err, ctx.get()));
    return ctx;
}

MungeCodec::MungeCodec(const std::string& socket)
    : encode_ctx_(make_ctx(socket)), decode_ctx_(make_ctx(socket)) {}

std::string MungeCodec::encode(std::string_view payload, std::optional<uid_t> reader) const {
    // Per call: one codec serves readers of different uids.
    const munge_err_t restrict_err =
        munge_ctx_set(encode_ctx_.get(), MUNGE_OPT_UID_RESTRICTION, reader.value_or(MUNGE_UID_ANY));
    if (restrict_err != EMUNGE_SUCCESS)
        throw MungeError(std::string(kErrorPrefix) + describe(restrict_err, encode_ctx_.get()));
    char* credential = nullptr;
    const munge_err_t err =
        munge_encode(&credential, encode_ctx_.get(), payload.data(), static_cast<int>(payload.size()));
    std::unique_ptr<char, decltype(&std::free)> owner(credential, &std::free);
    if (err != EMUNGE_SUCCESS) throw MungeError(std::string(kErrorPrefix) + describe(err, encode_ctx_.get()));
    return std::string(credential);
}

DecodedCredential MungeCodec::decode(std::string_view credential) const {
    const std::string text(credential);  // munge_decode wants a NUL-terminated string
    void* buffer = nullptr;
    int length = 0;
    DecodedCredential out;
    const munge_err_t err =
        munge_decode(text.c_str(), decode_ctx_.get(), &buffer, &length, &out.uid, &out.gid);
    // Some errors (replayed, expired) still hand back the payload: always free it.
    std::unique_ptr<void, decltype(&std::free)> owner(buffer, &std::free);
    if (err != EMUNGE_SUCCESS) throw MungeError(std::string(kErrorPrefix) + describe(err, decode_ctx_.get()));
    if (buffer != nullptr && length > 0)
        out.payload.assign(static_cast<const char*>(buffer), static_cast<std::size_t>(length));
    return out;
}

}  // namespace psgw::control
