#!/usr/bin/env bash
# Gateway startup failures end to end: too few gateway nodes (one drained), an agent
# that does not answer, a failing external route plugin, --gw_quiet, and the shipped
# psgw_error example. Each time: the prologue fails, Slurm requeues the job before it
# runs, JOB-<id>-psgw.err (owned by the user) says why, every relay is stopped and the
# ledger holds nothing of the job.
# Restores what it changes (drained node, stopped agent) and cancels its jobs on any exit.
# shellcheck source=e2e_lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/e2e_lib.sh"

CTLD_LOG=$TB_STATE/log/slurmctld.log
DRAINED=
STOPPED_AGENT=

restore() {
  local rc=$?
  cancel_submitted
  if [[ -n $DRAINED ]]; then
    scontrol update NodeName="$DRAINED" State=RESUME >/dev/null 2>&1 \
      || echo "WARNING: could not resume $DRAINED" >&2
  fi
  if [[ -n $STOPPED_AGENT ]]; then
    tb agent "$STOPPED_AGENT" start >/dev/null || echo "WARNING: could not start the agent on $STOPPED_AGENT" >&2
  fi
  exit "$rc"
}
trap restore EXIT

for gw in "${GATEWAYS[@]}"; do
  state=$(sinfo -h -N -n "$gw" -o '%T' | head -n1)
  [[ $state =~ ^(idle|mixed|allocated|planned)$ ]] || fail "$gw is ${state:-unknown} before the test"
done

# The job leaves a mark if it ever runs: it must not.
user_file e2e-fail.sh <<'EOF'
#!/bin/bash
touch "ran-$SLURM_JOB_ID"
EOF
# A site plugin (STRICT_MODE=1 runs only those of DIR_ROUTE_SCRIPTS) that always fails.
cat >"$TB_STATE/install/libexec/psgw/e2e-bad-plugin.py" <<'EOF'
# psroute-style plugin that always fails.
def routeConnectionS(sizeA, sizeB, numGw, i, j):
    raise RuntimeError("e2e plugin refuses to route")
EOF
HET=(-p cluster -N1 : -p booster -N1 e2e-fail.sh)

# Waits until the prologue failure of job ID made Slurm requeue it, then checks that
# it did not run and that psgw left nothing behind: no ledger entry, no relay on any
# gateway whose agent answers (the others are given as SKIP...).
expect_requeued() {  # ID [SKIP-GATEWAY...]
  local id=$1 gw skip
  shift
  wait_for "(( \$(restarts $id) >= 1 ))" 90
  pass "job $id was requeued (Restarts=$(restarts "$id"))"
  assert_eq "$(job_state "$id")" PENDING "state of job $id after the failed prologue"
  grep -q "Requeuing JobId=$id+0($id)" "$CTLD_LOG" || fail "slurmctld.log has no 'Requeuing JobId=$id+0'"
  pass "slurmctld.log: Requeuing JobId=$id+0($id)"
  [[ ! -e $HOME_DIR/ran-$id ]] || fail "job $id ran although its prologue failed"
  pass "job $id did not run"
  assert_eq "$(ledger_of "$id")" "" "gateways of job $id in the ledger"
  for gw in "${GATEWAYS[@]}"; do
    skip=
    for s in "$@"; do [[ $s == "$gw" ]] && skip=1; done
    [[ -n $skip ]] && continue
    assert_eq "$(relays_of "$gw" "$id" | tr '\n' ' ')" "" "relays of job $id on $gw"
  done
}

# The .err file of job ID: owned by the user, one line saying why.
expect_err_file() {  # ID NEEDLE...
  local id=$1 file=$HOME_DIR/JOB-$1-psgw.err needle
  shift
  [[ -f $file ]] || fail "no $file"
  assert_eq "$(stat -c %U "$file")" "$TB_USER" "owner of $file"
  local text
  text=$(cat "$file")
  assert_contains "$text" "psgw: gateway startup for job $id failed: " "$file"
  for needle in "$@"; do assert_contains "$text" "$needle" "$file"; done
}

# Relay PIDs the agent of gateway GW logged as started for job ID.
logged_relay_pids() {  # GW ID
  sed -n "s/.* job $2: relay [0-9]* started as .*, pid \([0-9]*\), port .*/\1/p" \
    "$TB_STATE/log/psgwd-$1.log"
}

# --- (a) too few gateway nodes, and (e) psgw_error -----------------------------------
scontrol update NodeName=gw02 State=DRAIN Reason=psgw-test
DRAINED=gw02
submit --gw_num=2 "${HET[@]}"
id=$JOB
expect_requeued "$id"
expect_err_file "$id" "needs 2 gateway node(s), but only 1" "not usable: gw02 (DRAIN)" \
  "[transient: a retry may succeed]"

# (e) The shipped psgw_error waits for the requeue, then sets EligibleTime=now+10min
# (Slurm's own requeue sets about now+2min, so the range below tells them apart).
eligible_in_range() {
  local e
  e=$(job_field "$id" EligibleTime)
  e=$(date -d "$e" +%s) || return 1
  (($(date +%s) + 480 <= e && e <= $(date +%s) + 660))
}
wait_for eligible_in_range 150
pass "psgw_error set EligibleTime of job $id to $(job_field "$id" EligibleTime), 8-11 min from now"
# The scheduler fills in the Reason on its next pass.
wait_for "[[ \$(job_field $id Reason) == BeginTime ]]" 30
pass "requeued job $id waits with Reason=BeginTime"
scancel "$id"
scontrol update NodeName=gw02 State=RESUME
DRAINED=
wait_nodes_ready "${GATEWAYS[@]}"

# --- (b) an agent that does not answer ---------------------------------------------
tb agent gw01 stop >/dev/null
STOPPED_AGENT=gw01
submit --gw_num=2 "${HET[@]}"
id=$JOB
expect_requeued "$id" gw01
expect_err_file "$id" "starting relays failed on gw01"
# The relay gw02 did start was stopped again.
pids=$(logged_relay_pids gw02 "$id")
[[ -n $pids ]] || fail "the agent on gw02 logged no relay started for job $id"
pass "gw02 started relay(s) ${pids//$'\n'/ } for job $id"
for pid in $pids; do
  [[ $(ps -o args= -p "$pid" 2>/dev/null || true) != *relay* ]] || fail "relay pid $pid of job $id still runs on gw02"
done
pass "the relays of job $id on gw02 were stopped"
grep -q "job $id: [0-9]* relay(s) stopped" "$TB_STATE/log/psgwd-gw02.log" \
  || fail "psgwd-gw02.log does not say the relays of job $id were stopped"
pass "psgwd-gw02.log: relays of job $id stopped"
tb agent gw01 start >/dev/null
STOPPED_AGENT=
assert_eq "$(relays_of gw01 "$id" | tr '\n' ' ')" "" "relays of job $id on gw01 after its agent restarted"
scancel "$id"

# --- (c) a failing external route plugin, and (d) --gw_quiet -------------------------
plugin=$TB_STATE/install/libexec/psgw/e2e-bad-plugin.py
submit --gw_num=1 --gw_plugin="$plugin" "${HET[@]}"
id=$JOB
submit --gw_num=1 --gw_plugin="$plugin" --gw_quiet "${HET[@]}"
quiet=$JOB
expect_requeued "$id"
expect_err_file "$id" "$plugin" "RuntimeError" "e2e plugin refuses to route" \
  "[permanent: a retry cannot succeed]"
# A permanent failure is not requeued forever: the shipped psgw_error holds the job and
# says why in its Comment.
wait_for "[[ \$(job_field $id Reason) == JobHeldAdmin ]]" 60
pass "job $id with a failing plugin is held (Reason=JobHeldAdmin)"
assert_contains "$(squeue -h -j "$id" -o %k)" "psgw: route plugin '$plugin'" "Comment of job $id"
for f in "$HOME_DIR/$PREFIX-$id" "$HOME_DIR/$PREFIX-$id.gw"; do
  [[ ! -e $f ]] || fail "$f was written although the plugin failed"
done
pass "no routing file or gateway map for job $id"
pids=
for gw in "${GATEWAYS[@]}"; do pids+=" $(logged_relay_pids "$gw" "$id")"; done
[[ -n ${pids// /} ]] || fail "no agent logged a relay started for job $id"
for pid in $pids; do
  [[ $(ps -o args= -p "$pid" 2>/dev/null || true) != *relay* ]] || fail "relay pid $pid of job $id still runs"
done
pass "the relays of job $id (${pids# }) were stopped"

expect_requeued "$quiet"
[[ ! -e $HOME_DIR/JOB-$quiet-psgw.err ]] || fail "--gw_quiet job $quiet left $HOME_DIR/JOB-$quiet-psgw.err"
pass "--gw_quiet job $quiet wrote no .err file"
scancel "$id" "$quiet"

finish
