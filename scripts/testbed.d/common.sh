# shellcheck shell=bash
# testbed.d/common.sh: small helpers every module uses: messages and exit,
# the root check, bounded polling, elapsed time, and the up/down lock.

die() { echo "$PROG: $*" >&2; exit 1; }
say() { echo "$PROG: $*"; }
need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root"; }

wait_until() {  # TENTHS CMD... : poll CMD every 0.1 s, at most TENTHS times
  local n=$1
  shift
  while ((n-- > 0)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

elapsed() {  # T0_NS -> seconds with one decimal
  local ms=$((($(date +%s%N) - $1) / 1000000))
  printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# Serialises up/down/agent of concurrent callers. Daemons never inherit fd 9.
lock() {
  exec 9>"$STATE/lock"
  flock -w 300 9 || die "another testbed up/down holds $STATE/lock"
}
