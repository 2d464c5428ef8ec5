# shellcheck shell=bash
# testbed.d/lifecycle.sh: bringing the whole bed up and down (verbs up and
# down): argument checks, the fingerprint that lets a second `up` of a healthy,
# unchanged bed be a no-op, the state-dir layout, the order in which the other
# modules' parts are started, and teardown.

cmd_up() {
  local build=$REPO/build nc=4 nb=4 ng=2 t0 stage confdir fp
  while (($#)); do
    case $1 in
      --build) build=${2:?--build needs a directory}; shift 2 ;;
      --build=*) build=${1#*=}; shift ;;
      --cluster) nc=${2:?}; shift 2 ;;
      --booster) nb=${2:?}; shift 2 ;;
      --gateways) ng=${2:?}; shift 2 ;;
      --cluster=*) nc=${1#*=}; shift ;;
      --booster=*) nb=${1#*=}; shift ;;
      --gateways=*) ng=${1#*=}; shift ;;
      *) die "up: unknown argument '$1'" ;;
    esac
  done
  local v
  for v in "$nc" "$nb" "$ng"; do
    [[ $v =~ ^[1-9]$ ]] || die "up: node counts must be 1..9, got '$v'"
  done
  need_root
  t0=$(date +%s%N)
  build=$(readlink -m "$build")
  # Daemons inherit the working directory: keep them off the caller's.
  cd /
  mkdir -p "$STATE/log"
  lock

  stage=$STATE/stage
  confdir=$STATE/etc.next
  stage_install "$build" "$stage"
  generate_config "$confdir" "$stage$INSTALL" "$nc" "$nb" "$ng"
  fp=$(fingerprint "$stage$INSTALL" "$confdir")
  if bed_is_current "$fp"; then
    rm -rf "$stage" "$confdir"
    say "already up and healthy ($(wc -l <"$NODES_FILE") nodes, state $STATE)"
    return 0
  fi

  teardown
  install_staged "$stage"
  rm -rf "${STATE:?}/etc"
  mv "$confdir" "$STATE/etc"
  mv "$STATE/etc/nodes.list" "$NODES_FILE"
  : >"$PIDS"
  bring_up
  echo "$fp" >"$FINGERPRINT"
  say "up: $nc cluster, $nb booster, $ng gateway nodes idle in $(elapsed "$t0")s (state $STATE)"
}

# Hash of everything a running bed depends on: this script and its modules,
# the staged install and the generated configuration.
fingerprint() {  # STAGED CONFDIR
  {
    sha256sum "$SELF" "$TB_LIB"/*.sh
    (cd "$1" && find . -type f -exec sha256sum {} + | sort -k2)
    (cd "$1" && find . -type l -printf '%p -> %l\n' | sort)
    (cd "$2" && find . -type f -exec sha256sum {} + | sort -k2)
  } | sha256sum | cut -d' ' -f1
}

# True when the bed that is up has fingerprint FP and is healthy.
bed_is_current() {  # FP
  [[ -r $FINGERPRINT && $(cat "$FINGERPRINT") == "$1" ]] && health_problems >/dev/null 2>&1 \
    && agents_listening
}

# Starts everything of the bed in $NODES_FILE, in order, and waits until ready.
bring_up() {
  make_dirs
  start_munge
  start_network
  create_user
  start_holders
  start_slurmctld
  start_slurmds
  start_agents
  if ! wait_until $((READY_TIMEOUT * 10)) ready; then
    explain_failure
    exit 1
  fi
}

make_dirs() {
  local node
  check_traversable
  id "$SLURM_USER" >/dev/null 2>&1 \
    || die "SlurmUser '$SLURM_USER' does not exist (Debian's slurm-wlm package creates 'slurm')"
  mkdir -p "$STATE"
  chmod 0755 "$STATE"
  # ctl too: a new slurmctld starts job ids afresh, and the ledger may belong to the
  # SlurmUser of the bed before (PSGW_TESTBED_SLURM_USER).
  rm -rf "${STATE:?}/slurm" "${STATE:?}/run" "${STATE:?}/nodes" "${STATE:?}/home" "${STATE:?}/log.prev" \
    "${STATE:?}/ctl"
  [[ -d $STATE/log ]] && mv "$STATE/log" "$STATE/log.prev"
  mkdir -p "$STATE/log" "$STATE/run" "$STATE/slurm/ctld" "$STATE/slurm/spool" "$STATE/home" \
           "$STATE/ctl" "$STATE/munge"
  chmod 0755 "$STATE/log" "$STATE/home"
  chmod 0700 "$STATE/ctl" "$STATE/slurm/ctld"
  # What slurmctld and the controller hooks write, as SlurmUser.
  touch "$STATE/log/slurmctld.log" "$STATE/log/psgw-controller.log"
  chown "$SLURM_USER:" "$STATE/ctl" "$STATE/slurm/ctld" "$STATE/run" \
    "$STATE/log/slurmctld.log" "$STATE/log/psgw-controller.log"
  while read -r node; do
    mkdir -p "$STATE/nodes/$node/tmp"
    chmod 1777 "$STATE/nodes/$node/tmp"
  done <"$NODES_FILE"
}

# Everything nodes and the test user need lies under STATE, so every
# ancestor must be traversable.
check_traversable() {
  local d=$STATE
  while [[ $d != / ]]; do
    d=$(dirname "$d")
    [[ $(( 0$(stat -c %a "$d") & 01 )) -ne 0 ]] || die "$d is not traversable by others; choose another PSGW_TESTBED_STATE"
  done
}

cmd_down() {
  need_root
  if [[ -d $STATE ]]; then lock; fi
  teardown
  say "down"
}

# Stops every process, then removes the network, mounts into the state dir,
# the user and the bookkeeping of the bed that was up. Safe when nothing is up.
teardown() {
  local mnt
  kill_bed_processes
  stop_network
  # The /tmp bind mounts live in the holders' private mount namespaces and
  # vanished with them; unmount whatever else points into the state dir.
  while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v s="$STATE/" '$5 ~ "^"s || $5 ~ "^/run/netns/'"$NS_PREFIX"'" { print $5 }' /proc/self/mountinfo | sort -r)
  remove_user
  rm -f "$PIDS" "$FINGERPRINT" "$NODES_FILE"
  rm -rf "$STATE/run"
}
