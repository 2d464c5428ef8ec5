# shellcheck shell=bash
# Helpers for the test-bed tests (tests/cluster/test_*.sh); source it:
#   . "$(dirname "$0")/lib.sh"
# ctest passes PSGW_TESTBED, PSGW_BUILD_DIR and PSGW_SOURCE_DIR; run by hand,
# they default to this checkout. Every wait is bounded; a failed check prints
# "FAIL: ..." and ends the test with exit code 1.
set -euo pipefail

: "${PSGW_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${PSGW_TESTBED:=$PSGW_SOURCE_DIR/scripts/testbed}"
: "${PSGW_BUILD_DIR:=$PSGW_SOURCE_DIR/build}"
export PSGW_TESTBED PSGW_BUILD_DIR PSGW_SOURCE_DIR

# shellcheck disable=SC2034  # for the tests that source this
TB_USER=psgwtest
CHECKS=0
TEST_NAME=$(basename "$0" .sh)

# The test bed script: tb up|down|status|env|exec|addr|as-user ...
tb() { "$PSGW_TESTBED" "$@"; }

# SLURM_CONF and PATH of the test bed for sinfo/squeue/scontrol here.
eval "$(tb env)"
# shellcheck disable=SC2034
TB_STATE=$(dirname "$(dirname "$SLURM_CONF")")

fail() {
  echo "FAIL: $TEST_NAME: $*" >&2
  exit 1
}

# Counts one passed check and says which.
pass() {
  CHECKS=$((CHECKS + 1))
  echo "ok $CHECKS - $*"
}

assert_eq() {  # ACTUAL EXPECTED [WHAT]
  [[ $1 == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"
  pass "${3:-value} is '$2'"
}

assert_contains() {  # HAYSTACK NEEDLE [WHAT]
  [[ $1 == *"$2"* ]] || fail "${3:-output} does not contain '$2'; it was: $1"
  pass "${3:-output} contains '$2'"
}

assert_not_contains() {  # HAYSTACK NEEDLE [WHAT]
  [[ $1 != *"$2"* ]] || fail "${3:-output} contains '$2'; it was: $1"
  pass "${3:-output} does not contain '$2'"
}

# Polls CMD (a shell command string) every 0.2 s until it succeeds, at most
# TIMEOUT seconds; fails the test on timeout.
wait_for() {  # CMD TIMEOUT
  local cmd=$1 tries=$(($2 * 5))
  while ((tries-- > 0)); do
    if eval "$cmd" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  fail "timed out after $2 s waiting for: $cmd"
}

# JobState of a job (COMPLETED, FAILED, PENDING, ...); empty if unknown.
job_state() {
  scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n1 | cut -d= -f2
}

job_field() {  # JOBID FIELD -> value of FIELD= in scontrol show job
  scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | grep "^$2=" | head -n1 | cut -d= -f2-
}

# Submits a batch job as the test user (sbatch ARGS... in its home) and waits
# at most SUBMIT_TIMEOUT seconds (default 60) for it to end. Prints the job id;
# the caller checks job_state.
submit_wait() {  # SBATCH-ARGS...
  local id state tries=$((${SUBMIT_TIMEOUT:-60} * 5))
  id=$(tb as-user sbatch --parsable "$@") || fail "sbatch $* failed"
  id=${id%%;*}
  while ((tries-- > 0)); do
    state=$(job_state "$id")
    case $state in
      PENDING | CONFIGURING | RUNNING | COMPLETING | REQUEUED | RESIZING | SUSPENDED | "") sleep 0.2 ;;
      *) echo "$id"; return 0 ;;
    esac
  done
  scancel "$id" 2>/dev/null || true
  fail "job $id (sbatch $*) did not end within ${SUBMIT_TIMEOUT:-60} s (last state: ${state:-unknown})"
}

# Nodes of a partition, one per line.
partition_nodes() { sinfo -h -N -p "$1" -o '%N' | sort -u; }

# Waits until every NODE can take a job: idle, mixed or allocated, without a flag (a
# resumed node can be NOT_RESPONDING, "idle*", until slurmctld's next ping reaches it).
wait_nodes_ready() {  # NODE...
  local n
  for n in "$@"; do
    wait_for "[[ \$(sinfo -h -N -n $n -o %T | head -n1) =~ ^(idle|mixed|allocated)$ ]]" 60
  done
}

# Nodes in a DRAIN state, one per line.
drained_nodes() { sinfo -h -N -t drain,drained,draining -o '%N' | sort -u; }

# Call last: prints the summary.
finish() {
  echo "PASS: $TEST_NAME ($CHECKS checks)"
}
