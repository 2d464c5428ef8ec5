#!/usr/bin/env bash
# The test bed's fabrics are really separate: a cluster node cannot reach any
# booster-fabric address, a booster node no cluster-fabric address, the host
# neither; a gateway node reaches both. Traffic: single TCP connection attempts
# (no route, so nothing is sent) and ping -c1 -W1 inside the bridges.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# Tries a TCP connect to each ADDR (port 9) and prints "ADDR: <error text>"
# per address; "ok" when connected, the errno text otherwise.
PROBE='
import socket, sys
for a in sys.argv[1:]:
    s = socket.socket(); s.settimeout(2)
    try:
        s.connect((a, 9)); r = "ok"
    except OSError as e:
        r = e.strerror or str(e)
    print(a + ": " + r)
    s.close()
'

mapfile -t cluster_nodes < <(partition_nodes cluster)
mapfile -t booster_nodes < <(partition_nodes booster)
mapfile -t gw_nodes < <(partition_nodes gateway)
((${#cluster_nodes[@]} && ${#booster_nodes[@]} && ${#gw_nodes[@]})) || fail "test bed has no nodes (is it up?)"

cluster_addrs=() booster_addrs=()
for n in "${cluster_nodes[@]}" "${gw_nodes[@]}"; do cluster_addrs+=("$(tb addr "$n" cluster)"); done
for n in "${booster_nodes[@]}" "${gw_nodes[@]}"; do booster_addrs+=("$(tb addr "$n" booster)"); done

# Every address in "ADDR: text" lines must have failed with ENETUNREACH.
expect_unreachable() {  # WHO OUTPUT ADDR...
  local who=$1 out=$2 a line
  shift 2
  for a in "$@"; do
    line=$(grep -F "$a: " <<<"$out" || true)
    [[ $line == "$a: Network is unreachable" ]] || fail "$who -> $a: expected 'Network is unreachable', got '${line:-nothing}'"
  done
  pass "$who cannot reach $* (Network is unreachable)"
}

expect_ping() {  # NODE ADDR...
  local node=$1 a
  shift
  for a in "$@"; do
    tb exec "$node" ping -c1 -W1 -q "$a" >/dev/null || fail "$node cannot ping $a"
  done
  pass "$node pings $*"
}

# No node has a default route: nothing can leave its networks.
for n in "${cluster_nodes[@]}" "${booster_nodes[@]}" "${gw_nodes[@]}"; do
  [[ -z $(tb exec "$n" ip -4 route show default) ]] || fail "$n has a default route"
done
pass "no node has a default route"

for n in "${cluster_nodes[@]}"; do
  out=$(tb exec "$n" /usr/bin/python3 -c "$PROBE" "${booster_addrs[@]}")
  expect_unreachable "$n" "$out" "${booster_addrs[@]}"
done
for n in "${booster_nodes[@]}"; do
  out=$(tb exec "$n" /usr/bin/python3 -c "$PROBE" "${cluster_addrs[@]}")
  expect_unreachable "$n" "$out" "${cluster_addrs[@]}"
done

# The host (slurmctld's namespace) is on neither fabric.
out=$(/usr/bin/python3 -c "$PROBE" "${cluster_addrs[@]}" "${booster_addrs[@]}")
expect_unreachable host "$out" "${cluster_addrs[@]}" "${booster_addrs[@]}"
host_addrs=$(ip -4 -o addr show)
assert_not_contains "$host_addrs" " 10.78.0." "host addresses"
assert_not_contains "$host_addrs" " 10.79.0." "host addresses"

# Positive controls: each fabric works, and gateways are on both.
expect_ping "${cluster_nodes[0]}" "${cluster_addrs[@]}"
expect_ping "${booster_nodes[0]}" "${booster_addrs[@]}"
for g in "${gw_nodes[@]}"; do
  expect_ping "$g" "${cluster_addrs[@]}" "${booster_addrs[@]}"
done

# Management network: every node reaches the controller.
for n in "${cluster_nodes[0]}" "${booster_nodes[0]}" "${gw_nodes[0]}"; do
  expect_ping "$n" 10.77.0.1
done

finish
