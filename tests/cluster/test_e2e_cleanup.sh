#!/usr/bin/env bash
# What a gateway job leaves behind once it is over, after normal completion and after
# scancel: no relay process (the PIDs the agents reported while it ran), no relay in the
# agents' lists, nothing in the ledger; with --gw_cleanup the routing file and its .gw
# map are removed, without it they stay, and a routing file the job replaced with its
# own is never removed.
# shellcheck source=e2e_lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/e2e_lib.sh"

trap cancel_submitted EXIT

# MODE wait: end when the test creates go-<id> (at most 60 s); sleep: run until
# cancelled; replace: put the user's own file in place of $PSP_GW_SERVER, then wait.
user_file e2e-cleanup.sh <<'EOF'
#!/bin/bash
mode=$1
if [ "$mode" = replace ]; then
  echo "routing file written by the user" > "$PSP_GW_SERVER.mine" && mv "$PSP_GW_SERVER.mine" "$PSP_GW_SERVER"
fi
echo "${PSP_GW_SERVER:-unset}" > "server-$SLURM_JOB_ID"
if [ "$mode" = sleep ]; then exec sleep 300; fi
for _ in $(seq 300); do
  [ -e "go-$SLURM_JOB_ID" ] && exit 0
  sleep 0.2
done
exit 1
EOF

# Submits a job with --gw_num=NUM and ARGS, waits until its script runs, and records
# in RELAYS the "PID STARTTIME" of every relay the agents report for it.
start_job() {  # MODE NUM ARGS...
  local mode=$1 num=$2 gw pids pid args held=()
  shift 2
  submit --gw_num="$num" "$@" -p cluster -N1 : -p booster -N1 e2e-cleanup.sh "$mode"
  id=$JOB
  route=$HOME_DIR/$PREFIX-$id
  wait_for "[[ -s $HOME_DIR/server-$id ]]" 90
  assert_eq "$(job_state "$id")" RUNNING "state of job $id"
  assert_eq "$(cat "$HOME_DIR/server-$id")" "$route" "PSP_GW_SERVER of job $id"
  RELAYS=()
  for gw in "${GATEWAYS[@]}"; do
    pids=$(relays_of "$gw" "$id")
    [[ -n $pids ]] || continue
    held+=("$gw")
    for pid in $pids; do
      args=$(ps -o args= -p "$pid") || fail "relay pid $pid of job $id on $gw does not run"
      assert_contains "$args" "relay" "command of relay pid $pid of job $id on $gw"
      RELAYS+=("$(proc_id "$pid")")
    done
  done
  assert_eq "${#held[@]}" "$num" "number of gateways with relays of job $id"
  assert_eq "$(ledger_of "$id" | tr '\n' ' ')" "${held[*]} " "gateways of job $id in the ledger"
}

# Waits until job ID ended in STATE and its epilogue is over, then checks that
# nothing of it is left on the gateways or in the ledger.
expect_released() {  # STATE
  local gw
  wait_for "[[ \$(job_state $id) == $1 ]]" 60
  pass "job $id is $1"
  wait_for "[[ -z \$(ledger_of $id) ]]" 30
  pass "the ledger released the gateways of job $id"
  wait_for "! epilogue_running $id" 30
  procs_gone "${RELAYS[@]}" || fail "a relay of job $id still runs after its epilogue: ${RELAYS[*]}"
  pass "no relay process of job $id is left (${#RELAYS[@]} seen while it ran)"
  for gw in "${GATEWAYS[@]}"; do
    assert_eq "$(relays_of "$gw" "$id" | tr '\n' ' ')" "" "relays of job $id on $gw"
  done
}

# --- normal completion with --gw_cleanup: files removed --------------------------------
start_job wait 2 --gw_cleanup
[[ -f $route && -f $route.gw ]] || fail "job $id has no $route and $route.gw"
assert_eq "$(wc -l <"$route")" 1 "lines of $route"
tb as-user touch "go-$id"
expect_released COMPLETED
[[ ! -e $route && ! -e $route.gw ]] || fail "--gw_cleanup left $route or $route.gw"
pass "--gw_cleanup removed $route and $route.gw"

# --- normal completion without --gw_cleanup: files stay ----------------------------------
start_job wait 2
tb as-user touch "go-$id"
expect_released COMPLETED
[[ -f $route && -f $route.gw ]] || fail "without --gw_cleanup, $route or $route.gw is gone"
assert_eq "$(stat -c %U "$route")" "$TB_USER" "owner of $route"
pass "without --gw_cleanup $route and $route.gw stay"

# --- scancel of a running job with --gw_cleanup ----------------------------------------
start_job sleep 2 --gw_cleanup
scancel "$id"
expect_released CANCELLED
[[ ! -e $route && ! -e $route.gw ]] || fail "--gw_cleanup left $route or $route.gw after scancel"
pass "--gw_cleanup removed $route and $route.gw after scancel"

# --- a routing file the job replaced is not psgw's to remove -------------------------------
start_job replace 1 --gw_cleanup
tb as-user touch "go-$id"
expect_released COMPLETED
[[ -f $route ]] || fail "--gw_cleanup removed the user's own $route"
assert_eq "$(cat "$route")" "routing file written by the user" "content of $route"
[[ ! -e $route.gw ]] || fail "--gw_cleanup left the gateway map $route.gw"
pass "--gw_cleanup kept the user's $route and removed psgw's $route.gw"

finish
