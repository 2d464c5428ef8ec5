#!/usr/bin/env bash
# Security on the test bed, with a running gateway job (cluster01 : booster01):
# - the relay refuses a source that is not one of the job's nodes, and destinations
#   that are not the job's nodes on the other fabric: a non-job booster node, the
#   gateway itself, the management network;
# - the agent refuses control requests without a credential, with a forged one, and
#   from a non-root user, and logs each refusal.
# shellcheck source=e2e_lib.sh
source "${PSGW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cluster/e2e_lib.sh"

CTL="psgw-ctl --config $PSGW_CONF"
trap cancel_submitted EXIT

user_file e2e-security-job.sh <<<$'#!/bin/bash\nsleep 60'
submit --output=/dev/null --gw_num=1 -p cluster -N1 -w cluster01 : -p booster -N1 -w booster01 \
  e2e-security-job.sh
id=$JOB
wait_for "[ \"\$(job_state $id)\" = RUNNING ]" 60

# The one gateway of the job and its relay port, as its agent reports them.
gw='' port=''
for _ in $(seq 1 50); do
  for g in "${GATEWAYS[@]}"; do
    p=$(agent_relays "$g" | awk -v j="$id" '$1 == j { print $3; exit }')
    [[ -n $p ]] && gw=$g port=$p
  done
  [[ -n $gw ]] && break
  sleep 0.2
done
[[ -n $gw ]] || fail "no agent lists relays for job $id"
pass "job $id relays on $gw port $port"
gw_cluster=$(tb addr "$gw" cluster)
gw_booster=$(tb addr "$gw" booster)

# hello FROM-NODE DEST-ADDR: sends a relay hello (docs/protocol.md) from inside
# FROM-NODE to the relay's cluster-fabric address, prints the reply status code.
hello() {
  tb exec "$1" "$PY" - "$gw_cluster" "$port" "$2" <<'EOF'
import socket, struct, sys
relay, port, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection((relay, port), timeout=10)
s.sendall(b"PSGW" + bytes([1, 4]) + struct.pack(">H", 5201) + socket.inet_aton(dest) + bytes(12))
reply = b""
while len(reply) < 8:
    chunk = s.recv(8 - len(reply))
    if not chunk:
        break
    reply += chunk
print(reply[5] if len(reply) == 8 and reply[:4] == b"PSGW" else "no-reply")
EOF
}

# RelayStatus codes (contract.hpp): 3 source not in job, 4 destination not in job.
assert_eq "$(hello cluster03 "$(tb addr booster01 booster)")" 3 "relay reply to non-job source cluster03"
assert_eq "$(hello cluster01 "$(tb addr booster03 booster)")" 4 "relay reply for non-job destination booster03"
assert_eq "$(hello cluster01 "$gw_booster")" 4 "relay reply for the gateway itself as destination"
assert_eq "$(hello cluster01 "$(tb addr booster01 mgmt)")" 4 "relay reply for a management-network destination"
# The job's own pair is allowed (nothing listens on 5201: the relay answers 5, refused).
assert_eq "$(hello cluster01 "$(tb addr booster01 booster)")" 5 "relay reply for the job's own pair"
refused() { $CTL --agent "$(tb addr "$gw" mgmt)" list | jq -c ".jobs[] | select(.job == $id) | .relays[0].stats.refused"; }
# The relay rewrites its stats file every second.
wait_for "[ \"\$(refused | jq -r .dest_not_in_job)\" = 3 ]" 10
stats=$(refused)
assert_eq "$(jq -r .source_not_in_job <<<"$stats")" 1 "relay's count of refused sources"
assert_eq "$(jq -r .dest_not_in_job <<<"$stats")" 3 "relay's count of refused destinations"

# --- the agent refuses unauthenticated and unauthorised control requests -------------
agent=$(tb addr "$gw" mgmt)
log=$TB_STATE/log/psgwd-$gw.log
munge_socket=$TB_STATE/munge/munge.socket.2
# control BODY: one framed request (u32 length + body). Protocol v2: the agent's reply is
# a MUNGE credential of root; prints its JSON payload once unmunge has checked it is root's.
control() {
  local sealed meta payload
  sealed=$("$PY" - "$agent" "$1" <<'EOF'
import socket, struct, sys
s = socket.create_connection((sys.argv[1], 6470), timeout=10)
body = sys.argv[2].encode()
s.sendall(struct.pack(">I", len(body)) + body)
head = s.recv(4, socket.MSG_WAITALL)
print(s.recv(struct.unpack(">I", head)[0], socket.MSG_WAITALL).decode())
EOF
)
  meta=$(mktemp) payload=$(mktemp)
  if ! unmunge -S "$munge_socket" -m "$meta" -o "$payload" <<<"$sealed"; then
    echo "unauthenticated reply: $sealed"
  elif ! grep -Eq '^UID:.*\(0\)$' "$meta"; then
    echo "reply not signed by root: $(grep '^UID:' "$meta")"
  else
    cat "$payload"
  fi
  rm -f "$meta" "$payload"
}
reply=$(control '{"v":2,"op":"stop","job":'"$id"'}')
assert_contains "$reply" '"ok":false' "agent reply to a request without credential"
assert_contains "$(tail -n 5 "$log")" "refused control request from 10.77.0.1" "agent log after a request without credential"

# A real credential whose payload has been tampered with: MUNGE's MAC check fails.
cred=$(munge -S "$munge_socket" -s '{"v":2,"op":"stop","job":'"$id"'}')
forged=${cred:0:40}$(tr 'A-Za-z' 'B-ZAb-za' <<<"${cred:40:8}")${cred:48}
reply=$(control "$forged")
assert_contains "$reply" '"ok":false' "agent reply to a forged credential"
assert_contains "$(tail -n 5 "$log")" "invalid MUNGE credential" "agent log after a forged credential"

out=$(tb as-user psgw-ctl --agent "$agent" stop "$id" 2>&1) && fail "stop as $TB_USER was accepted: $out"
assert_contains "$out" "not authorized: uid $(id -u "$TB_USER")" "psgw-ctl stop as $TB_USER"
assert_contains "$(tail -n 5 "$log")" "not authorized: uid $(id -u "$TB_USER")" "agent log after a non-root request"

# None of the refused requests touched the job's relays.
assert_eq "$($CTL --agent "$agent" list | jq -r ".jobs[] | select(.job == $id) | .relays[0].alive")" \
  true "relay of job $id after the refused requests"
finish
