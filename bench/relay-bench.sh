#!/usr/bin/env bash
# Relay benchmark on the psgw test bed (scripts/testbed, must be up; needs root):
# TCP throughput (iperf3) and small-message round trip (psgw-pp pingpong) over
#   direct      gw01 -> booster01                   (the single hop gateway -> booster)
#   psgwd       cluster01 -> psgwd relay on gw01 -> booster01   (LD_PRELOAD / --via-gateway)
#   haproxy*    cluster01 -> HAProxy (mode tcp) on gw01 -> booster01, three configurations:
#               defaults (copy through user space), option splice-auto, and forced splice
#               (splice-request + splice-response, tune.pipesize = the relay's pipe size)
# in ONE run, the variants interleaved round-robin (start rotated per round) so that the
# noise of a shared machine hits all alike; prints medians, ratios and PASS/MISS per target.
# Also the relay processes' CPU time per GB moved (utime+stime from /proc/PID/stat).
#
#   sudo bench/relay-bench.sh [--rounds R] [--seconds T] [--streams "1 4"] [--count N]
#                             [--markdown] [--keep]
#
# Every process it starts runs as the unprivileged test user inside the test-bed nodes, only
# test-bed addresses carry traffic, every client is bounded by `timeout`, and an EXIT trap
# stops every started process by pid. Ports: relay 42000-42019, HAProxy 42080-42085,
# servers on booster01 42090 (iperf3) / 42091 (psgw-pp) — outside RELAY_PORTS 41000-41999.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
TB=${PSGW_TESTBED:-$repo/scripts/testbed}
STATE=${PSGW_TESTBED_STATE:-/var/lib/psgw-testbed}
INSTALL=$STATE/install
RUN_USER=psgwtest
CL=cluster01 GW=gw01 BO=booster01
RELAY_FIRST=42000 RELAY_LAST=42019
IPERF_PORT=42090 PP_PORT=42091 HAP_BASE=42080
PIPE_SIZE=1048576   # the relay's default pipe_size (RELAY_PIPE_SIZE)

rounds=5 seconds=3 streams="1 4" count=20000 markdown=0 keep=0
usage() { sed -n '2,19s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --streams) streams=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --markdown) markdown=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "psgw: relay-bench: unknown argument '$1'" >&2; usage 2 >&2 ;;
  esac
done
[[ $rounds =~ ^[1-9][0-9]*$ && $seconds =~ ^[1-9][0-9]*$ && $count =~ ^[1-9][0-9]*$ ]] ||
  { echo "psgw: relay-bench: --rounds, --seconds and --count must be positive integers" >&2; exit 2; }
((EUID == 0)) || { echo "psgw: relay-bench: needs root (scripts/testbed exec)" >&2; exit 2; }
for s in $streams; do [[ $s =~ ^[1-9][0-9]?$ ]] || { echo "psgw: relay-bench: bad --streams '$s'" >&2; exit 2; }; done

log() { echo "relay-bench: $*" >&2; }
die() { echo "psgw: relay-bench: $*" >&2; exit 1; }

"$TB" exec "$GW" true 2>/dev/null || die "test bed is not up (scripts/testbed status)"
CL_ADDR=$("$TB" addr "$CL" cluster)
GW_CL=$("$TB" addr "$GW" cluster)
GW_BO=$("$TB" addr "$GW" booster)
BO_ADDR=$("$TB" addr "$BO" booster)
TICK=$(getconf CLK_TCK)

# Work dir outside /tmp: test-bed nodes have a private /tmp.
W=$(mktemp -d /var/tmp/psgw-relay-bench.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
  local rc=$? pid n
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for ((n = 0; n < 30; n++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if ((keep || rc != 0)); then log "work dir kept: $W"; else rm -rf "$W"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_user SECONDS NODE CMD...: CMD as the test user inside NODE, killed after SECONDS.
run_user() {
  timeout "$1" "$TB" exec "$2" setpriv --reuid "$RUN_USER" --regid "$RUN_USER" --init-groups "${@:3}"
}
# start NAME NODE CMD...: background service as the test user inside NODE, stdout+stderr in
# $W/NAME.out; sets $last_pid. testbed exec, nsenter, env and setpriv all exec, so $! is the
# service's own pid.
start() {
  local name=$1 node=$2; shift 2
  # A simple command, not the as_user function: a backgrounded function would be a subshell
  # and $! its pid, not the command's.
  "$TB" exec "$node" setpriv --reuid "$RUN_USER" --regid "$RUN_USER" --init-groups "$@" \
    > "$W/$name.out" 2>&1 < "${STDIN_FILE:-/dev/null}" &
  last_pid=$!
  PIDS+=("$last_pid")
}
wait_listen() {  # NODE ADDR PORT PID NAME
  local n
  for ((n = 0; n < 100; n++)); do
    kill -0 "$4" 2>/dev/null || die "$5 exited: $(tail -n 3 "$W/$5.out")"
    "$TB" exec "$1" ss -Hltn "src $2:$3" 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  die "$5 is not listening on $2:$3 after 10 s: $(tail -n 3 "$W/$5.out")"
}
port_free() {  # NODE ADDR PORT
  ! "$TB" exec "$1" ss -Hltn "src $2:$3" | grep -q . || die "$2:$3 on $1 is in use (another benchmark running?)"
}

# --- servers on booster01 --------------------------------------------------------------
port_free "$BO" "$BO_ADDR" "$IPERF_PORT"
port_free "$BO" "$BO_ADDR" "$PP_PORT"
start iperf3-server "$BO" iperf3 -s -B "$BO_ADDR" -p "$IPERF_PORT"
wait_listen "$BO" "$BO_ADDR" "$IPERF_PORT" "$last_pid" iperf3-server
start pp-server "$BO" "$INSTALL/bin/psgw-pp" server --listen "$BO_ADDR:$PP_PORT"
wait_listen "$BO" "$BO_ADDR" "$PP_PORT" "$last_pid" pp-server

# --- psgwd relay on gw01 (its own process, not the agent's) ------------------------------
mkdir -m 755 "$W/relay" && chown "$RUN_USER" "$W/relay"
cat > "$W/relay.json" <<EOF
{"job": 4294967295, "cluster_addr": "$GW_CL", "booster_addr": "$GW_BO",
 "ports": {"first": $RELAY_FIRST, "last": $RELAY_LAST},
 "cluster_peers": ["$CL_ADDR"], "booster_peers": ["$BO_ADDR"],
 "pipe_size": $PIPE_SIZE, "stats_file": "$W/relay/stats.json"}
EOF
STDIN_FILE=$W/relay.json start psgwd "$GW" "$INSTALL/sbin/psgwd" relay
RELAY_PID=$last_pid
for ((n = 0; n < 100; n++)); do
  grep -q '^psgw-relay v1 ' "$W/psgwd.out" 2>/dev/null && break
  kill -0 "$RELAY_PID" 2>/dev/null || die "psgwd relay exited: $(tail -n 3 "$W/psgwd.out")"
  sleep 0.1
done
ready=$(grep -m1 '^psgw-relay v1 ' "$W/psgwd.out") || die "psgwd relay wrote no readiness line in 10 s"
RELAY_PORT=$(sed -n 's/.* port=\([0-9]*\).*/\1/p' <<<"$ready")
[[ $(sed -n 's/.* pid=\([0-9]*\).*/\1/p' <<<"$ready") == "$RELAY_PID" ]] || die "relay pid mismatch: $ready"
# The routing file + gateway map a job would get (docs/route-file.md).
echo "$GW_CL:$RELAY_PORT $CL_ADDR $BO_ADDR" > "$W/route"
echo "$GW_CL $GW_BO" > "$W/route.gw"
chmod 644 "$W/route" "$W/route.gw" "$W/relay.json"

# --- HAProxy variants on gw01: its defaults, plus what a fair admin would switch on --------
declare -A HAP_PID HAP_IPERF HAP_PP
hap_variant() {  # NAME INDEX "GLOBAL LINES" "DEFAULTS LINES"
  local name=$1 i=$2 cfg=$W/$1.cfg
  HAP_IPERF[$name]=$((HAP_BASE + 2 * i))
  HAP_PP[$name]=$((HAP_BASE + 2 * i + 1))
  port_free "$GW" "$GW_CL" "${HAP_IPERF[$name]}"
  port_free "$GW" "$GW_CL" "${HAP_PP[$name]}"
  cat > "$cfg" <<EOF
global
$3
defaults
    mode tcp
    timeout connect 5s
    timeout client 1m
    timeout server 1m
$4
frontend iperf
    bind $GW_CL:${HAP_IPERF[$name]}
    default_backend iperf
backend iperf
    server $BO $BO_ADDR:$IPERF_PORT
frontend pp
    bind $GW_CL:${HAP_PP[$name]}
    default_backend pp
backend pp
    server $BO $BO_ADDR:$PP_PORT
EOF
  chmod 644 "$cfg"
  start "$name" "$GW" haproxy -db -f "$cfg"
  HAP_PID[$name]=$last_pid
  wait_listen "$GW" "$GW_CL" "${HAP_PP[$name]}" "$last_pid" "$name"
}
hap_variant haproxy 0 "" ""
# splice-auto is HAProxy's own heuristic (it did not splice iperf3's stream here, strace
# shows recvfrom/sendto); splice-request/-response force splice(2) in both directions, with
# the relay's pipe size: the same kernel data path as psgwd.
hap_variant haproxy-splice-auto 1 "" "    option splice-auto"
hap_variant haproxy-splice 2 "    tune.pipesize $PIPE_SIZE" "    option splice-request
    option splice-response"
VARIANTS=(direct psgwd haproxy haproxy-splice-auto haproxy-splice)

proxy_pid() {  # VARIANT -> pid of the process that relays it ("" for direct)
  case $1 in direct) echo "" ;; psgwd) echo "$RELAY_PID" ;; *) echo "${HAP_PID[$1]}" ;; esac
}
cpu_ticks() { if [[ -z $1 ]]; then echo 0; else awk '{print $14 + $15}' "/proc/$1/stat"; fi; }

iperf_run() {  # VARIANT STREAMS -> "bits/s bytes cpu_ticks"
  local v=$1 p=$2 pid t0 t1 json
  local args=(-t "$seconds" -P "$p" -J --connect-timeout 5000)
  pid=$(proxy_pid "$v")
  t0=$(cpu_ticks "$pid")
  case $v in
    direct) json=$(run_user $((seconds + 20)) "$GW" iperf3 -c "$BO_ADDR" -p "$IPERF_PORT" "${args[@]}") ;;
    psgwd) json=$(run_user $((seconds + 20)) "$CL" env PSP_GW_SERVER="$W/route" \
                  LD_PRELOAD="$INSTALL/lib/libpsgw_preload.so" iperf3 -c "$BO_ADDR" -p "$IPERF_PORT" "${args[@]}") ;;
    *) json=$(run_user $((seconds + 20)) "$CL" iperf3 -c "$GW_CL" -p "${HAP_IPERF[$v]}" "${args[@]}") ;;
  esac || { log "iperf3 $v -P $p failed: $(jq -r '.error // empty' <<<"$json" 2>/dev/null)"; return 1; }
  t1=$(cpu_ticks "$pid")
  jq -r --arg c $((t1 - t0)) '"\(.end.sum_received.bits_per_second) \(.end.sum_received.bytes) \($c)"' <<<"$json"
}
pp_run() {  # VARIANT -> median RTT in µs
  local v=$1 out args=(client --count "$count" --seconds 30 --json)
  local pp="$INSTALL/bin/psgw-pp"
  case $v in
    direct) out=$(run_user 45 "$GW" "$pp" "${args[@]}" --connect "$BO_ADDR:$PP_PORT") ;;
    psgwd) out=$(run_user 45 "$CL" env PSP_GW_SERVER="$W/route" "$pp" "${args[@]}" \
                 --connect "$BO_ADDR:$PP_PORT" --via-gateway) ;;
    *) out=$(run_user 45 "$CL" "$pp" "${args[@]}" --connect "$GW_CL:${HAP_PP[$v]}") ;;
  esac || { log "psgw-pp $v failed: $out"; return 1; }
  jq -r '.rtt_us_median' <<<"$out"
}
retry() { "$@" || { log "retrying once: $*"; sleep 1; "$@"; }; }

# --- the run --------------------------------------------------------------------------------
RES=$W/results.tsv   # round kind variant streams value bytes ticks
: > "$RES"
log "relay port $RELAY_PORT, ${#VARIANTS[@]} variants, $rounds rounds, iperf3 -t $seconds -P {$streams}, pingpong $count x 64 B"
for ((r = 0; r < rounds; r++)); do
  order=()
  for ((k = 0; k < ${#VARIANTS[@]}; k++)); do order+=("${VARIANTS[(k + r) % ${#VARIANTS[@]}]}"); done
  for p in $streams; do
    for v in "${order[@]}"; do
      read -r bps bytes ticks < <(retry iperf_run "$v" "$p") || die "iperf3 $v -P $p failed twice"
      printf '%s\tiperf\t%s\t%s\t%s\t%s\t%s\n' "$r" "$v" "$p" "$bps" "$bytes" "$ticks" >> "$RES"
    done
  done
  for v in "${order[@]}"; do
    rtt=$(retry pp_run "$v") || die "psgw-pp $v failed twice"
    printf '%s\tpp\t%s\t64\t%s\t0\t0\n' "$r" "$v" "$rtt" >> "$RES"
  done
  log "round $((r + 1))/$rounds done"
done
sleep 1.2  # the relay rewrites its stats file every second
relayed=$(jq -r '.bytes_cluster_to_booster' "$W/relay/stats.json" 2>/dev/null || echo 0)
iperf_bytes=$(awk -F'\t' '$2 == "iperf" && $3 == "psgwd" {s += $6} END {printf "%.0f", s}' "$RES")
((relayed >= iperf_bytes)) || die "relay stats show $relayed bytes, iperf3 received $iperf_bytes through it"

# --- report ---------------------------------------------------------------------------------
awk -F'\t' -v md="$markdown" -v tick="$TICK" -v streams="$streams" -v rounds="$rounds" \
    -v seconds="$seconds" -v count="$count" '
function median(key,   n, i, j, t, a) {
  n = split(vals[key], a, " ")
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  lo[key] = a[1]; hi[key] = a[n]
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(key, x) { vals[key] = (key in vals) ? vals[key] " " x : x }
function row(c1, c2, c3, c4, c5, c6) {
  if (md) printf "| %s | %s | %s | %s | %s | %s |\n", c1, c2, c3, c4, c5, c6
  else printf "%-30s  %-21s  %-21s  %-21s  %-21s  %-21s\n", c1, c2, c3, c4, c5, c6
}
function trow(c1, c2, c3, c4) {
  if (md) printf "| %s | %s | %s | %s |\n", c1, c2, c3, c4
  else printf "%-60s  %-8s  %-8s  %s\n", c1, c2, c3, c4
}
function cell(key, fmt) { return (key in vals) ? sprintf(fmt " (" fmt "–" fmt ")", med[key], lo[key], hi[key]) : "—" }
{
  if ($2 == "iperf") {
    add("bw " $3 " " $4, $5 / 1e9)
    if ($3 != "direct") add("cpu " $3 " " $4, ($7 / tick) / ($6 / 1e9))
  } else add("rtt " $3, $5)
}
END {
  for (k in vals) med[k] = median(k)
  nv = split("direct psgwd haproxy haproxy-splice-auto haproxy-splice", V, " ")
  ns = split(streams, S, " ")
  printf "%s%d rounds interleaved; median (min–max) over rounds; iperf3 -t %d, receiver side; pingpong %d x 64 B\n\n", \
    md ? "" : "# ", rounds, seconds, count
  row("metric", "direct gw→booster", "psgwd relay", "HAProxy defaults (copy)", "HAProxy splice-auto", "HAProxy forced splice, 1 MiB pipes")
  if (md) print "|---|---|---|---|---|---|"
  for (s = 1; s <= ns; s++) {
    p = S[s]
    row("iperf3 -P " p ", Gbit/s", cell("bw direct " p, "%.2f"), cell("bw psgwd " p, "%.2f"), cell("bw haproxy " p, "%.2f"),
        cell("bw haproxy-splice-auto " p, "%.2f"), cell("bw haproxy-splice " p, "%.2f"))
  }
  for (s = 1; s <= ns; s++) {
    p = S[s]
    row("relay CPU s/GB, -P " p, "—", cell("cpu psgwd " p, "%.3f"), cell("cpu haproxy " p, "%.3f"),
        cell("cpu haproxy-splice-auto " p, "%.3f"), cell("cpu haproxy-splice " p, "%.3f"))
  }
  row("pingpong 64 B, median RTT µs", cell("rtt direct", "%.1f"), cell("rtt psgwd", "%.1f"), cell("rtt haproxy", "%.1f"),
      cell("rtt haproxy-splice-auto", "%.1f"), cell("rtt haproxy-splice", "%.1f"))
  print ""
  trow("target", "measured", "required", "result")
  if (md) print "|---|---|---|---|"
  for (s = 1; s <= ns; s++) {
    p = S[s]; best = 0
    for (i = 3; i <= nv; i++) { k = "bw " V[i] " " p; if (med[k] > best) { best = med[k]; bestv = V[i] } }
    ratio = med["bw psgwd " p] / best
    trow("throughput -P " p ": psgwd / best HAProxy (" bestv ")", sprintf("%.3f×", ratio), "≥ 1.10×", ratio >= 1.1 ? "PASS" : "MISS")
    ratio = med["bw psgwd " p] / med["bw direct " p]
    trow("throughput -P " p ": psgwd / direct hop", sprintf("%.3f×", ratio), "≥ 0.75×", ratio >= 0.75 ? "PASS" : "MISS")
  }
  ratio = med["rtt psgwd"] / med["rtt direct"]
  trow("round trip 64 B: psgwd / direct hop", sprintf("%.3f×", ratio), "≤ 2.30×", ratio <= 2.3 ? "PASS" : "MISS")
}' "$RES"
if ((keep)); then log "raw results: $RES"; fi
