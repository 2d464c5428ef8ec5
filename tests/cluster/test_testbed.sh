#!/usr/bin/env bash
# The test bed itself: healthy, the right nodes/partitions/features, a second
# `up` is a no-op, exec/addr/as-user work, jobs run as the test user on both
# node classes with a node-private /tmp, and `down` leaves nothing behind.
# Ends with the test bed up again (the ctest fixture takes it down).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

up_args=(--build "$PSGW_BUILD_DIR")

# --- health, nodes, partitions ---------------------------------------------------

status=$(tb status) || fail "testbed status is not healthy: $status"
assert_contains "$status" "healthy" "testbed status"

sinfo_out=$(sinfo -h -N -o '%N %P %f %T')
mapfile -t nodes < <(awk '{ print $1 }' <<<"$sinfo_out" | sort -u)
((${#nodes[@]} >= 3)) || fail "sinfo lists ${#nodes[@]} nodes: $sinfo_out"
for n in "${nodes[@]}"; do
  case $n in
    cluster*) want=cluster ;;
    booster*) want=booster ;;
    gw*) want=gateway ;;
    *) fail "unexpected node $n in sinfo" ;;
  esac
  line=$(awk -v n="$n" '$1 == n' <<<"$sinfo_out")
  read -r _ part feat state <<<"$line"
  [[ ${part%\*} == "$want" && $feat == "$want" && $state == idle ]] \
    || fail "node $n: expected partition/feature $want and idle, got '$line'"
done
pass "all ${#nodes[@]} nodes idle, each in its partition with its feature"
for p in cluster booster gateway; do
  [[ -n $(partition_nodes "$p") ]] || fail "partition $p has no nodes"
done
pass "partitions cluster, booster, gateway exist"
lic=$(scontrol show license psgw 2>/dev/null || true)
assert_contains "$lic" "LicenseName=psgw" "scontrol show license psgw"

# --- a second up is a no-op -------------------------------------------------------

ctld_pid() { tb status | awk '$1 == "slurmctld" { print $4 }'; }
before=$(ctld_pid)
out=$(tb up "${up_args[@]}") || fail "second up failed: $out"
assert_contains "$out" "already up and healthy" "second up"
assert_eq "$(ctld_pid)" "$before" "slurmctld pid after second up"

# --- exec, addr, as-user -------------------------------------------------------------

assert_eq "$(tb exec gw01 hostname)" gw01 "hostname inside gw01"
assert_contains "$(tb exec cluster01 ip -4 -o addr show dev cluster)" "10.78.0.11/24" "cluster01 cluster interface"
assert_eq "$(tb addr cluster01 mgmt)" 10.77.0.11 "addr cluster01 mgmt"
assert_eq "$(tb addr booster02 booster)" 10.79.0.22 "addr booster02 booster"
assert_eq "$(tb addr gw02 cluster) $(tb addr gw02 booster)" "10.78.0.102 10.79.0.102" "addr gw02"
if err=$(tb addr cluster01 booster 2>&1); then fail "addr cluster01 booster succeeded: $err"; fi
assert_contains "$err" "not on the booster fabric" "addr cluster01 booster error"
if err=$(tb addr booster01 cluster 2>&1); then fail "addr booster01 cluster succeeded: $err"; fi
pass "addr booster01 cluster is rejected"
rc=0
tb exec booster01 sh -c 'echo out; echo err >&2; exit 7' >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 7 "exit code through exec"
assert_eq "$(echo piped | tb exec cluster02 cat)" piped "stdin through exec"
assert_eq "$(tb as-user id -un)" "$TB_USER" "as-user identity"
assert_eq "$(tb as-user pwd)" "$TB_STATE/home/$TB_USER" "as-user working directory"

# --- jobs as the test user, private /tmp ----------------------------------------------

# Each task leaves a marker in its node's /tmp and counts the markers of this
# job it can see there: exactly its own one when /tmp is node-private.
tb as-user bash -c 'cat >tb-job.sh && chmod +x tb-job.sh' <<'EOF'
#!/bin/bash
srun bash -c 'touch /tmp/psgw-tb-$SLURM_JOB_ID-$SLURMD_NODENAME
  echo "node=$SLURMD_NODENAME host=$(hostname) user=$(id -un) markers=$(ls /tmp | grep -c "^psgw-tb-$SLURM_JOB_ID-")"'
EOF

run_job() {  # PARTITION NNODES
  local part=$1 nn=$2 id state out n
  local -a job_nodes
  id=$(submit_wait -p "$part" -N "$nn" -o 'tb-%j.out' tb-job.sh)
  state=$(job_state "$id")
  [[ $state == COMPLETED ]] || fail "job $id on $part ended $state: $(cat "$TB_STATE/home/$TB_USER/tb-$id.out" 2>&1)"
  pass "job $id on $part ($nn nodes) COMPLETED"
  assert_eq "$(job_field "$id" UserId | cut -d'(' -f1)" "$TB_USER" "job $id user"
  out=$(cat "$TB_STATE/home/$TB_USER/tb-$id.out")
  mapfile -t job_nodes < <(scontrol show hostnames "$(job_field "$id" NodeList)")
  ((${#job_nodes[@]} == nn)) || fail "job $id ran on ${job_nodes[*]}, wanted $nn nodes"
  for n in "${job_nodes[@]}"; do
    assert_contains "$out" "node=$n host=$n user=$TB_USER markers=1" "job $id output"
    tb exec "$n" test -e "/tmp/psgw-tb-$id-$n" || fail "marker of $n missing in its /tmp"
    tb exec "$n" rm -f "/tmp/psgw-tb-$id-$n"
  done
  compgen -G "/tmp/psgw-tb-$id-*" >/dev/null && fail "job $id wrote into the host's /tmp"
  pass "job $id: each node saw only its own /tmp"
}
run_job cluster 2
run_job booster 2

# --- down leaves nothing; up again works -------------------------------------------------

leftovers() {
  local p exe cmd
  ip netns list | grep "^psgw-" || true
  ip -o link show | awk -F': ' '{ print $2 }' | grep -E '^(psgw-|pg-)' || true
  ip route show | grep -E '^throw 10\.7[89]\.' || true
  grep -E "$TB_STATE|/run/netns/psgw-" /proc/self/mountinfo || true
  id "$TB_USER" 2>/dev/null || true
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null || true)
    cmd=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null || true)
    if [[ $exe == "$TB_STATE"/* || $cmd == *"$TB_STATE/"* ]]; then echo "process ${p#/proc/}: $cmd"; fi
  done
}
tb down >/dev/null || fail "testbed down failed"
left=$(leftovers)
[[ -z $left ]] || fail "down left behind: $left"
pass "down left no namespace, link, route, mount, user or process"
if tb status >/dev/null 2>&1; then fail "status is healthy after down"; fi
pass "status reports not healthy after down"
tb down >/dev/null || fail "down twice failed"
pass "down is safe when nothing is up"

out=$(tb up "${up_args[@]}") || fail "up after down failed: $out"
assert_contains "$out" "idle in" "up after down"
tb status >/dev/null || fail "not healthy after up"
# shellcheck disable=SC2016  # evaluated by wait_for
wait_for '[[ -z $(sinfo -h -N -o "%T" | grep -vx idle) ]]' 30
pass "every node idle again"

finish
