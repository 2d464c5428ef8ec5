# shellcheck shell=bash
# testbed.d/daemons.sh: the daemons of the bed, each started with spawn and
# tracked in $PIDS: munged (the bed's own, as user munge), one holder per node
# (owns the node's mount and UTS namespace: private /tmp, host name),
# slurmctld on the host, one slurmd per node, one psgwd agent per gateway.
# Also how to enter a node (nsenter arguments).

start_munge() {
  local key=$STATE/munge/munge.key
  chown munge:munge "$STATE/munge"
  chmod 0755 "$STATE/munge"
  if [[ ! -s $key ]]; then
    dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  fi
  chown munge:munge "$key"
  chmod 0400 "$key"
  rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
  # --force: munged refuses group/world-writable ancestors (a state dir under
  # /tmp) without it.
  # In the foreground munged logs to stderr, i.e. to log/munged.log.
  spawn "$STATE/log/munged.log" setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --force --key-file="$key" --socket="$MUNGE_SOCKET" \
    --pid-file="$STATE/munge/munged.pid" \
    --seed-file="$STATE/munge/munged.seed"
  track "$SPAWNED" munged -
  wait_until 100 munge_works || die "munged did not come up (see $STATE/log/munged.log)"
}

munge_works() { munge -n -S "$MUNGE_SOCKET" 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1; }

# One long-lived process per node owns a private mount namespace with the
# node's own directory bind-mounted on /tmp, and a UTS namespace whose host
# name is the node name (as on a real node); every process of the node joins
# both.
start_holders() {
  local node
  while read -r node; do
    start_holder "$node"
  done <"$NODES_FILE"
  while read -r node; do
    wait_until 50 holder_ready "$node" || die "private /tmp of $node was not mounted (see $STATE/log/holder-$node.out)"
  done <"$NODES_FILE"
}

start_holder() {  # NODE
  local node=$1
  # shellcheck disable=SC2016  # expanded by the inner shell
  spawn "$STATE/log/holder-$node.out" nsenter --net="$(node_netns "$node")" \
    unshare --mount --uts --propagation private \
    sh -c 'hostname "$2" && mount --bind "$1" /tmp && exec sleep infinity' holder "$STATE/nodes/$node/tmp" "$node"
  track "$SPAWNED" holder "$node"
}

# shellcheck disable=SC2317  # called through wait_until
holder_ready() {  # NODE
  local pid
  pid=$(tracked_pid holder "$1") || return 1
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */sleep ]]
}

# Run a command inside a node: its network namespace and the mount and UTS
# namespaces of its holder. nsenter, not `ip netns exec`, which remounts /sys and
# hides the cgroup mounts slurmd needs.
node_nsenter_args() {  # NODE -> prints args
  local holder
  holder=$(tracked_pid holder "$1") || return 1
  echo "--net=$(node_netns "$1")" "--mount=/proc/$holder/ns/mnt" "--uts=/proc/$holder/ns/uts"
}

start_slurmctld() {
  spawn "$STATE/log/slurmctld.out" env SLURM_CONF="$CONF" slurmctld -D -f "$CONF"
  track "$SPAWNED" slurmctld -
  wait_until 150 ctld_up || die "slurmctld did not answer (see $STATE/log/slurmctld.log)"
}

# shellcheck disable=SC2317  # called through wait_until
ctld_up() { proc_alive "$(tracked_pid slurmctld - || echo 0)" && scontrol ping 2>/dev/null | grep -q UP; }

start_slurmds() {
  local node
  while read -r node; do
    # shellcheck disable=SC2046  # node_nsenter_args prints separate args
    spawn "$STATE/log/slurmd-$node.out" nsenter $(node_nsenter_args "$node") --wdns=/ \
      env SLURM_CONF="$CONF" slurmd -D -N "$node" -f "$CONF"
    track "$SPAWNED" slurmd "$node"
  done <"$NODES_FILE"
}

# True when psgwd is installed, i.e. the gateways run agents.
agents_installed() { [[ -x $INSTALL/sbin/psgwd ]]; }

# psgwd agent of one gateway node, tracked in $PIDS like every daemon. It asks Slurm
# every 5 s (default 30) whether its jobs still exist, so tests of lingering relays are quick.
start_agent() {  # NODE
  local node=$1
  # shellcheck disable=SC2046  # node_nsenter_args prints separate args
  spawn "$STATE/log/psgwd-$node.log" nsenter $(node_nsenter_args "$node") --wdns=/ \
    env SLURM_CONF="$CONF" PSGW_CONF="$PSGW_CONF_FILE" PATH="$BED_PATH" \
    "$INSTALL/sbin/psgwd" agent --config "$PSGW_CONF_FILE" --node "$node" \
    --listen "$(node_addr "$node" mgmt):$AGENT_PORT" --job-check-interval 5
  track "$SPAWNED" psgwd "$node"
}

start_agents() {
  local node
  agents_installed || return 0
  for node in $(saved_gateways); do
    start_agent "$node"
  done
}

# Stops the agent of NODE (SIGTERM, 5 s grace, SIGKILL) and drops it from
# $PIDS, so that status reports it as stopped, not as dead. The job relays it
# started keep running; a new agent adopts them from AGENT_STATE_DIR.
stop_agent() {  # NODE
  local pid
  if pid=$(tracked_pid psgwd "$1"); then
    stop_pid "$pid" "agent on $1"
  fi
  untrack psgwd "$1"
}
