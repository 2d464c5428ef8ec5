# shellcheck shell=bash
# testbed.d/verbs.sh: the verbs that use a bed that is up (up and down are in
# lifecycle.sh): status, agent, env, exec, addr, as-user.

cmd_status() {
  local rc=0 problems
  echo "state dir: $STATE"
  if [[ -s $NODES_FILE ]]; then status_nodes; fi
  if [[ -s $PIDS ]]; then status_processes; fi
  if [[ -s $NODES_FILE ]]; then
    echo "sinfo:"
    timeout 10 sinfo -o '%.10P %.6a %.5D %.10T %.10f %N' 2>&1 | sed 's/^/  /' || true
  fi
  if problems=$(health_problems 2>&1) && agents_listening; then
    echo "healthy"
  else
    if [[ -n $problems ]]; then printf '  %s\n' "${problems//$'\n'/$'\n'  }"; fi
    agents_listening || echo "  a psgwd agent is not listening on port $AGENT_PORT"
    echo "NOT healthy"
    rc=1
  fi
  return "$rc"
}

status_nodes() {
  local node fabric
  echo "nodes:"
  while read -r node; do
    printf '  %-10s mgmt %-12s' "$node" "$(node_addr "$node" mgmt)"
    for fabric in $(node_fabrics "$node"); do printf ' %s %-12s' "$fabric" "$(node_addr "$node" "$fabric")"; done
    echo
  done <"$NODES_FILE"
}

# Every tracked process, then every gateway whose agent was stopped.
status_processes() {
  local pid start role node mark
  echo "processes:"
  while read -r pid start role node; do
    mark=running
    proc_is "$pid" "$start" || mark=DEAD
    printf '  %-10s %-10s pid %-8s %s\n' "$role" "$node" "$pid" "$mark"
  done <"$PIDS"
  if agents_installed; then
    while read -r node; do
      is_gateway "$node" || continue
      is_tracked psgwd "$node" || printf '  %-10s %-10s pid %-8s %s\n' psgwd "$node" - stopped
    done <"$NODES_FILE"
  fi
}

cmd_agent() {
  (($# == 2)) || die "usage: agent NODE stop|start|restart"
  local node=$1 action=$2
  need_root
  if ! is_gateway "$node" || ! grep -qxF "$node" "$NODES_FILE" 2>/dev/null; then
    die "agent: '$node' is not a gateway node of the bed that is up"
  fi
  agents_installed || die "agent: psgwd is not installed in $INSTALL"
  case $action in stop | start | restart) ;; *) die "agent: unknown action '$action' (stop|start|restart)" ;; esac
  cd /
  lock
  if [[ $action == stop || $action == restart ]]; then
    stop_agent "$node"
    say "agent on $node stopped"
  fi
  if [[ $action == start || $action == restart ]]; then
    if tracked_pid psgwd "$node" >/dev/null; then
      say "agent on $node is already running"
      return 0
    fi
    untrack psgwd "$node"  # a dead one's line
    start_agent "$node"
    wait_until 100 agent_listening "$node" \
      || die "agent on $node does not listen on port $AGENT_PORT (see $STATE/log/psgwd-$node.log)"
    say "agent on $node started (pid $SPAWNED)"
  fi
}

# slurmctld of the bed: the kill tests SIGKILL it and bring it back with `ctld start`.
cmd_ctld() {
  (($# == 1)) || die "usage: ctld stop|start|restart"
  local action=$1 pid
  need_root
  [[ -s $NODES_FILE ]] || die "ctld: no bed is up"
  case $action in stop | start | restart) ;; *) die "ctld: unknown action '$action' (stop|start|restart)" ;; esac
  cd /
  lock
  if [[ $action == stop || $action == restart ]]; then
    if pid=$(tracked_pid slurmctld -); then stop_pid "$pid" slurmctld; fi
    untrack slurmctld -
    say "slurmctld stopped"
  fi
  if [[ $action == start || $action == restart ]]; then
    if tracked_pid slurmctld - >/dev/null; then
      say "slurmctld is already running"
      return 0
    fi
    untrack slurmctld -  # a dead one's line
    start_slurmctld
    say "slurmctld started (pid $SPAWNED)"
  fi
}

cmd_env() {
  echo "export SLURM_CONF=$CONF"
  echo "export PSGW_CONF=$PSGW_CONF_FILE"
  echo "export PATH=$INSTALL/bin:$INSTALL/sbin:\$PATH"
}

cmd_exec() {
  (($# >= 2)) || die "usage: exec NODE CMD..."
  local node=$1 wd=$PWD args
  shift
  node_fabrics "$node" >/dev/null || die "unknown node '$node'"
  args=$(node_nsenter_args "$node") || die "node $node is not up"
  # The node's /tmp is its own: a cwd under /tmp means nothing there.
  [[ $wd == /tmp || $wd == /tmp/* ]] && wd=/
  # shellcheck disable=SC2086  # node_nsenter_args prints separate args
  exec nsenter $args --wdns="$wd" -- env SLURM_CONF="$CONF" PSGW_CONF="$PSGW_CONF_FILE" \
    PATH="$BED_PATH" "$@"
}

cmd_addr() {
  (($# == 2)) || die "usage: addr NODE mgmt|cluster|booster"
  node_addr "$1" "$2" || exit 1
}

cmd_as_user() {
  (($# >= 1)) || die "usage: as-user CMD..."
  exec_as_user "$@"
}
