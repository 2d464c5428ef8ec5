// psgw cross-process contract.
//
// Every name, path rule and wire format that travels between two psgw processes
// (psgw_spank.so -> slurmctld prologue -> route generator -> psgwd agent -> relay ->
// client library) is declared here and nowhere else. docs/contract.md mirrors it.
// Changing anything here is a protocol change: bump the matching version constant.
// Every name is a string literal, so name.data() is NUL-terminated (getenv/setenv).
#pragma once

#include <cstdint>
#include <string_view>

namespace psgw::contract {

// ---------------------------------------------------------------------------
// Job-control environment (psmgmt-compatible names).
// psgw_spank.so sets them with spank_job_control_setenv() at submit time.
// PrologSlurmctld/EpilogSlurmctld receive them with Slurm's "SPANK_" prefix
// (CVE-2021-31215); the batch environment as "SLURM_SPANK_" + name. Readers
// must accept the bare name and the prefixed one.
// ---------------------------------------------------------------------------
inline constexpr std::string_view kSlurmSpankPrefix = "SPANK_";

inline constexpr std::string_view kEnvNum = "SLURM_SPANK_PSGW_NUM";               // --gw_num
inline constexpr std::string_view kEnvRouteFile = "SLURM_SPANK_PSGW_ROUTE_FILE";  // --gw_file
inline constexpr std::string_view kEnvCwd = "SLURM_SPANK_PSGW_CWD";               // submit cwd, no --gw_file
inline constexpr std::string_view kEnvPlugin = "SLURM_SPANK_PSGW_PLUGIN";         // --gw_plugin
inline constexpr std::string_view kEnvGwEnv = "SLURM_SPANK_PSGW_ENV";             // --gw_env
inline constexpr std::string_view kEnvCleanup = "SLURM_SPANK_PSGW_CLEANUP";       // --gw_cleanup
inline constexpr std::string_view kEnvBinary = "SLURM_SPANK_PSGWD_BINARY";        // --gw_binary
inline constexpr std::string_view kEnvPerNode = "SLURM_SPANK_PSGWD_PER_NODE";     // --gw_psgwd_per_node
inline constexpr std::string_view kEnvQuiet = "SLURM_SPANK_PSGW_QUIET";           // --gw_quiet
inline constexpr std::string_view kEnvDebug = "SLURM_SPANK_PSGWD_DEBUG";          // --gw_debug
inline constexpr std::string_view kEnvLdLib = "SLURM_SPANK_PSGWD_LD_LIB";         // --gw_inherit
inline constexpr std::string_view kEnvPspPrefix = "SLURM_SPANK_PSGWD_PSP_";       // --gw_inherit

// Set in every task (remote context) and the batch script: the routing file.
inline constexpr std::string_view kEnvGwServer = "PSP_GW_SERVER";

// Route generator environment (psmgmt psroute.py contract).
inline constexpr std::string_view kEnvNumGateways = "NUM_GATEWAYS";
inline constexpr std::string_view kEnvGatewayAddrPrefix = "GATEWAY_ADDR_";  // + index 0..N-1
// psroute.py read the routing file path from psslurm's prefixed copy; psgw-route accepts both.
inline constexpr std::string_view kEnvPsslurmGwServer = "_PSSLURM_ENV_PSP_GW_SERVER";
// psgw additions: the node column values of the routing file, as hostlists
// (psroute.py derived them from psconfig; psgw's controller passes them explicitly).
inline constexpr std::string_view kEnvNodesA = "PSGW_NODES_A";
inline constexpr std::string_view kEnvNodesB = "PSGW_NODES_B";

// --gw_psgwd_per_node / psgw-ctl --relays / the agent's "relays": relays per gateway
// node, 1..kMaxPsgwdPerNode. psmgmt documents no maximum; 32 keeps one job from
// taking a gateway node's ports and cores.
inline constexpr unsigned kMaxPsgwdPerNode = 32;

// Controller -> psgw_error (PSGW_ERROR in psgw.conf): why the prologue failed, one line.
inline constexpr std::string_view kEnvErrorReason = "PSGW_ERROR_REASON";
// Controller -> psgw_error: whether a retry can help. "permanent": the job itself is
// wrong (its options, its plugin, its files, a job of root); the shipped psgw_error
// holds it. "transient": no gateway free, an agent down, a timeout; it is retried.
inline constexpr std::string_view kEnvErrorKind = "PSGW_ERROR_KIND";
inline constexpr std::string_view kErrorKindPermanent = "permanent";
inline constexpr std::string_view kErrorKindTransient = "transient";
// Controller -> ROUTE_SCRIPT: "1" asks the route script for verbose output
// (DEBUG_MASK bit 0x40 or --gw_debug), as psmgmt set it for psroute.py.
inline constexpr std::string_view kEnvRouteVerbose = "PSGW_VERBOSE";
// Any psgw program: psgw.conf location when no --config is given.
inline constexpr std::string_view kEnvConfigPath = "PSGW_CONF";

// psgwd agent -> relay: environment of each relay process.
inline constexpr std::string_view kEnvPsgwdId = "PSGWD_ID";        // relay index on this gateway, 0..n-1
inline constexpr std::string_view kEnvPsgwdDebug = "PSGWD_DEBUG";  // "1" with --gw_debug

// Job tasks -> client library / preload shim (set by the user or the job script).
inline constexpr std::string_view kEnvClientDebug = "PSGW_DEBUG";  // "1": the preload logs to stderr
inline constexpr std::string_view kEnvConnectTimeoutMs = "PSGW_CONNECT_TIMEOUT_MS";  // > 0, default 10000
// Comma-separated addresses that stand for this node instead of getifaddrs().
inline constexpr std::string_view kEnvLocalAddresses = "PSGW_LOCAL_ADDRESSES";

// Slurm variables the controller side reads.
inline constexpr std::string_view kEnvHetNodelist = "SLURM_HET_JOB_NODELIST";
inline constexpr std::string_view kEnvPackNodelist = "SLURM_PACK_JOB_NODELIST";  // pre-20.02 name
inline constexpr std::string_view kEnvJobNodelist = "SLURM_JOB_NODELIST";
inline constexpr std::string_view kEnvHetOffset = "SLURM_HET_JOB_OFFSET";
inline constexpr std::string_view kEnvHetJobId = "SLURM_HET_JOB_ID";

// ---------------------------------------------------------------------------
// Files.
// Routing file: "<--gw_file>" or "<SLURM_SPANK_PSGW_CWD or $HOME>/<DEFAULT_ROUTE_PREFIX>-<jobid>"
// where jobid is the het leader's id. One line per (A node, B node):
//     "ADDR:PORT NODEA NODEB\n"   (see docs/route-file.md)
// Gateway map, next to it: "<routing file>" + kGatewayMapSuffix, one line per gateway:
//     "CLUSTER_ADDR BOOSTER_ADDR\n"
// It lets a booster-side client translate the gateway's cluster-fabric address (the
// one the psmgmt format carries) into the address it can reach on its own fabric.
// ---------------------------------------------------------------------------
inline constexpr std::string_view kDefaultRoutePrefix = "psgw-route";
inline constexpr std::string_view kGatewayMapSuffix = ".gw";
// Error file in the job's working directory, appended to as the job user.
//     "<cwd>/JOB-<jobid>-psgw.err"
inline constexpr std::string_view kErrFilePrefix = "JOB-";
inline constexpr std::string_view kErrFileSuffix = "-psgw.err";

// ---------------------------------------------------------------------------
// Relay handshake (client -> relay, TCP), version 1. All integers big-endian.
//   Hello (24 bytes):  "PSGW" | u8 version=1 | u8 family (4 or 6) | u16 dest port |
//                      u8 dest addr[16] (IPv4 in the first 4 bytes, rest zero)
//   Reply (8 bytes):   "PSGW" | u8 version=1 | u8 RelayStatus | u16 reserved=0
// The relay sends the reply after it has connected to the destination (or failed).
// After kOk both directions are a plain byte stream.
// ---------------------------------------------------------------------------
inline constexpr char kRelayMagic[4] = {'P', 'S', 'G', 'W'};
inline constexpr std::uint8_t kRelayVersion = 1;
inline constexpr std::size_t kRelayHelloSize = 24;
inline constexpr std::size_t kRelayReplySize = 8;

enum class RelayStatus : std::uint8_t {
    kOk = 0,
    kBadVersion = 1,      // unknown version or magic
    kMalformed = 2,       // bad family, truncated hello
    kSourceNotInJob = 3,  // the client's address is not a job node on this fabric
    kDestNotInJob = 4,    // the destination is not a job node on the other fabric
    kConnectRefused = 5,  // destination refused the connection
    kConnectTimeout = 6,  // destination did not answer in time
    kUnreachable = 7,     // no route / other connect error
    kOverloaded = 8,      // relay at its connection limit
};

// ---------------------------------------------------------------------------
// Agent control protocol (controller -> psgwd agent, TCP on the management
// network), version 2. Each message is framed as: u32 big-endian length | body.
// Request body: a MUNGE credential (munge_encode) whose payload is a JSON object
// with "v":2 and "op": "start" | "stop" | "list", restricted to uid 0 (only the
// root agent can decode it). The agent accepts it only if munge_decode succeeds
// and the credential's uid is 0 or the configured CONTROL_USER.
// Response body: a MUNGE credential minted by the agent (uid 0), restricted to
// the requester's uid once known, whose payload is JSON
// {"v":2,"ok":bool, "error":string?, ...}; clients refuse a reply whose
// credential is not root's. v1 (plain JSON replies) is not accepted.
// Field lists are in docs/protocol.md.
// ---------------------------------------------------------------------------
inline constexpr std::uint32_t kControlVersion = 2;
inline constexpr std::uint16_t kDefaultAgentPort = 6470;
inline constexpr std::uint32_t kMaxControlMessage = 4u << 20;  // 4 MiB: 2 x 1024 peers fits
// Longest JSON payload of a reply: its credential (base64, even uncompressed) stays
// below munged's 1 MiB request limit. Longer lists are cut (docs/protocol.md).
inline constexpr std::size_t kMaxControlReply = 512u << 10;

// Relay readiness line, written by a relay on its ready fd once it listens:
//     "psgw-relay v1 port=<port> pid=<pid>\n"
// The agent starts "psgwd relay --ready-fd 3" with the pipe's write end as fd 3;
// the relay closes it after the line.
inline constexpr std::string_view kRelayReadyTag = "psgw-relay v1";
inline constexpr std::string_view kRelayReadyFdOption = "--ready-fd";
inline constexpr int kRelayReadyFd = 3;

// ---------------------------------------------------------------------------
// psgw-runas: the setuid-root helper through which the controller side acts as the
// job user when it is not root itself (SlurmUser=slurm). Installed mode 4750, group
// SlurmUser's group, at PSGW_RUNAS_DEFAULT (libexec/psgw); kEnvRunas overrides the
// path for the caller (tests, a staged install). Grammar, one request per process:
//     psgw-runas --uid UID [--cwd DIR] [--timeout-ms MS] [--report-fd FD] VERB ARGS
//       write PATH MODE   stdin -> PATH atomically (octal MODE)   stdout: nothing
//       append PATH       stdin appended to PATH                  stdout: nothing
//       remove PATH       unlink a regular file                   stdout: "1" or "0"
//       stat PATH         lstat a regular file                    stdout: "DEV INO" or ""
//       exec -- ARGV...   run ARGV (absolute argv[0]) in its own session; when it
//                         exits or times out, every process it started is killed.
// Exit 0 on success; on a refusal or failure one "psgw: ..." line on stderr and exit
// kRunasRefused. With --report-fd, exec writes "exit CODE\n" (128+signal) or
// "timeout\n" to FD (never inherited by ARGV), and the helper's own exit code is
// 0 unless the helper itself failed.
// ---------------------------------------------------------------------------
inline constexpr std::string_view kEnvRunas = "PSGW_RUNAS";
inline constexpr int kRunasRefused = 125;

}  // namespace psgw::contract
