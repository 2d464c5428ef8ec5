#!/usr/bin/env bash
# psgw_spank.so on the test bed: options in sbatch --help, refusal of bad values at
# submit time, PSP_GW_SERVER in the batch script and in every task of a het job,
# and nothing of psgw in a job without --gw_*.
# Needs the test bed up with plugstack.conf loading the installed psgw_spank.so.
# shellcheck source=lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/lib.sh"

HOME_DIR=$TB_STATE/home/$TB_USER
# The routing file prefix the test bed's psgw.conf uses (default psgw-route).
PREFIX=$(sed -n 's/^[[:space:]]*DEFAULT_ROUTE_PREFIX[[:space:]]*=[[:space:]]*\([^[:space:]#]*\).*/\1/p' \
  "$TB_STATE/etc/psgw.conf" | tail -n1)
PREFIX=${PREFIX:-psgw-route}

# --- sbatch --help lists all ten options ---------------------------------------
help=$(tb as-user sbatch --help 2>&1) || fail "sbatch --help failed: $help"
for opt in gw_num gw_file gw_plugin gw_env gw_cleanup gw_binary gw_psgwd_per_node \
  gw_quiet gw_debug gw_inherit; do
  assert_contains "$help" "--$opt" "sbatch --help"
done
assert_contains "$help" "[psgw]" "sbatch --help"

# --- bad values are refused by sbatch with their one-line message ----------------
# refused EXPECTED-MESSAGE SBATCH-ARGS...: sbatch must fail and print the message.
refused() {
  local expected=$1 out rc=0
  shift
  out=$(tb as-user sbatch "$@" 2>&1) || rc=$?
  ((rc != 0)) || fail "sbatch $* was accepted (output: $out)"
  assert_contains "$out" "$expected" "sbatch $*"
  # Never a submitted job id for a refused submission.
  assert_not_contains "$out" "Submitted batch job" "sbatch $*"
}

for bad in 0 -1 abc 2x 0x10 ""; do
  refused "psgw: --gw_num=$bad is invalid: expected a decimal number in 1..1024" \
    --gw_num="$bad" -p cluster -N1 --wrap true
done
refused "psgw: --gw_psgwd_per_node=0 is invalid: expected a decimal number in 1..32" \
  --gw_num=1 --gw_psgwd_per_node=0 -p cluster -N1 --wrap true
refused "psgw: --gw_file=route is invalid: expected an absolute path" \
  --gw_num=1 --gw_file=route -p cluster -N1 --wrap true
refused "psgw: --gw_plugin=/nonexistent/plugin.py is invalid: no such regular file" \
  --gw_num=1 --gw_plugin=/nonexistent/plugin.py -p cluster -N1 --wrap true
# STRICT_MODE=1 (the bed's default): the user's own plugin file is refused at submit time.
tb as-user bash -c 'printf "def routeConnectionS(a, b, g, i, j):\n    return None, 0\n" > spank-own-plugin.py'
refused "psgw: --gw_plugin=$TB_STATE/home/$TB_USER/spank-own-plugin.py is invalid: STRICT_MODE=1 allows only plugins in $TB_STATE/install/libexec/psgw" \
  --gw_num=1 --gw_plugin="$TB_STATE/home/$TB_USER/spank-own-plugin.py" -p cluster -N1 --wrap true
refused "psgw: --gw_file requires --gw_num" \
  --gw_file=/tmp/route -p cluster -N1 --wrap true

# A het job whose --gw_* options sit only in the second component.
tb as-user bash -c 'printf "#!/bin/bash\ntrue\n" > spank-true.sh'
refused "psgw: --gw_num given in heterogeneous job component 1; put all --gw_* options in the first component" \
  -p cluster -N1 : -p booster -N1 --gw_num=2 spank-true.sh

# --- het job: PSP_GW_SERVER in the batch script and in every task ----------------
# Only PSP_GW_SERVER is checked: the gateway prologue may not be installed yet.
tb as-user bash -c 'cat > spank-het.sh' <<'EOF'
#!/bin/bash
echo "batch ${PSP_GW_SERVER:-unset}"
srun --het-group=0,1 printenv PSP_GW_SERVER | sed 's/^/task /'
EOF
SUBMIT_TIMEOUT=${SUBMIT_TIMEOUT:-120}
id=$(submit_wait --gw_num=2 -p cluster -N2 : -p booster -N2 --output=spank-het-%j.out spank-het.sh)
assert_eq "$(job_state "$id")" COMPLETED "state of het job $id"
out=$(cat "$HOME_DIR/spank-het-$id.out")
expected=$HOME_DIR/$PREFIX-$id
assert_contains "$out" "batch $expected" "batch script of job $id"
tasks=$(grep -c "^task $expected\$" <<<"$out" || true)
assert_eq "$tasks" 4 "tasks of job $id that see PSP_GW_SERVER=$expected"
others=$(grep '^task ' <<<"$out" | grep -vc "^task $expected\$" || true)
assert_eq "$others" 0 "tasks of job $id with a different PSP_GW_SERVER"

# --- a job without --gw_* sees nothing of psgw -----------------------------------
tb as-user bash -c 'cat > spank-plain.sh' <<'EOF'
#!/bin/bash
env | grep -E 'SPANK_PSGW|PSP_GW|_psgw_' || echo "no psgw variables"
srun env | grep -E 'SPANK_PSGW|PSP_GW|_psgw_' || echo "no psgw variables in tasks"
EOF
id=$(submit_wait -p cluster -N1 --output=spank-plain-%j.out spank-plain.sh)
assert_eq "$(job_state "$id")" COMPLETED "state of plain job $id"
out=$(cat "$HOME_DIR/spank-plain-$id.out")
assert_eq "$out" $'no psgw variables\nno psgw variables in tasks' "environment of plain job $id"

finish
