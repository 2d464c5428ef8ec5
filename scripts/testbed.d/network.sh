# shellcheck shell=bash
# testbed.d/network.sh: the network of the bed. One bridge per fabric (the host
# has an address on mgmt only), throw routes that keep the host off the other
# fabrics, one network namespace per node with a veth pair per fabric of the
# node; and removing all of it again.

# Writes to a sysctl file if the kernel has it (IPv6 may be compiled out).
sysctl_set() { if [[ -w $1 ]]; then echo "$2" >"$1"; fi; }

# Namespaces of the bed that exist now.
bed_namespaces() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^$NS_PREFIX" || true; }

# The network namespace file of NODE, for nsenter --net.
node_netns() { echo "/run/netns/$NS_PREFIX$1"; }

bridge_up() {  # NAME [ADDR/PREFIX]
  ip link add "$1" type bridge
  sysctl_set "/proc/sys/net/ipv6/conf/$1/disable_ipv6" 1
  [[ -z ${2:-} ]] || ip addr add "$2" dev "$1"
  ip link set "$1" up
}

# The fabric bridges carry no host address and IPv6 is off on them, so the host
# is on none of them; the throw routes make the host's fabric lookups fail with
# "Network is unreachable" instead of leaving through the default route.
bridges_up() {
  local fabric
  bridge_up "${FABRIC_BRIDGE[mgmt]}" "$CTL_ADDR/24"
  for fabric in "${FABRICS[@]}"; do
    [[ $fabric == mgmt ]] || bridge_up "${FABRIC_BRIDGE[$fabric]}"
  done
  for fabric in "${FABRICS[@]}"; do
    [[ $fabric == mgmt ]] || ip route add throw "${FABRIC_NET[$fabric]}.0/24"
  done
}

# A node's namespace with loopback up and IPv6 off.
netns_up() {  # NODE
  local nsn=$NS_PREFIX$1
  ip netns add "$nsn"
  # shellcheck disable=SC2016  # expanded by the inner shell
  nsenter --net="/run/netns/$nsn" sh -c \
    'for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv6/conf/default/disable_ipv6; do
       [ -w "$f" ] && echo 1 >"$f"; done; true'
  ip -n "$nsn" link set lo up
}

# A veth pair from FABRIC's bridge into NODE; inside the node the interface is
# named after its fabric.
veth_up() {  # NODE FABRIC
  local node=$1 fabric=$2 nsn=$NS_PREFIX$1 host addr
  host=$VETH_PREFIX$node-${FABRIC_LETTER[$fabric]}
  addr=$(node_addr "$node" "$fabric")
  ip link add "$host" type veth peer name "$fabric" netns "$nsn"
  sysctl_set "/proc/sys/net/ipv6/conf/$host/disable_ipv6" 1
  ip link set "$host" master "${FABRIC_BRIDGE[$fabric]}" up
  ip -n "$nsn" addr add "$addr/24" dev "$fabric"
  ip -n "$nsn" link set "$fabric" up
}

start_network() {
  local node fabric
  bridges_up
  while read -r node; do
    netns_up "$node"
    for fabric in mgmt $(node_fabrics "$node"); do
      veth_up "$node" "$fabric"
    done
  done <"$NODES_FILE"
}

# Removes namespaces, veths, bridges and throw routes (processes must be gone:
# a process in a namespace keeps its veth ends alive).
stop_network() {
  local ns link fabric bridges
  for ns in $(bed_namespaces); do
    ip netns del "$ns" 2>/dev/null || true
  done
  # Deleting a namespace destroys its veth ends (and so their host peers);
  # anything still there is removed explicitly.
  bridges=$(for fabric in "${FABRICS[@]}"; do printf '|%s$' "${FABRIC_BRIDGE[$fabric]}"; done)
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1 \
                | grep -E "^($VETH_PREFIX$bridges)" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  for fabric in "${FABRICS[@]}"; do
    [[ $fabric == mgmt ]] || ip route del throw "${FABRIC_NET[$fabric]}.0/24" 2>/dev/null || true
  done
}
