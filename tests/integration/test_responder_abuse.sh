#!/usr/bin/env bash
# Hostile clients of the built-in HTTP-01 responder (issue 8) while Pebble validates a real
# order: hundreds of idle connections (more than HTTP01_MAX_CONNS: the responder closes the
# oldest idle one for each new client), over-long request lines and heads, byte-at-a-time
# requests, pipelined garbage, ".." and %-encoded traversal, other methods, absolute URIs,
# unknown tokens (tests/integration/lib/responder_abuse.py). Asserts: the issuance succeeds,
# every bad request got a 4xx or was dropped, no 200 but for the order's own tokens, and the
# responder's memory (VmRSS/VmHWM from /proc) stays flat; the numbers are printed.
#
#   test_responder_abuse.sh [--long]     default: 300 idle connections, 6 rounds before the
#                                        validation, more during it; < 60 s.
#                                        --long: 1000 idle connections, 20 rounds before, up to 300 s
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
IDLE=300 ROUNDS=6 SECONDS_MAX=25
if [ "${1:-}" = "--long" ]; then IDLE=1000 ROUNDS=20 SECONDS_MAX=300; ulimit -n 4096 2>/dev/null; fi
. "$ROOT/tests/integration/lib/check.sh"

for c in pebble pebble-challtestsrv python3; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
. "$ROOT/tests/integration/lib/pebble.sh"

W=$(mktemp -d /tmp/acme-abuse-test.XXXXXX)
APID="" SPID="" RELAY=""
cleanup() {
    [ -n "$RELAY" ] && kill "$RELAY" 2>/dev/null
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
    [ -n "$APID" ] && kill "$APID" 2>/dev/null
    pebble_stop
    [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

pebble_start || { echo "pebble did not start"; echo "0 passed, 1 failed"; exit 1; }
# Pebble validates at PEBBLE_HTTP_PORT, where a relay holds its connections until the attack's
# first phase is done (300 idle connections held, every kind of bad request sent), then pipes
# them to the responder on P_HTTP: the validation provably runs inside the attack.
P_HTTP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$ROOT/tests/integration/lib/responder_abuse.py" relay "$PEBBLE_HTTP_PORT" "$P_HTTP" "$W/flag" &
RELAY=$!
for _ in $(seq 1 100); do [ -e "$W/flag.ready" ] && break; sleep 0.05; done
cat > "$W/a.conf" <<CONF
directory = $PEBBLE_DIR_URL
email = admin@example.org
agree_tos = yes
ca_file = $PEBBLE_CA_FILE
state_dir = $W/a
http_listen = 127.0.0.1:$P_HTTP
domains = abuse1.example.org abuse2.example.org abuse3.example.org
timeout = $((SECONDS_MAX + 60))
CONF

timeout $((SECONDS_MAX + 120)) "$BIN" -vv -c "$W/a.conf" > "$W/a.out" 2>&1 &
APID=$!

# The responder is the acme process's only child (acme is the child of timeout).
kids() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .; }
RPID=""
for _ in $(seq 1 3000); do
    RPID=$(kids "$(kids $APID)")
    [ -n "$RPID" ] && break
    kill -0 $APID 2>/dev/null || break
    sleep 0.01
done
if [ -z "$RPID" ]; then
    bad "the responder did not start"; sed 's/^/    | /' "$W/a.out" | tail -20; finish
fi
mem() { awk '/^VmRSS|^VmHWM/ {printf "%s %s ", $1, $2}' /proc/$1/status 2>/dev/null; }
MEM0=$(mem "$RPID")
echo "responder pid $RPID at start: $MEM0"
# sample the responder's memory while it lives
( while kill -0 "$RPID" 2>/dev/null; do echo "$(mem "$RPID")"; sleep 0.2; done ) > "$W/mem.log" 2>/dev/null &
SPID=$!

T0=$(date +%s)
python3 "$ROOT/tests/integration/lib/responder_abuse.py" "$P_HTTP" "$IDLE" "$ROUNDS" "$SECONDS_MAX" "$W/flag" "$RPID" > "$W/abuse.json" 2> "$W/abuse.err" &
XPID=$!
while [ ! -e "$W/flag" ] && kill -0 $XPID 2>/dev/null; do sleep 0.1; done
MEM1=$(mem "$RPID")
echo "responder after phase 1 ($(($(date +%s) - T0)) s): $MEM1"
wait $XPID; arc=$?
T1=$(date +%s)
wait "$APID"; rc=$?; APID=""
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=""
[ $arc -eq 0 ] && ok "abuse script ran ($((T1 - T0)) s)" || { bad "abuse script failed"; cat "$W/abuse.err"; }
if [ $rc -eq 0 ] && [ -s "$W/a/cert.pem" ]; then ok "issuance under attack succeeded (exit 0)"; else
    bad "issuance under attack: exit $rc"; sed 's/^/    | /' "$W/a.out" | tail -25; fi

# The report and its assertions.
python3 - "$W/abuse.json" "$IDLE" <<'PY' > "$W/verdict" 2>&1
import json, sys
s = json.load(open(sys.argv[1])); idle = int(sys.argv[2])
print("connections %d, requests %d, rounds %d (%d before the validation), idle held %d "
      "(still open at the end: %d)" % (s["connections"], s["requests"], s["rounds"],
      s["rounds_phase1"], s["idle_total"], s["idle_open_at_end_of_phase2"]))
for case in sorted(s["by_case"]):
    print("  %-40s %s" % (case, " ".join("%s:%d" % kv for kv in sorted(s["by_case"][case].items()))))
fails = []
if s["violations"]:
    fails.append("violations: " + "; ".join(s["violations"][:10]))
if any("200" in d for d in s["by_case"].values()):
    fails.append("a 200 for a request that is not a token of the order")
if s["idle_total"] < idle:
    fails.append("only %d idle connections opened" % s["idle_total"])
if s["rounds_phase1"] < 1:
    fails.append("the responder stopped before one round of the attack was done")
print("VERDICT " + ("ok" if not fails else " | ".join(fails)))
PY
sed 's/^/    /' "$W/verdict" | grep -v VERDICT
v=$(grep '^VERDICT' "$W/verdict" | cut -c9-)
[ "$v" = ok ] && ok "every bad request got a 4xx or was dropped, no 200 for an attacker" || bad "$v"

# The responder's own log (-vv): 200 only for the order's tokens, one per authorization.
toks=$(grep -o 'GET /.well-known/acme-challenge/[A-Za-z0-9_-]*: 200' "$W/a.out" | sort -u | wc -l)
others=$(grep -E 'http-01 responder: .*: 200$' "$W/a.out" | grep -vc 'GET /.well-known/acme-challenge/[A-Za-z0-9_-]*: 200$')
if [ "$toks" -ge 1 ] && [ "$toks" -le 3 ] && [ "$others" -eq 0 ]; then
    ok "the responder answered 200 for $toks token(s) of the order and nothing else"
else
    bad "200 answers: $toks token(s), $others other"
fi
nbad=$(grep -cE 'http-01 responder: .*: (4[0-9][0-9])$' "$W/a.out")
echo "    the responder logged $nbad 4xx answers"
[ "$nbad" -ge 50 ] && ok "the responder saw the attack ($nbad 4xx)" || bad "the responder logged only $nbad 4xx answers"

# Memory: flat means bounded by the static connection table, not by the number of clients.
rss0=$(echo "$MEM0" | awk '{print $2}'); hwm=$(awk '{print $4}' "$W/mem.log" | sort -n | tail -1)
last=$(grep . "$W/mem.log" | tail -1)
echo "    responder memory: start $MEM0; after phase 1 ${MEM1:-?}; last sample $last; peak VmHWM ${hwm:-?} kB"
rss1=$(echo "$MEM1" | awk '{print $4}')
# The first requests touch the static connection table once (a few hundred kB); after that
# (phase 2: more rounds, more idle clients) nothing may grow.
if [ -n "$rss0" ] && [ -n "$hwm" ] && [ -n "$rss1" ] && [ $((hwm - rss0)) -lt 2048 ] &&
    [ $((hwm - rss1)) -lt 128 ]; then
    ok "responder memory flat: VmRSS $rss0 kB at start, $rss1 kB after phase 1, peak VmHWM $hwm kB"
else
    bad "responder memory grew: VmRSS ${rss0:-?} kB at start, ${rss1:-?} kB after phase 1, peak VmHWM ${hwm:-?} kB"
fi
finish
