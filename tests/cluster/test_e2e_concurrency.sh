#!/usr/bin/env bash
# Six --gw_num=1 het jobs at once on two gateway nodes (Licenses=psgw:2 through
# job_submit.lua). While they run, sampled: at most two of them hold gateways, no
# gateway is held by two of them (ledger) or runs relays of two of them (agents), and
# the jobs beyond two wait while no psgw license is free (Reason=Licenses; Slurm 22.05
# says Resources for het jobs). At the end all six completed without
# a requeue, each saw a one-line routing file through PSP_GW_SERVER, the ledger holds
# none of them and no relay of theirs runs.
# shellcheck source=e2e_lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/e2e_lib.sh"

trap cancel_submitted EXIT
shopt -s extglob
JOBS=6

# Fails unless PSP_GW_SERVER is the default routing file with one line (1 cluster
# node x 1 booster node); then holds its gateway for a moment.
user_file e2e-concurrency.sh <<'EOF'
#!/bin/bash
prefix=$1
expected=$PWD/$prefix-$SLURM_JOB_ID
[ "${PSP_GW_SERVER:-unset}" = "$expected" ] || { echo "PSP_GW_SERVER=${PSP_GW_SERVER:-unset}, expected $expected"; exit 1; }
lines=$(wc -l < "$PSP_GW_SERVER") || exit 1
[ "$lines" = 1 ] || { echo "$PSP_GW_SERVER has $lines lines"; exit 1; }
echo "routing file ok: $(cat "$PSP_GW_SERVER")"
sleep 3
EOF

ids=()
for ((i = 0; i < JOBS; i++)); do
  submit --gw_num=1 -p cluster -N1 : -p booster -N1 --output="e2e-concurrency-%j.out" \
    e2e-concurrency.sh "$PREFIX"
  ids+=("$JOB")
done
pass "submitted $JOBS jobs: ${ids[*]}"
mine() { [[ " ${ids[*]} " == *" $1 "* ]]; }
# Our jobs in the ledger, one line per gateway they hold.
ours_in_ledger() {
  local gw job
  while read -r gw job; do
    if [[ -n $job ]] && mine "$job"; then echo "$job"; fi
  done < <(ledger_entries)
}

# Sample until every job has ended (bounded).
declare -A relay_procs=()
licenses_seen=0 samples=0 max_holding=0
deadline=$((SECONDS + 150))
while :; do
  ended=0
  for id in "${ids[@]}"; do
    info=$(scontrol show job -o "$id" 2>/dev/null | head -n1)
    # Licenses should keep every job from starting without a free gateway node.
    [[ $info != *" Restarts=0 "* && $info == *" Restarts="* ]] \
      && fail "job $id was requeued: $(cat "$HOME_DIR/JOB-$id-psgw.err" 2>/dev/null)"
    case $info in
      *" JobState="@(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)" "*) ended=$((ended + 1)) ;;
    esac
  done
  ((ended < JOBS)) || break
  ((SECONDS < deadline)) || fail "the $JOBS jobs did not end within 150 s ($ended ended)"
  samples=$((samples + 1))

  # Ledger: one job per gateway is its structure; at most two of ours hold any.
  holding=$(ours_in_ledger | sort -u | wc -l)
  ((holding <= 2)) || fail "$holding of our jobs hold gateways at once: $(ledger_entries | tr '\n' ' ')"
  ((holding > max_holding)) && max_holding=$holding

  # Agents: no gateway runs relays of two of our jobs at once.
  for gw in "${GATEWAYS[@]}"; do
    relays=$(agent_relays "$gw") || fail "psgw-ctl list on $gw failed"
    jobs_here=()
    while read -r job pid _; do
      if [[ -z $job ]] || ! mine "$job"; then continue; fi
      [[ " ${jobs_here[*]} " == *" $job "* ]] || jobs_here+=("$job")
      if p=$(proc_id "$pid"); then relay_procs[$pid]=$p; fi
    done <<<"$relays"
    ((${#jobs_here[@]} <= 1)) || fail "$gw runs relays of several of our jobs at once: ${jobs_here[*]}"
  done

  # Slurm: at most two of ours run; the others wait for licenses. Slurm 22.05 gives a
  # het job that waits for licenses Reason=Resources (backfill, the only scheduler of
  # het jobs, sets it), a plain job Reason=Licenses: either counts while no license is free.
  free=$(scontrol show lic psgw 2>/dev/null | grep -o 'Free=[0-9]*' | cut -d= -f2)
  queue=$(squeue -h -o '%i %t %r' --jobs="$(IFS=,; echo "${ids[*]}")" 2>/dev/null || true)
  running=$(awk '$1 !~ /\+[1-9]/ && $2 == "R"' <<<"$queue" | wc -l)
  ((running <= 2)) || fail "$running of our jobs run at once: $queue"
  if [[ $free == 0 ]] && grep -Eq '^[0-9]+(\+0)? PD (Licenses|Resources)$' <<<"$queue"; then
    licenses_seen=$((licenses_seen + 1))
  fi
  sleep 0.2
done
pass "$samples samples: never more than 2 of our jobs held gateways (at most $max_holding), no gateway shared"
((licenses_seen > 0)) || fail "no job was ever seen waiting while every psgw license was in use ($samples samples)"
pass "jobs waited (Reason=Licenses/Resources) while no psgw license was free, in $licenses_seen samples"
((max_holding >= 1)) || fail "no job was ever seen holding a gateway ($samples samples)"

for id in "${ids[@]}"; do
  assert_eq "$(job_state "$id")" COMPLETED "state of job $id"
  assert_eq "$(restarts "$id")" 0 "requeues of job $id"
  assert_contains "$(cat "$HOME_DIR/e2e-concurrency-$id.out")" "routing file ok: " "output of job $id"
done

# After the last epilogue: nothing of ours in the ledger or on the gateways.
# shellcheck disable=SC2016  # evaluated by wait_for
wait_for '[[ -z $(ours_in_ledger) ]]' 30
pass "the ledger holds none of our jobs"
for id in "${ids[@]}"; do wait_for "! epilogue_running $id" 30; done
for gw in "${GATEWAYS[@]}"; do
  relays=$(agent_relays "$gw") || fail "psgw-ctl list on $gw failed"
  left=$(while read -r job pid _; do
    if [[ -n $job ]] && mine "$job"; then echo "$job/$pid"; fi
  done <<<"$relays")
  assert_eq "$left" "" "relays of our jobs on $gw"
done
((${#relay_procs[@]} > 0)) || fail "no relay of our jobs was ever seen"
procs=()
for p in "${relay_procs[@]}"; do [[ -n $p ]] && procs+=("$p"); done
procs_gone "${procs[@]}" || fail "relay processes of our jobs still run: ${procs[*]}"
pass "none of the ${#procs[@]} relay processes seen is left"

finish
