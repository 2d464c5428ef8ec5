# shellcheck shell=bash
# testbed.d/plan.sh: the plan of the bed as data, in one place: state-dir layout,
# names and prefixes, the fabrics (network, bridge), the node classes (name
# prefix, address offset, fabrics, Slurm feature and partition), users, ports,
# timeouts; and the pure functions that derive node names and addresses from
# them. Every other module reads its constants from here.
# shellcheck disable=SC2034  # the constants are used by the other modules

PROG=testbed
STATE=$(readlink -m "${PSGW_TESTBED_STATE:-/var/lib/psgw-testbed}")

# --- state dir ------------------------------------------------------------------

CONF=$STATE/etc/slurm.conf
PSGW_CONF_FILE=$STATE/etc/psgw.conf
MUNGE_SOCKET=$STATE/munge/munge.socket.2
PIDS=$STATE/pids              # "PID STARTTIME ROLE NODE" per process we started
NODES_FILE=$STATE/nodes.list  # node names of the bed that is (or was) up
FINGERPRINT=$STATE/fingerprint
INSTALL=$STATE/install
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
BED_PATH=$INSTALL/bin:$INSTALL/sbin:$SYS_PATH  # PATH of everything run in the bed

# --- Slurm and psgw -------------------------------------------------------------

# SlurmUser of slurm.conf: slurmctld and PrologSlurmctld run as it. The unprivileged
# `slurm` account of Debian's packages, as at a real site; PSGW_TESTBED_SLURM_USER=root
# brings the bed up the other way (tests/cluster/test_slurmuser_root.sh).
SLURM_USER=${PSGW_TESTBED_SLURM_USER:-slurm}
CONTROL_USER=$SLURM_USER  # CONTROL_USER of psgw.conf: whose MUNGE credential the agents accept
RUNAS_HELPER=$INSTALL/libexec/psgw/psgw-runas  # setuid root, group SlurmUser, mode 4750
TB_USER=psgwtest     # the unprivileged user jobs are submitted as
NODE_CPUS=2
AGENT_PORT=6470      # psgwd agents listen on MGMT-ADDRESS:AGENT_PORT
READY_TIMEOUT=30     # seconds until every node must be idle

# --- fabrics --------------------------------------------------------------------

NS_PREFIX=psgw-      # network namespaces: psgw-cluster01, psgw-gw01, ...
VETH_PREFIX=pg-      # host ends of the veth pairs: pg-cluster01-m, ...
FABRICS=(mgmt cluster booster)
declare -gA FABRIC_NET=([mgmt]=10.77.0 [cluster]=10.78.0 [booster]=10.79.0)
declare -gA FABRIC_BRIDGE=([mgmt]=psgw-mgmt [cluster]=psgw-cl [booster]=psgw-bo)
declare -gA FABRIC_LETTER=([mgmt]=m [cluster]=c [booster]=b)  # veth suffix
CTL_ADDR=${FABRIC_NET[mgmt]}.1   # slurmctld on the host, on the mgmt bridge

# --- node classes ---------------------------------------------------------------

# In bring-up order. A class is also the node's Slurm feature and partition;
# the first one is the default partition. Names are PREFIXNN (NN = 01..09),
# addresses NET.(HOST_BASE + N) on mgmt and on each of the class's fabrics.
NODE_CLASSES=(cluster booster gateway)
declare -gA CLASS_PREFIX=([cluster]=cluster [booster]=booster [gateway]=gw)
declare -gA CLASS_HOST_BASE=([cluster]=10 [booster]=20 [gateway]=100)
declare -gA CLASS_FABRICS=([cluster]=cluster [booster]=booster [gateway]="cluster booster")

# Node names for the given counts, in the order they are brought up.
node_names() {  # NCLUSTER NBOOSTER NGATEWAYS
  local -a counts=("$@")
  local k i
  for k in "${!NODE_CLASSES[@]}"; do
    for ((i = 1; i <= ${counts[k]:-0}; i++)); do
      printf '%s%02d\n' "${CLASS_PREFIX[${NODE_CLASSES[k]}]}" "$i"
    done
  done
}

# The class of a node name; fails for a name that is none.
node_class() {  # NODE
  local class
  for class in "${NODE_CLASSES[@]}"; do
    if [[ $1 =~ ^${CLASS_PREFIX[$class]}[0-9][0-9]$ ]]; then
      echo "$class"
      return 0
    fi
  done
  return 1
}

is_gateway() { [[ $(node_class "$1") == gateway ]]; }

# The fabrics a node is attached to (besides mgmt).
node_fabrics() {  # NODE
  local class
  class=$(node_class "$1") || return 1
  echo "${CLASS_FABRICS[$class]}"
}

# Address plan: clusterNN .1N, boosterNN .2N, gwNN .10N (N = 1..9).
node_addr() {  # NODE mgmt|cluster|booster
  local node=$1 fabric=$2 class host
  class=$(node_class "$node") || { echo "$PROG: unknown node '$node'" >&2; return 1; }
  host=$((CLASS_HOST_BASE[$class] + 10#${node: -2}))
  if [[ -z $fabric || -z ${FABRIC_NET[$fabric]:-} ]]; then
    echo "$PROG: unknown fabric '$fabric' (mgmt|cluster|booster)" >&2
    return 1
  fi
  if [[ $fabric != mgmt && " ${CLASS_FABRICS[$class]} " != *" $fabric "* ]]; then
    echo "$PROG: node $node is not on the $fabric fabric" >&2
    return 1
  fi
  echo "${FABRIC_NET[$fabric]}.$host"
}

# Nodes of the bed that was brought up last (empty when none).
saved_nodes() { if [[ -r $NODES_FILE ]]; then cat "$NODES_FILE"; fi; }

# Gateway nodes of the bed that was brought up last.
saved_gateways() {
  local node
  while read -r node; do
    if is_gateway "$node"; then echo "$node"; fi
  done < <(saved_nodes)
}
