/*
 * libpsgw — connect to a peer on the other side of a psgw gateway.
 *
 * A job spanning a Cluster and a Booster gets a routing file, named by the
 * environment variable PSP_GW_SERVER, with one line per (cluster node, booster
 * node) pair: "GWADDR:PORT NODEA NODEB". Next to it, "<file>.gw" maps each
 * gateway's cluster-fabric address to its booster-fabric address. libpsgw reads
 * both once (on first use), finds the line for (this node, peer), connects to the
 * gateway's relay and asks it to connect on to the peer. After that the socket is
 * an ordinary TCP byte stream to the peer.
 *
 * All functions are thread-safe. None of them throws or prints. Errors are
 * reported as -1 with errno set; the errno values are the ones connect(2) uses
 * (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, EACCES, ...), see docs/client.md.
 *
 * Environment (read once, on first use):
 *   PSP_GW_SERVER            routing file (set by psgw in every task)
 *   PSGW_LOCAL_ADDRESSES     comma-separated addresses that stand for "this node"
 *                            instead of getifaddrs() (testing, multi-homed nodes)
 */
#ifndef PSGW_PSGW_H
#define PSGW_PSGW_H

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this API; bumped on incompatible changes. */
#define PSGW_API_VERSION 1
/** Library version as "MAJOR.MINOR.PATCH". */
#define PSGW_VERSION_STRING "0.1.0"

/**
 * Connects a new TCP socket to `peer`: through the gateway that the routing file
 * assigns to (this node, peer), or directly if the routing file does not route
 * this pair (or PSP_GW_SERVER is unset).
 *
 * `timeout_ms` bounds the whole operation (connect to the gateway, handshake);
 * a value <= 0 means the default of 10000 ms.
 * Returns a connected, blocking socket (close it with close(2)), or -1 with errno.
 */
int psgw_connect(const struct sockaddr* peer, socklen_t len, int timeout_ms);

/**
 * Like psgw_connect(), on an existing unconnected AF_INET/AF_INET6 SOCK_STREAM
 * socket `fd` (the caller keeps ownership). The socket's O_NONBLOCK flag is
 * restored before returning. If the socket is not bound yet and this node's
 * routing-file address is known, it is bound to that address (port 0) so the
 * relay sees the address it expects.
 * Returns 0 on success, -1 with errno otherwise.
 */
int psgw_connect_fd(int fd, const struct sockaddr* peer, socklen_t len, int timeout_ms);

/**
 * Looks up the gateway for (this node, peer) without connecting.
 * On 1, `*gateway` holds the relay address this node must connect to (the
 * gateway's cluster- or booster-fabric address, depending on this node's side).
 * Returns 1 if routed, 0 if not routed (no routing file, or no line for the pair),
 * -1 with errno on error (EINVAL for a bad argument, ENOENT/EBADMSG when the
 * routing file named by PSP_GW_SERVER cannot be read or parsed).
 */
int psgw_route_lookup(const struct sockaddr* peer, socklen_t len, struct sockaddr_storage* gateway);

/**
 * The one-line reason for the last routing-file load failure ("psgw: FILE:LINE:
 * ..."), or NULL if the routing file loaded fine or was not configured.
 * The string lives as long as the process.
 */
const char* psgw_load_error(void);

/** strerror(3) for the errno values this library sets. Never NULL. */
const char* psgw_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* PSGW_PSGW_H */
