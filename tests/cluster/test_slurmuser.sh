#!/usr/bin/env bash
# The controller side as real sites run it: SlurmUser=slurm (the bed's default), so
# PrologSlurmctld/EpilogSlurmctld are unprivileged and act as the job user only through
# psgw-runas. Then the same job once more on a bed brought up with SlurmUser=root.
# Each time: the routing file and .gw map belong to the job user, a site route plugin
# from DIR_ROUTE_SCRIPTS runs as the job user (never as SlurmUser or root), and the
# daemon that plugin starts does not survive the prologue. Runs last (it leaves the bed
# with SlurmUser=root for the fixture's `down`).
# shellcheck source=e2e_lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/e2e_lib.sh"

trap cancel_submitted EXIT

PLUGIN_DIR=$TB_STATE/install/libexec/psgw   # DIR_ROUTE_SCRIPTS of the bed
JOB_UID=$(id -u "$TB_USER")

# A site plugin that records who runs it and leaves a setsid daemon behind.
site_plugin() {
  cat >"$PLUGIN_DIR/e2e-site.py" <<'EOF_PLUGIN'
import os, time
home = os.environ["HOME"]
with open(os.path.join(home, "e2e-plugin-uid"), "w") as f:
    f.write("%d\n" % os.getuid())
if os.fork() == 0:
    os.setsid()
    with open(os.path.join(home, "e2e-plugin-daemon.tmp"), "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(os.path.join(home, "e2e-plugin-daemon.tmp"), os.path.join(home, "e2e-plugin-daemon"))
    os.execv("/bin/sleep", ["sleep", "300"])
for _ in range(100):
    if os.path.exists(os.path.join(home, "e2e-plugin-daemon")):
        break
    time.sleep(0.05)

def routeConnectionS(sizeA, sizeB, numGw, i, j):
    return None, (i + j) % numGw
EOF_PLUGIN
  chmod 0644 "$PLUGIN_DIR/e2e-site.py"
}


# One gateway job with the site plugin; checks what it left, with SlurmUser=WANT.
run_job() {  # WANT
  local want=$1 route daemon
  assert_contains "$(scontrol show config | grep -E '^SlurmUser ')" "$want(" "SlurmUser of the bed"
  assert_eq "$(ps -o user= -p "$(pgrep -o -x slurmctld)")" "$want" "user slurmctld runs as"
  tb as-user rm -f e2e-plugin-uid e2e-plugin-daemon
  # Written each time: bringing the bed up again recreates the user's home.
  user_file e2e-slurmuser.sh <<'EOF'
#!/bin/bash
cp "$PSP_GW_SERVER" "routes-$SLURM_JOB_ID"
EOF
  submit --gw_num=1 --gw_plugin=e2e-site -p cluster -N1 : -p booster -N1 e2e-slurmuser.sh
  wait_for "[[ \$(job_state $JOB) == COMPLETED ]]" 90
  pass "job $JOB with SlurmUser=$want completed"
  route=$HOME_DIR/$PREFIX-$JOB
  assert_eq "$(stat -c %U "$route")" "$TB_USER" "owner of $route"
  assert_eq "$(stat -c %U "$route.gw")" "$TB_USER" "owner of $route.gw"
  assert_eq "$(wc -l <"$HOME_DIR/routes-$JOB")" 1 "lines of the routing file the job saw"
  assert_eq "$(cat "$HOME_DIR/e2e-plugin-uid")" "$JOB_UID" "uid the site route plugin ran as"
  daemon=$(cat "$HOME_DIR/e2e-plugin-daemon")
  wait_for "! kill -0 $daemon" 10
  pass "the daemon the plugin started (pid $daemon) did not outlive the prologue"
  wait_for "[[ -z \$(ledger_of $JOB) ]]" 30
  pass "no gateway of job $JOB left in the ledger"
}

site_plugin
run_job slurm

# The same with SlurmUser=root: a different configuration, so `up` rebuilds the bed.
PSGW_TESTBED_SLURM_USER=root tb up --build "$PSGW_BUILD_DIR" >/dev/null
site_plugin
run_job root
finish
