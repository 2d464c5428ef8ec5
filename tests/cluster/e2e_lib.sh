# shellcheck shell=bash
# Helpers shared by the end-to-end gateway tests (tests/cluster/test_e2e_*.sh), on top
# of lib.sh: submitting and cancelling the test's own jobs, the controller ledger, the
# relays each psgwd agent reports, and processes identified by PID + start time.
# shellcheck source=lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/cluster/lib.sh"

PY=/usr/bin/python3
# shellcheck disable=SC2034  # used by the tests that source this
HOME_DIR=$TB_STATE/home/$TB_USER
LEDGER=$TB_STATE/ctl/ledger.json
# shellcheck disable=SC2034
GATEWAYS=(gw01 gw02)
# The routing file prefix of the bed's psgw.conf (default psgw-route).
PREFIX=$(sed -n 's/^[[:space:]]*DEFAULT_ROUTE_PREFIX[[:space:]]*=[[:space:]]*\([^[:space:]#]*\).*/\1/p' \
  "$PSGW_CONF" | tail -n1)
PREFIX=${PREFIX:-psgw-route}
SUBMITTED=()

# sbatch --parsable ARGS... as the test user in its home; sets JOB to the job id and
# remembers it for cancel_submitted (no command substitution: that would forget it).
JOB=
submit() {
  JOB=$(tb as-user sbatch --parsable "$@") || fail "sbatch $* failed"
  JOB=${JOB%%;*}
  SUBMITTED+=("$JOB")
}

# Cancels every job this test submitted (for the EXIT trap; never fails).
cancel_submitted() {
  local id
  for id in "${SUBMITTED[@]}"; do scancel "$id" >/dev/null 2>&1 || true; done
}

# Writes a file into the test user's home as that user: user_file NAME <<<CONTENT
user_file() {
  # shellcheck disable=SC2016  # $1 of the inner shell
  tb as-user bash -c 'umask 022; cat > "$1"' _ "$1"
  tb as-user chmod 0755 "$1"
}

# "GATEWAY JOB" per reserved gateway node in the controller ledger.
ledger_entries() {
  [[ -e $LEDGER ]] || return 0
  "$PY" -c 'import json, sys
for gw, e in sorted(json.load(open(sys.argv[1]))["gateways"].items()):
    print(gw, e["job"])' "$LEDGER"
}

# Gateways the ledger holds for job ID, one per line (empty: none).
ledger_of() { ledger_entries | awk -v j="$1" '$2 == j { print $1 }'; }

# "JOB PID PORT" per relay the psgwd agent of gateway NODE reports (fails when the agent
# does not answer).
agent_relays() {  # NODE
  local out
  out=$(psgw-ctl --config "$PSGW_CONF" --agent "$(tb addr "$1" mgmt)" list) || return 1
  "$PY" -c 'import json, sys
for job in json.loads(sys.argv[1])["jobs"]:
    for relay in job["relays"]:
        print(job["job"], relay["pid"], relay["port"])' "$out"
}

# Relay PIDs of job ID on gateway NODE, one per line.
relays_of() {  # NODE ID
  local out
  out=$(agent_relays "$1") || fail "psgw-ctl list on $1 failed"
  awk -v j="$2" '$1 == j { print $2 }' <<<"$out"
}

# "PID STARTTIME" of a running process (fails if it is gone): with the start time, a
# recycled PID is never mistaken for the process we saw.
proc_id() {  # PID
  local stat rest
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  rest=${stat##*) }
  local -a f
  read -ra f <<<"$rest"
  [[ ${f[0]} != Z ]] || return 1
  echo "$1 ${f[19]}"
}

# True when none of the given "PID STARTTIME" processes still runs.
procs_gone() {  # "PID START"...
  local p now
  for p in "$@"; do
    now=$(proc_id "${p%% *}") || continue
    [[ $now != "$p" ]] || return 1
  done
  return 0
}

# Restarts of a job (how often Slurm requeued it).
restarts() { job_field "$1" Restarts; }

# True while a psgw-epilogue for job ID runs (slurmctld logs nothing when it ends).
epilogue_running() {  # ID
  local pid
  for pid in $(pgrep -f 'sbin/psgw-epilogue' || true); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_JOB_ID=$1" && return 0
  done
  return 1
}
