#!/usr/bin/env bash
# Kill tests: 20 rounds, each a one-gateway job during which one part of the system is
# SIGKILLed at a random moment: the prologue, a relay, a gateway's agent, slurmctld or
# the epilogue (each victim 4 times, in turn). After each round the job must have run or
# been requeued, and the routing file, if there is one, must be complete. After all
# rounds and one clean job (its prologue reconciles the ledger): no reservation leaked,
# no relay left on any gateway, no temporary file left in the user's directory.
# PSGW_KILL_SEED repeats a run; the seed and the figures are printed at the end.
# shellcheck source=e2e_lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/e2e_lib.sh"

ROUNDS=${PSGW_KILL_ROUNDS:-20}
SEED=${PSGW_KILL_SEED:-$(date +%s)}
RANDOM=$SEED
VICTIMS=(prologue relay agent slurmctld epilogue)
declare -A KILLED=() RAN=() REQUEUED=() FAILED=() WITH_ERR=()
DRAINED_BEFORE=$(drained_nodes)

# Slurm drains a node whose launch of a job failed (an id handed out again after
# slurmctld lost its state, see below); an admin would resume it, and so does the test,
# saying why it was drained.
resume_drained_by_kills() {
  local n
  for n in $(comm -13 <(echo "$DRAINED_BEFORE") <(drained_nodes)); do
    echo "resuming $n, drained by Slurm during the kills: $(sinfo -h -N -n "$n" -o '%E' | head -n1)"
    scontrol update NodeName="$n" State=RESUME || true
  done
}

cleanup() {
  cancel_submitted
  resume_drained_by_kills 2>/dev/null || true
  tb ctld start >/dev/null 2>&1 || true
  for g in "${GATEWAYS[@]}"; do tb agent "$g" start >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# ROUND is the job's argument: job ids repeat after slurmctld loses its last state. A
# job must never run without its routing file (the SPANK plugin fails the step).
user_file e2e-kill.sh <<'EOF'
#!/bin/bash
[[ -s ${PSP_GW_SERVER:-/nonexistent} ]] || touch "kill-noroute-$1"
touch "kill-ran-$1"
sleep 1
EOF
tb as-user bash -c 'rm -f kill-ran-* kill-noroute-*'
# A site route plugin that takes its time, so that a kill lands inside the prologue at a
# random point: while relays start, while the plugin runs, or just after.
cat >"$TB_STATE/install/libexec/psgw/e2e-kill-slow.py" <<'EOF'
import time
time.sleep(0.6)

def routeConnectionS(sizeA, sizeB, numGw, i, j):
    return None, (i + j) % numGw
EOF

# PIDs of the controller hook HOOK (psgw-prologue|psgw-epilogue) working for job ID.
hook_pids() {  # HOOK ID
  local pid
  for pid in $(pgrep -f "sbin/$1" || true); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_JOB_ID=$2" && echo "$pid"
  done
  return 0
}

# Waits up to SECONDS for CMD to print something; prints it (empty on timeout).
first_output() {  # SECONDS CMD...
  local tries=$(($1 * 20)) out
  shift
  while ((tries-- > 0)); do
    out=$("$@" 2>/dev/null || true)
    if [[ -n $out ]]; then
      echo "$out"
      return 0
    fi
    sleep 0.05
  done
}

# The gateway whose agent lists relays of job ID, if any.
gateway_of() {  # ID
  local gw
  for gw in "${GATEWAYS[@]}"; do
    if [[ -n $(agent_relays "$gw" 2>/dev/null | awk -v j="$1" '$1 == j') ]]; then
      echo "$gw"
      return 0
    fi
  done
}

job_relay_pids() {  # ID
  local gw
  for gw in "${GATEWAYS[@]}"; do
    agent_relays "$gw" 2>/dev/null | awk -v j="$1" '$1 == j { print $2 }'
  done
}

# A random pause of 0..399 ms: the moment of the kill within the phase.
pause() { sleep "0.$(printf '%03d' $((RANDOM % 400)))"; }

# SIGKILLs every PID given (one per line); prints them on one line if any was killed.
kill_all() {  # PIDS
  local -a list
  mapfile -t list <<<"$1"
  [[ -n ${list[0]:-} ]] && kill -KILL "${list[@]}" 2>/dev/null && echo "${list[*]}"
}

# SIGKILLs VICTIM during job ID; prints what was killed (empty: the moment was missed).
kill_victim() {  # VICTIM ID
  local victim=$1 id=$2 pids gw pid killed
  case $victim in
    prologue)
      pids=$(first_output 30 hook_pids psgw-prologue "$id")
      pause
      killed=$(kill_all "$pids") && echo "prologue $killed"
      ;;
    relay)
      pids=$(first_output 30 job_relay_pids "$id")
      pause
      killed=$(kill_all "$pids") && echo "relay $killed"
      ;;
    agent)
      gw=$(first_output 30 gateway_of "$id")
      pause
      if [[ -n $gw ]] && pid=$(pgrep -f "psgwd agent .*--node $gw"); then
        kill -KILL "$pid" && echo "agent of $gw ($pid)"
        sleep 1
        tb agent "$gw" start >/dev/null
      fi
      ;;
    slurmctld)
      first_output 30 gateway_of "$id" >/dev/null
      pause
      if pid=$(pgrep -o -x slurmctld); then
        kill -KILL "$pid" && echo "slurmctld ($pid)"
        sleep 1
        tb ctld start >/dev/null
      fi
      ;;
    epilogue)
      # The epilogue is quick; a stopped agent holds it in its stop request, where
      # it is killed (an epilogue that lost its agent is the case that matters).
      gw=$(first_output 30 gateway_of "$id")
      first_output 30 ls "$HOME_DIR/kill-ran-$round" >/dev/null
      if [[ -n $gw ]] && pid=$(pgrep -f "psgwd agent .*--node $gw"); then
        kill -STOP "$pid"
        pids=$(first_output 30 hook_pids psgw-epilogue "$id")
        pause
        killed=$(kill_all "$pids") && echo "epilogue $killed (agent of $gw stopped)"
        kill -CONT "$pid"
      fi
      ;;
  esac
  return 0
}

# The job has run its script, or failed its prologue and was requeued or ended.
settled() {  # ID
  local state
  [[ -e $HOME_DIR/kill-ran-$round ]] && return 0
  state=$(job_state "$1")
  case $state in
    COMPLETED | CANCELLED | FAILED | NODE_FAIL | BOOT_FAIL | "") return 0 ;;
    PENDING) (($(restarts "$1") >= 1)) ;;
    *) return 1 ;;
  esac
}

# Like wait_for, but returns non-zero on timeout instead of failing the test.
poll_until() {  # CMD SECONDS
  local tries=$(($2 * 5))
  while ((tries-- > 0)); do
    if eval "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# The job is out of the way: ended, or gone from slurmctld.
ended() {  # ID
  case $(job_state "$1") in
    COMPLETED | CANCELLED | FAILED | NODE_FAIL | BOOT_FAIL | TIMEOUT | "") return 0 ;;
    *) return 1 ;;
  esac
}

# A routing file that exists is complete: 1 cluster x 1 booster node = 1 line.
check_route_file() {  # ID
  local route=$HOME_DIR/$PREFIX-$1
  [[ -e $route ]] || return 0
  [[ $(wc -l <"$route") == 1 ]] || fail "routing file $route of job $1 is not complete: $(cat "$route")"
  grep -qE '^[0-9.]+:[0-9]+ [^ ]+ [^ ]+$' "$route" || fail "routing file $route of job $1 is malformed"
}

for ((round = 1; round <= ROUNDS; round++)); do
  victim=${VICTIMS[(round - 1) % ${#VICTIMS[@]}]}
  plugin=()
  [[ $victim == prologue ]] && plugin=(--gw_plugin=e2e-kill-slow)
  submit --gw_num=1 "${plugin[@]}" -p cluster -N1 : -p booster -N1 e2e-kill.sh "$round"
  id=$JOB
  what=$(kill_victim "$victim" "$id")
  wait_for "settled $id" 90
  [[ -n $what ]] && KILLED[$victim]=$((${KILLED[$victim]:-0} + 1))
  outcome=ran
  [[ ! -e $HOME_DIR/kill-noroute-$round ]] || fail "job $id (round $round) ran without its routing file"
  if [[ -e $HOME_DIR/kill-ran-$round ]]; then
    RAN[$victim]=$((${RAN[$victim]:-0} + 1))
  elif (($(restarts "$id") >= 1)); then
    outcome=requeued
    REQUEUED[$victim]=$((${REQUEUED[$victim]:-0} + 1))
    if [[ -e $HOME_DIR/JOB-$id-psgw.err ]]; then WITH_ERR[$victim]=$((${WITH_ERR[$victim]:-0} + 1)); fi
  else
    # Its gateway startup did not complete and Slurm started it anyway: the step failed.
    state=$(job_state "$id")
    [[ $state != COMPLETED ]] || fail "job $id completed without running"
    outcome="ended ${state:-unknown} without running"
    FAILED[$victim]=$((${FAILED[$victim]:-0} + 1))
  fi
  # A slurmctld killed before it saved its state brings a finished job back as RUNNING
  # until its nodes report otherwise: the test ends every job itself, like a user would.
  poll_until "ended $id" 10 || scancel "$id" 2>/dev/null || true
  wait_for "ended $id" 60
  check_route_file "$id"
  pass "round $round: killed ${what:-nothing (moment missed)} during job $id; the job $outcome"
  wait_for "! epilogue_running $id" 30
done

# Recovery: one clean job runs, and its prologue reclaims what the kills left. First
# every job of the test user is ended: a slurmctld that lost its state may still show
# one as RUNNING, holding a gateway license.
scancel -u "$TB_USER" 2>/dev/null || true
wait_for "[[ -z \$(squeue -h -u $TB_USER) ]]" 90
resume_drained_by_kills
wait_for "[[ \$(sinfo -h -p gateway -o %T | sort -u) =~ ^(idle|mixed)$ ]]" 60
# Up to three tries: a slurmctld that lost its state hands out job ids again, and a
# slurmd that still remembers such an id fails the launch ("launch failed requeued
# held"), which is Slurm's business, not psgw's.
for attempt in 1 2 3; do
  submit --gw_num=2 -p cluster -N1 : -p booster -N1 e2e-kill.sh clean
  id=$JOB
  poll_until "[[ \$(job_state $id) == COMPLETED ]]" 90 && break
  echo "clean job $id, try $attempt: $(scontrol show job "$id" | grep -o 'Reason=[^ ]*'); trying again"
  scancel "$id" 2>/dev/null || true
  poll_until "ended $id" 30 || true
  resume_drained_by_kills
done
[[ $(job_state "$id") == COMPLETED ]] || fail "the clean job $id did not complete in three tries"
[[ -e $HOME_DIR/kill-ran-clean ]] || fail "the clean job $id after the kills did not run"
pass "a clean job ($id) runs after the kills"
wait_for "[[ -z \$(ledger_entries) ]]" 60
pass "no reservation is left in the ledger"
wait_for "[[ -z \$(pgrep -f 'psgwd relay' || true) ]]" 30
for gw in "${GATEWAYS[@]}"; do
  assert_eq "$(agent_relays "$gw" | tr '\n' ' ')" "" "relays the agent on $gw lists"
done
pass "no relay process is left on any gateway"
leftovers=$(find "$HOME_DIR" -maxdepth 1 -name ".$PREFIX-*" -print)
[[ -z $leftovers ]] || fail "temporary files left in $HOME_DIR: $leftovers"
pass "no temporary routing file is left"

echo "kill figures (seed $SEED, $ROUNDS rounds): victim killed/ran/requeued/failed/with-.err"
for victim in "${VICTIMS[@]}"; do
  echo "  $victim ${KILLED[$victim]:-0}/${RAN[$victim]:-0}/${REQUEUED[$victim]:-0}/${FAILED[$victim]:-0}/${WITH_ERR[$victim]:-0}"
done
finish
