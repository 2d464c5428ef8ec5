# shellcheck shell=bash
# testbed.d/processes.sh: the processes of the bed. Starting a daemon detached
# (spawn), tracking what we started in $PIDS by PID and start time (track,
# untrack, tracked_pid), liveness checks, finding every process that belongs
# to the bed and killing them all (for teardown).

# Start time of a process (field 22 of /proc/PID/stat): with the PID it names
# a process uniquely, so a recycled PID is never mistaken for ours.
proc_start() {
  local stat rest
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  rest=${stat##*) }
  local -a f
  read -ra f <<<"$rest"
  echo "${f[19]}"
}

# True while PID runs and is not a zombie.
proc_alive() {
  local stat rest
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  rest=${stat##*) }
  [[ ${rest:0:1} != Z ]]
}

# True when PID still runs and is the process that started at START.
proc_is() {  # PID START
  [[ $(proc_start "$1" 2>/dev/null) == "$2" ]] && proc_alive "$1"
}

all_gone() {  # PID...
  local p
  for p in "$@"; do proc_alive "$p" && return 1; done
  return 0
}

# Start a daemon detached from our session and stdio (ctest waits for its
# output pipe to close) and without our lock fd. The command must exec into the
# daemon (setsid, nsenter, env, setpriv all do), so $! is the daemon itself.
SPAWNED=  # PID of the last daemon spawned
spawn() {  # LOGFILE CMD...
  local log=$1
  shift
  setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
  # shellcheck disable=SC2034  # read by the callers of spawn
  SPAWNED=$!
}

track() {  # PID ROLE NODE
  local start
  start=$(proc_start "$1") || die "$2 on $3 exited right after start (see $STATE/log)"
  echo "$1 $start $2 $3" >>"$PIDS"
}

# Removes every line of ROLE on NODE from $PIDS (atomically: readers never see
# a half-written list).
untrack() {  # ROLE NODE
  [[ -r $PIDS ]] || return 0
  awk -v r="$1" -v n="$2" '!($3 == r && $4 == n)' "$PIDS" >"$PIDS.tmp"
  mv "$PIDS.tmp" "$PIDS"
}

# True when $PIDS has a line of ROLE on NODE, running or not.
is_tracked() {  # ROLE NODE
  awk -v r="$1" -v n="$2" '$3 == r && $4 == n { found = 1 } END { exit !found }' "$PIDS"
}

# PID of a tracked process of ROLE on NODE that still runs, else fail.
tracked_pid() {  # ROLE NODE
  local pid start role node
  [[ -r $PIDS ]] || return 1
  while read -r pid start role node; do
    if [[ $role == "$1" && $node == "$2" ]] && proc_is "$pid" "$start"; then
      echo "$pid"
      return 0
    fi
  done <"$PIDS"
  return 1
}

# Stops PID: SIGTERM, 5 s grace, SIGKILL.
stop_pid() {  # PID WHAT
  kill -TERM "$1" 2>/dev/null || true
  if ! wait_until 50 all_gone "$1"; then
    kill -KILL "$1" 2>/dev/null || true
    wait_until 50 all_gone "$1" || die "$2 (pid $1) survived SIGKILL"
  fi
}

# Every process that belongs to the test bed: tracked ones, everything inside
# a psgw- network namespace (slurmstepd, job tasks, relays), anything running a
# binary from the state dir, anything of the test user, and our daemons found
# by their state-dir arguments (in case the pid list was lost).
bed_processes() {
  local ns pid start role node uid cmd argv0 tuid=
  tuid=$(id -u "$TB_USER" 2>/dev/null || true)
  {
    for ns in $(bed_namespaces); do
      ip netns pids "$ns" 2>/dev/null || true
    done
    if [[ -r $PIDS ]]; then
      while read -r pid start role node; do
        [[ $(proc_start "$pid" 2>/dev/null) == "$start" ]] && echo "$pid"
      done <"$PIDS"
    fi
    # One find and one ps instead of a fork per process: this runs often.
    find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$STATE/*" 2>/dev/null | cut -d/ -f3
    ps -eo pid=,uid=,args= | while read -r pid uid argv0 cmd; do
      if [[ -n $tuid && $uid == "$tuid" ]]; then echo "$pid"; continue; fi
      case ${argv0##*/} in
        munged | slurmctld | slurmd | slurmstepd | psgwd)
          [[ " $cmd " == *"$STATE/"* ]] && echo "$pid" ;;
      esac
    done
  } | sort -un | while read -r pid; do proc_alive "$pid" && echo "$pid"; done || true
}

kill_bed_processes() {
  local round
  local -a victims
  for round in 1 2 3 4; do
    mapfile -t victims < <(bed_processes)
    ((${#victims[@]})) || return 0
    # slurmstepd ignores SIGTERM: TERM first, a short grace, then KILL.
    if ((round == 1)); then
      kill -TERM "${victims[@]}" 2>/dev/null || true
      wait_until 30 all_gone "${victims[@]}" || true
    fi
    mapfile -t victims < <(for p in "${victims[@]}"; do proc_alive "$p" && echo "$p"; done)
    if ((${#victims[@]})); then kill -KILL "${victims[@]}" 2>/dev/null || true; fi
    wait_until 50 all_gone "${victims[@]}" || true
  done
  mapfile -t victims < <(bed_processes)
  ((${#victims[@]} == 0)) || echo "$PROG: warning: processes survived SIGKILL: ${victims[*]}" >&2
}
