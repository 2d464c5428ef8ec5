#!/usr/bin/env bash
# A gateway job end to end, as the unprivileged test user:
#   sbatch --gw_num=2 -p cluster -N2 : -p booster -N2
# - the routing file has exactly 4 lines in psmgmt's format and points at live
#   relays on gw01 and gw02, which run as the job user;
# - every task's PSP_GW_SERVER points to it, and every task gets GATEWAY_ENV;
# - a booster fabric address is unreachable from a cluster node directly, and
#   unmodified iperf3 under LD_PRELOAD reaches it through the gateway; the relay's
#   byte counters agree with what iperf3 sent;
# - psgw-pp ping-pong and streaming in both directions through the gateway;
# - interactive gateway jobs (salloc, srun) get their routing file too.
# shellcheck source=e2e_lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/e2e_lib.sh"

PRELOAD=$TB_STATE/install/lib/libpsgw_preload.so
CTL="psgw-ctl --config $PSGW_CONF"
WORK=e2e-job-$$                      # per-run directory in the user's home

tb as-user mkdir -p "$WORK"
# The job script. Phases are synchronised with this test through files, so the test
# can inspect the relays while the job still holds them (bounded waits both ways).
tb as-user bash -c "cat > $WORK/job.sh" <<EOF
#!/bin/bash
#SBATCH --output=$WORK/job-%j.out
cd \$HOME/$WORK
route=\$PSP_GW_SERVER
echo "batch PSP_GW_SERVER=\$route"
srun --het-group=0,1 bash -c 'echo "task \$SLURMD_NODENAME \$PSP_GW_SERVER site=\$PSGW_TESTBED_SITE"'
cp "\$route" routing-file
# The booster node's own fabric address, as the routing file knows it.
srun --het-group=1 -N1 -n1 -w booster01 bash -c \
  'for a in \$(hostname -I); do grep -q " \$a\\\$" "\$PSP_GW_SERVER" && echo \$a; done' > booster-addr
b=\$(head -n1 booster-addr)
echo "booster address \$b"
srun --het-group=0 -N1 -n1 -w cluster01 bash -c "timeout 3 bash -c '</dev/tcp/\$b/5201'" > direct.out 2>&1
echo "direct rc=\$?"
srun --het-group=1 -N1 -n1 -w booster01 iperf3 -s -1 -B "\$b" > iperf-server.out 2>&1 &
sleep 1
srun --het-group=0 -N1 -n1 -w cluster01 env LD_PRELOAD=$PRELOAD iperf3 -J -c "\$b" -t 2 > iperf.json
wait
touch iperf.done
for _ in \$(seq 1 300); do [ -e iperf.checked ] && break; sleep 0.2; done
srun --het-group=1 -N1 -n1 -w booster01 psgw-pp server --listen "\$b:41900" --once > pp-server.out 2>&1 &
sleep 1
srun --het-group=0 -N1 -n1 -w cluster01 psgw-pp client --connect "\$b:41900" --via-gateway \
  --mode pingpong --size 64 --count 2000 --direction both > pp.out 2>&1
wait
for dir in send recv; do
  srun --het-group=1 -N1 -n1 -w booster01 psgw-pp server --listen "\$b:41900" --once >> pp-server.out 2>&1 &
  sleep 1
  srun --het-group=0 -N1 -n1 -w cluster01 psgw-pp client --connect "\$b:41900" --via-gateway \
    --mode stream --size 1048576 --seconds 1 --direction \$dir >> pp.out 2>&1
  wait
done
echo "job done"
EOF

trap cancel_submitted EXIT
submit --gw_num=2 -p cluster -N2 -w cluster01,cluster02 : -p booster -N2 -w booster01,booster02 \
  "$WORK/job.sh"
id=$JOB
dir=$HOME_DIR/$WORK
wait_for "[ -e $dir/iperf.done ]" 90

# --- the routing file ---------------------------------------------------------
route=$dir/routing-file
assert_eq "$(wc -l <"$route")" 4 "lines in the routing file"
bad=$(grep -cvE '^[0-9.]+:[0-9]+ 10\.78\.0\.[0-9]+ 10\.79\.0\.[0-9]+$' "$route" || true)
assert_eq "$bad" 0 "routing-file lines not in 'ADDR:PORT CLUSTER BOOSTER' form"
assert_eq "$(awk '{print $2, $3}' "$route" | sort -u | wc -l)" 4 "distinct (A, B) pairs"
assert_eq "$(awk '{print $1}' "$route" | cut -d: -f1 | sort -u | tr '\n' ' ')" \
  "10.78.0.101 10.78.0.102 " "gateways in the routing file"
assert_eq "$(stat -c %U "$HOME_DIR/psgw-route-$id")" "$TB_USER" "owner of the routing file"

# --- live relays, as the job user, at the addresses of the routing file ----------
for gw in gw01 gw02; do
  agent=$(tb addr "$gw" mgmt)
  listing=$($CTL --agent "$agent" list) || fail "psgw-ctl list on $gw failed"
  job=$(jq -c ".jobs[] | select(.job == $id)" <<<"$listing")
  [[ -n $job ]] || fail "agent on $gw lists no relays for job $id: $listing"
  port=$(jq -r '.relays[0].port' <<<"$job")
  pid=$(jq -r '.relays[0].pid' <<<"$job")
  addr=$(tb addr "$gw" cluster)
  assert_contains "$(cat "$route")" "$addr:$port " "routing file entry for $gw's relay"
  assert_eq "$(jq -r '.relays[0].alive' <<<"$job")" true "relay on $gw alive"
  # shellcheck disable=SC2016  # an awk program, not shell
  uid=$(tb exec "$gw" awk '/^Uid:/{print $2, $3, $4, $5}' "/proc/$pid/status")
  tuid=$(id -u "$TB_USER")
  assert_eq "$uid" "$tuid $tuid $tuid $tuid" "real/effective/saved/fs uid of the relay on $gw"
  # shellcheck disable=SC2016  # an awk program, not shell
  assert_eq "$(tb exec "$gw" awk '/^CapEff:/{print $2}' "/proc/$pid/status")" 0000000000000000 \
    "effective capabilities of the relay on $gw"
  # The relay really listens on both fabric addresses of the gateway.
  tb exec "$gw" ss -Hltn "sport = :$port" | grep -q "$(tb addr "$gw" booster):$port" ||
    fail "relay on $gw does not listen on its booster address"
  pass "relay on $gw listens on $addr:$port and $(tb addr "$gw" booster):$port"
done

# --- every task sees PSP_GW_SERVER ---------------------------------------------
out=$(cat "$dir/job-$id.out")
expected=$HOME_DIR/psgw-route-$id
assert_contains "$out" "batch PSP_GW_SERVER=$expected" "batch script output"
assert_eq "$(grep -c "^task .* $expected site=1\$" <<<"$out")" 4 \
  "tasks that see PSP_GW_SERVER=$expected and GATEWAY_ENV's PSGW_TESTBED_SITE=1"

# --- without the gateway the booster fabric is unreachable -----------------------
assert_contains "$(cat "$dir/direct.out")" "Network is unreachable" "direct connect from cluster01"

# --- iperf3 through the gateway, counters agree --------------------------------
b=$(head -n1 "$dir/booster-addr")
assert_eq "$b" "$(tb addr booster01 booster)" "booster01's address in the routing file"
sent=$(jq -r '.end.sum_sent.bytes' "$dir/iperf.json")
received=$(jq -r '.end.sum_received.bytes' "$dir/iperf.json")
((sent > 10 * 1024 * 1024)) || fail "iperf3 sent only $sent bytes"
pass "iperf3 through the gateway sent $sent bytes, server received $received"
# The relay that carries (cluster01, booster01) is named by the routing file.
gwaddr=$(awk -v a="$(tb addr cluster01 cluster)" -v b="$b" '$2 == a && $3 == b {print $1}' "$route")
gwnode=
for g in gw01 gw02; do [[ ${gwaddr%:*} == "$(tb addr $g cluster)" ]] && gwnode=$g; done
[[ -n $gwnode ]] || fail "no gateway node has the address of routing entry '$gwaddr'"
agent=$(tb addr "$gwnode" mgmt)
c2b=0
for _ in $(seq 1 20); do  # the relay rewrites its stats file every second
  c2b=$($CTL --agent "$agent" list | jq -r ".jobs[] | select(.job == $id) | .relays[] |
        select(.port == ${gwaddr#*:}) | .stats.bytes_cluster_to_booster")
  ((c2b >= received)) && break
  sleep 0.5
done
# iperf3's payload plus its small control connection (a few hundred bytes).
((c2b >= received && c2b <= sent + 65536)) ||
  fail "relay on $gwnode counted $c2b bytes cluster->booster; iperf3 sent $sent, received $received"
pass "relay on $gwnode counted $c2b bytes cluster->booster for iperf3's $sent"
tb as-user touch "$WORK/iperf.checked"

# --- psgw-pp through the gateway, both directions ----------------------------------
wait_for "[ \"\$(job_state $id)\" = COMPLETED ]" 90
pp=$(cat "$dir/pp.out")
assert_contains "$pp" "pingpong" "psgw-pp ping-pong result"
assert_contains "$pp" "direction=send" "psgw-pp stream cluster->booster"
assert_contains "$pp" "direction=recv" "psgw-pp stream booster->cluster"
assert_not_contains "$pp" "error" "psgw-pp output"
assert_contains "$(cat "$dir/job-$id.out")" "job done" "job output"

# --- interactive gateway jobs: salloc and srun ------------------------------------
for tool in salloc srun; do
  if [[ $tool == salloc ]]; then
    # shellcheck disable=SC2016  # expanded by the bash inside the job
    out=$(timeout 90 "$PSGW_TESTBED" as-user salloc --gw_num=1 -p cluster -N1 : -p booster -N1 \
      srun --het-group=0,1 bash -c 'echo "$PSP_GW_SERVER $(wc -l < "$PSP_GW_SERVER")"' 2>/dev/null)
  else
    # shellcheck disable=SC2016  # expanded by the bash inside the job
    out=$(timeout 90 "$PSGW_TESTBED" as-user srun --gw_num=1 -p cluster -N1 : -p booster -N1 \
      bash -c 'echo "$PSP_GW_SERVER $(wc -l < "$PSP_GW_SERVER")"' 2>/dev/null)
  fi
  assert_eq "$(wc -l <<<"$out")" 2 "$tool tasks reporting PSP_GW_SERVER"
  assert_eq "$(sort -u <<<"$out" | wc -l)" 1 "distinct PSP_GW_SERVER values of the $tool tasks"
  [[ $(head -n1 <<<"$out") =~ ^$HOME_DIR/psgw-route-[0-9]+\ 1$ ]] ||
    fail "$tool tasks saw '$out', not a one-line routing file in $HOME_DIR"
  pass "$tool tasks see their one-line routing file: $(head -n1 <<<"$out")"
done
finish
