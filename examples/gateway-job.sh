#!/bin/bash
# A heterogeneous gateway job: cluster nodes talk to a booster node through psgw.
#   sbatch --gw_num=2 -p cluster -N2 : -p booster -N2 gateway-job.sh
# PSGW_PRELOAD names libpsgw_preload.so (default: the installed one).
#SBATCH --job-name=psgw-demo
preload=${PSGW_PRELOAD:-/usr/lib/libpsgw_preload.so}

echo "== PSP_GW_SERVER in the batch script and in every task"
echo "batch: $PSP_GW_SERVER"
# shellcheck disable=SC2016  # expanded by the bash that srun starts in each task
srun --het-group=0,1 bash -c 'echo "$SLURMD_NODENAME: $PSP_GW_SERVER"' | sort

echo "== the routing file (gateway relay, cluster node, booster node)"
cat "$PSP_GW_SERVER"

# The first booster node and its fabric address as the routing file knows it.
booster=$(scontrol show hostnames "$SLURM_JOB_NODELIST_HET_GROUP_1" | head -n1)
# shellcheck disable=SC2016  # expanded by the bash that srun starts on the node
addr=$(srun --het-group=1 -N1 -n1 -w "$booster" bash -c \
  'for a in $(hostname -I); do grep -q " $a$" "$PSP_GW_SERVER" && echo $a; done' | head -n1)
cluster=$(scontrol show hostnames "$SLURM_JOB_NODELIST_HET_GROUP_0" | head -n1)

echo "== $cluster -> $booster ($addr) without a gateway"
srun --het-group=0 -N1 -n1 -w "$cluster" bash -c "timeout 3 bash -c '</dev/tcp/$addr/5201'" 2>&1 |
  grep -m1 -o 'Network is unreachable' || echo "unexpectedly reachable"

echo "== unmodified iperf3 through the gateway (LD_PRELOAD=libpsgw_preload.so)"
srun --het-group=1 -N1 -n1 -w "$booster" iperf3 -s -1 -B "$addr" >/dev/null 2>&1 &
sleep 1
srun --het-group=0 -N1 -n1 -w "$cluster" env LD_PRELOAD="$preload" PSGW_DEBUG=1 iperf3 -c "$addr" -t 3
wait

echo "== psgw-pp round trip through the gateway"
srun --het-group=1 -N1 -n1 -w "$booster" psgw-pp server --listen "$addr:41900" --once >/dev/null 2>&1 &
sleep 1
srun --het-group=0 -N1 -n1 -w "$cluster" psgw-pp client --connect "$addr:41900" --via-gateway \
  --mode pingpong --size 64 --count 5000
wait
