#!/usr/bin/env bash
# Recovery on the test bed:
# - restarting a gateway's agent during a job does not break the job: its relay keeps
#   running and carrying traffic, the new agent lists it, the epilogue stops it;
# - relays of a job that Slurm does not know (the job ended while nobody stopped them)
#   are stopped by the agent itself;
# - a reservation whose epilogue was lost is reclaimed by the next prologue, so no
#   gateway leaks.
# shellcheck source=e2e_lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/e2e_lib.sh"

CTL="psgw-ctl --config $PSGW_CONF"
SUBMIT_TIMEOUT=90
WORK=e2e-recovery-$$
cleanup() {
  cancel_submitted
  for g in "${GATEWAYS[@]}"; do tb agent "$g" start >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
tb as-user mkdir -p "$WORK"

relay_of() {  # GW JOB -> "PORT PID" of the job's first relay on GW, or nothing
  agent_relays "$1" | awk -v j="$2" '$1 == j { print $3, $2; exit }'
}

# --- agent restart during a job ------------------------------------------------------
# The job streams through the gateway twice, before and after the test restarts the agent.
tb as-user bash -c "cat > $WORK/restart.sh" <<EOF
#!/bin/bash
cd \$HOME/$WORK
b=\$(awk 'NR==1 {print \$3}' "\$PSP_GW_SERVER")
for round in 1 2; do
  srun --het-group=1 -N1 -n1 psgw-pp server --listen "\$b:41901" --once > /dev/null 2>&1 &
  sleep 1
  srun --het-group=0 -N1 -n1 psgw-pp client --connect "\$b:41901" --via-gateway \
    --mode stream --size 65536 --seconds 1 --direction send > stream-\$round.out 2>&1
  echo "round \$round rc=\$?" >> rounds.out
  wait
  touch round-\$round.done
  for _ in \$(seq 1 300); do [ -e go-\$round ] && break; sleep 0.2; done
done
EOF
submit --output="$WORK/restart-%j.out" --gw_num=1 \
  -p cluster -N1 -w cluster01 : -p booster -N1 -w booster01 "$WORK/restart.sh"
id=$JOB
dir=$HOME_DIR/$WORK
wait_for "[ -e $dir/round-1.done ]" 60
gw=
for g in "${GATEWAYS[@]}"; do [[ -n $(relay_of "$g" "$id") ]] && gw=$g; done
[[ -n $gw ]] || fail "no agent lists relays of job $id"
read -r port pid <<<"$(relay_of "$gw" "$id")"
pass "job $id holds a relay on $gw (port $port, pid $pid)"
tb agent "$gw" restart >/dev/null || fail "restarting the agent on $gw failed"
assert_eq "$(relay_of "$gw" "$id")" "$port $pid" "relay of job $id as listed by the restarted agent"
tb as-user touch "$WORK/go-1"
wait_for "[ -e $dir/round-2.done ]" 60
assert_eq "$(cat "$dir/rounds.out")" $'round 1 rc=0\nround 2 rc=0' "streams before and after the agent restart"
assert_contains "$(cat "$dir/stream-2.out")" "direction=send" "stream through the relay after the restart"
tb as-user touch "$WORK/go-2"
wait_for "[ \"\$(job_state $id)\" = COMPLETED ]" 60
wait_for "[ -z \"\$(relay_of $gw $id)\" ]" 30
proc_id "$pid" >/dev/null && fail "relay pid $pid of job $id still runs after the job"
pass "the epilogue stopped the relay through the restarted agent"

# --- relays of a job Slurm does not know are stopped by the agent ---------------------
ghost=4000000001
$CTL --agent "$(tb addr gw01 mgmt)" start "$ghost" --user "$TB_USER" \
  --peers-cluster "$(tb addr cluster01 cluster)" --peers-booster "$(tb addr booster01 booster)" \
  >/dev/null || fail "psgw-ctl start for job $ghost failed"
# From the agent's log, not its list: its 5 s job check may already have stopped the
# relay by the time a list would ask.
gpid=$(sed -n "s/.* job $ghost: relay 0 started as .*, pid \([0-9]*\), port .*/\1/p" \
  "$TB_STATE/log/psgwd-gw01.log" | tail -n1)
[[ -n $gpid ]] || fail "no relay started for job $ghost"
pass "relay of unknown job $ghost started on gw01 (pid $gpid)"
# The test bed's agents ask Slurm every 5 s.
wait_for "[ -z \"\$(relay_of gw01 $ghost)\" ]" 30
proc_id "$gpid" >/dev/null && fail "relay $gpid of unknown job $ghost still runs"
assert_contains "$(grep "job $ghost" "$TB_STATE/log/psgwd-gw01.log")" \
  "unknown to Slurm; stopping its lingering relays" "gw01 agent log"

# --- a lost epilogue does not leak a gateway ------------------------------------------
# Book both gateways for a job id Slurm has never seen, as if its epilogue never ran.
stale=4000000002
# shellcheck disable=SC2016  # a jq program ($j is its --argjson)
flock "$TB_STATE/ctl/ledger.lock" jq --argjson j "$stale" \
  '.gateways.gw01 = {agent: "10.77.0.101", agent_port: 6470, created_by_psgw: false, job: $j, since: 0}
   | .gateways.gw02 = {agent: "10.77.0.102", agent_port: 6470, created_by_psgw: false, job: $j, since: 0}' \
  "$LEDGER" >"$LEDGER.new"
mv "$LEDGER.new" "$LEDGER"
assert_eq "$(jq -r '[.gateways[].job] | unique | join(",")' "$LEDGER")" "$stale" "ledger before the next job"
tb as-user bash -c "printf '#!/bin/bash\nwc -l < \"\$PSP_GW_SERVER\"\n' > $WORK/reclaim.sh"
id=$(submit_wait --output="$WORK/reclaim-%j.out" --gw_num=2 -p cluster -N1 : -p booster -N1 \
  "$WORK/reclaim.sh")
assert_eq "$(job_state "$id")" COMPLETED "job $id after a lost epilogue of job $stale"
assert_eq "$(restarts "$id")" 0 "requeues of job $id"
assert_eq "$(tr -d ' ' <"$dir/reclaim-$id.out")" 1 "routing-file lines of job $id"
assert_contains "$(grep "job $id\]" "$TB_STATE/log/psgw-controller.log")" "reclaimed gw01 from job $stale" \
  "controller log of job $id"
wait_for "[ \"\$(jq -r '.gateways | length' $LEDGER)\" = 0 ]" 30
pass "ledger empty after job $id"
trap - EXIT
finish
