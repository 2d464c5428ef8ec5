# shellcheck shell=bash
# testbed.d/health.sh: is the bed healthy and ready? The list of problems
# (dead tracked processes, missing namespaces, stopped agents, nodes in a bad
# state or unknown to the plan), agents listening, every node idle, and the
# explanation printed when `up` times out.

# Prints one line per problem; succeeds when there is none.
health_problems() {
  local bad=0 sinfo_out
  local -a nodes
  mapfile -t nodes < <(saved_nodes)
  if ((${#nodes[@]} == 0)) || [[ ! -s $PIDS ]]; then
    echo "no test bed is up"
    return 1
  fi
  problems_processes || bad=1
  problems_namespaces "${nodes[@]}" || bad=1
  problems_agents "${nodes[@]}" || bad=1
  if ! sinfo_out=$(timeout 10 sinfo -h -N -o '%N %T' 2>&1); then
    echo "sinfo failed: $sinfo_out"
    return 1
  fi
  problems_node_states "$sinfo_out" "${nodes[@]}" || bad=1
  return "$bad"
}

# Every tracked process must still run.
problems_processes() {
  local bad=0 pid start role node
  while read -r pid start role node; do
    if ! proc_is "$pid" "$start"; then
      echo "$role ($node) pid $pid is not running"
      bad=1
    fi
  done <"$PIDS"
  return "$bad"
}

problems_namespaces() {  # NODE...
  local bad=0 node
  for node in "$@"; do
    [[ -e $(node_netns "$node") ]] || { echo "namespace $NS_PREFIX$node is missing"; bad=1; }
  done
  return "$bad"
}

# `agent NODE stop` removes the agent from $PIDS: a stopped agent is a problem too.
problems_agents() {  # NODE...
  local bad=0 node
  agents_installed || return 0
  for node in "$@"; do
    is_gateway "$node" || continue
    if ! is_tracked psgwd "$node"; then
      echo "psgwd agent on $node is stopped (scripts/testbed agent $node start)"
      bad=1
    fi
  done
  return "$bad"
}

# Every node of the plan in a usable state, no node slurmctld knows beyond them.
problems_node_states() {  # SINFO-OUTPUT NODE...
  local bad=0 sinfo_out=$1 node node_state name
  shift
  for node in "$@"; do
    node_state=$(awk -v n="$node" '$1 == n { print $2; exit }' <<<"$sinfo_out")
    case $node_state in
      # planned: idle, but backfill holds it for a pending job (Slurm 22.05)
      idle | allocated | mixed | completing | planned) ;;
      *) echo "node $node is ${node_state:-unknown to slurmctld}"; bad=1 ;;
    esac
  done
  while read -r name; do
    [[ -n $name ]] || continue
    echo "stray node $name in sinfo"
    bad=1
  done < <(awk '{ print $1 }' <<<"$sinfo_out" | sort -u | grep -vxF -f <(printf '%s\n' "$@") || true)
  return "$bad"
}

agent_listening() {  # NODE
  nsenter --net="$(node_netns "$1")" ss -Hltn "sport = :$AGENT_PORT" 2>/dev/null | grep -q .
}

# Vacuously true when no bed is up (health_problems reports that).
agents_listening() {
  local node
  agents_installed || return 0
  for node in $(saved_gateways); do
    agent_listening "$node" || return 1
  done
}

all_idle() {
  local out
  out=$(sinfo -h -N -o '%N %T' 2>/dev/null) || return 1
  [[ -n $out ]] || return 1
  ! awk '$2 != "idle"' <<<"$out" | grep -q .
}

# shellcheck disable=SC2317  # called through wait_until
ready() { all_idle && agents_listening && health_problems >/dev/null 2>&1; }

# Prints why the bed is not ready and the tails of the relevant logs.
explain_failure() {
  echo "$PROG: test bed not ready after ${READY_TIMEOUT}s:" >&2
  health_problems 2>&1 | sed 's/^/  /' >&2 || true
  agents_listening || echo "  a psgwd agent is not listening on port $AGENT_PORT" >&2
  local f
  for f in "$STATE/log/slurmctld.log" "$STATE"/log/psgwd-*.log; do
    [[ -s $f ]] || continue
    echo "--- tail $f" >&2
    tail -n 8 "$f" >&2
  done
}
