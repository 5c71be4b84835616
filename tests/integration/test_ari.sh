#!/usr/bin/env bash
# ACME Renewal Information (RFC 9773) against the scripted CA (tests/integration/lib/fakeca.py;
# Pebble 2.4 has no renewalInfo): the certID acme sends, no ARI request before the stored next-check time, a window in the future
# (not due; the chosen moment kept in state), Retry-After, explanationURL, a window in the past
# (renewal with "replaces"), 409 alreadyReplaced and a 403 about the replaced certificate
# (retried once without "replaces"), and a failing renewalInfo (fallback to the lifetime rule).
# The client's clock is moved forward with ACME_TEST_NOW (hours, within the listener
# certificate's validity); the CA's windows are relative to the real time.
#
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
. "$ROOT/tests/integration/lib/check.sh"

for c in openssl python3; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
. "$ROOT/tests/integration/lib/fakeca.sh"

W=$(mktemp -d /tmp/acme-ari-test.XXXXXX)
cleanup() { fakeca_cleanup; rm -rf "$W"; }
trap cleanup EXIT

fakeca_start --ari future --cert-days 90 --max-seconds 300 ||
    { echo "fakeca did not start"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$W/www"
fakeca_config "$W/ari.conf" "state_dir=$W/s" "webroot=$W/www"
NOW=$(date +%s)

run() { # HOURS args...: ACME_TEST_NOW = NOW + HOURS (0: the real clock); output in $W/out
    local h=$1; shift
    if [ "$h" = 0 ]; then timeout 60 "$BIN" -c "$W/ari.conf" "$@" > "$W/out" 2>&1; return; fi
    ACME_TEST_NOW=$((NOW + h * 3600)) timeout 60 "$BIN" -c "$W/ari.conf" "$@" > "$W/out" 2>&1
}
expect_rc() { # WHAT WANT HOURS args...
    local what=$1 want=$2 rc; shift 2
    run "$@"; rc=$?
    if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, want $want"; sed 's/^/    | /' "$W/out" | tail -15; fi
}
# fj EXPR: a Python expression over the CA's recorded state `s`, printed.
fj() { fakeca_state "$W/st.json" && python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$W/st.json"; }
inside() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; } # T START END
not_in() { ! grep -q "$1" "$2"; }
stateval() { sed -n "s/^$1=//p" "$W/s/state"; }
certid() { stateval ari_certid; }
n_ari() { fj 'len(s["certids"])'; }
n_neworder() { fj 'len([r for r in s["requests"] if r["step"] == "newOrder"])'; }

# --- issuance and the certID -------------------------------------------------------------------
expect_rc "first certificate" 0 0
check "acme's certID equals the CA's for the issued certificate" [ "$(certid)" = "$(fj 's["issued"][-1]["certid"]')" ]
check "no ARI request right after issuance" [ "$(n_ari)" = 0 ]
check "a first certificate is ordered without \"replaces\"" [ "$(fj 'len(s["replaces"])')" = 0 ]
# Renew a few times: each order replaces the previous certificate. (fakeca's serials never
# have the top bit set, so the DER sign byte case is covered by test_cron.sh with Pebble's
# serials and by tests/unit/test_renew.c.)
for i in 1 2 3 4 5 6; do
    old=$(certid)
    run 0 -f || { bad "renewal $i with -f"; sed 's/^/    | /' "$W/out" | tail -5; break; }
    [ "$(fj 's["replaces"][-1]')" = "$old" ] || { bad "renewal $i: replaces = $(fj 's["replaces"][-1]'), want $old"; break; }
    [ "$(certid)" = "$(fj 's["issued"][-1]["certid"]')" ] || { bad "renewal $i: certID differs from the CA's"; break; }
    ok "renewal $i: \"replaces\" was the previous certID, new certID matches the CA's"
done
n0=$(n_ari)
expect_rc "not due right after issuance" 1 0
check "... and no ARI request before the next check (6 h)" [ "$(n_ari)" = "$n0" ]

# --- window in the future: not due, moment chosen and kept ------------------------------------
expect_rc "7 h later: ARI check, window in the future: not due" 1 7
check "... the CA got acme's certID" [ "$(fj 's["certids"][-1]')" = "$(certid)" ]
check "... one request" [ "$(n_ari)" = $((n0 + 1)) ]
check "... output names the ARI window" grep -q "ARI" "$W/out"
at=$(stateval ari_renew_at) ws=$(stateval ari_window_start) we=$(stateval ari_window_end)
check "chosen moment inside the window" inside "$at" "$ws" "$we"
expect_rc "8 h later: not due" 1 8
check "... no ARI request (next check 6 h after the last)" [ "$(n_ari)" = $((n0 + 1)) ]
check "... the chosen moment is unchanged" [ "$(stateval ari_renew_at)" = "$at" ]
run 14 status; rc=$?
check "status: exit 0" [ "$rc" = 0 ]
check "status shows the ARI window from state" grep -q "ARI window" "$W/out"
check "status made no ARI request" [ "$(n_ari)" = $((n0 + 1)) ]

# --- Retry-After and explanationURL --------------------------------------------------------------
fakeca_set_ari future 36000 https://fakeca.invalid/incident/42
expect_rc "14 h: ARI check with Retry-After 36000 and an explanation: not due" 1 14
check "... explanationURL printed" grep -q "https://fakeca.invalid/incident/42" "$W/out"
check "... next check = now + Retry-After" [ "$(stateval ari_next_check)" = $((NOW + 14 * 3600 + 36000)) ]
# fakeca's windows move with the real clock: a new window, so a new moment inside it
at=$(stateval ari_renew_at) ws=$(stateval ari_window_start) we=$(stateval ari_window_end)
check "... a moved window: a new moment inside it" inside "$at" "$ws" "$we"
n1=$(n_ari)
expect_rc "23 h (before Retry-After ran out): not due" 1 23
check "... no ARI request" [ "$(n_ari)" = "$n1" ]

# --- renewalInfo fails: fallback to the lifetime rule ------------------------------------------
fakeca_set_ari future
fakeca_set_case http500 renewalInfo 1
expect_rc "25 h: renewalInfo answers 500: falls back, not due" 1 25
check "... with a warning" grep -q "ARI check failed" "$W/out"
check "... next ARI check in 1 h" [ "$(stateval ari_next_check)" = $((NOW + 25 * 3600 + 3600)) ]

# --- window in the past: renewal with "replaces" -------------------------------------------------
fakeca_set_ari past
old=$(certid)
expect_rc "27 h: window in the past: renews" 0 27
check "... the order replaced the old certificate" [ "$(fj 's["replaces"][-1]')" = "$old" ]
check "... new certID in state" [ "$(certid)" != "$old" ]
check "... matching the CA's" [ "$(certid)" = "$(fj 's["issued"][-1]["certid"]')" ]

# --- jitter: only when a renewal is due, bounded by -j --------------------------------------------
t0=$(date +%s)
expect_rc "34 h, window still past, -j 3: renews" 0 34 -v -j 3
t1=$(date +%s)
w=$(sed -n 's/.*waiting \([0-9]*\) s before contacting the CA.*/\1/p' "$W/out")
check "... slept a random time before the CA ($w s)" [ -n "$w" ]
check "... at most 3 s" inside "${w:-}" 0 4
check "... and really waited" inside "${w:-}" 0 $((t1 - t0 + 1))
expect_rc "-f -j 3: no jitter" 0 34 -v -f -j 3
check "... no waiting" not_in "waiting" "$W/out"

# --- 409 alreadyReplaced and 403: ordered again without "replaces" --------------------------------
fakeca_set_ari future
fakeca_set_case already-replaced newOrder 1
o0=$(n_neworder)
expect_rc "409 alreadyReplaced: retried without replaces" 0 27 -f
check "... warned" grep -q "alreadyReplaced" "$W/out"
check "... two newOrder requests" [ "$(n_neworder)" = $((o0 + 2)) ]
fakeca_set_case replaces-403 newOrder 1
o0=$(n_neworder)
expect_rc "403 about the replaced certificate: retried without replaces" 0 27 -f
check "... two newOrder requests" [ "$(n_neworder)" = $((o0 + 2)) ]
fakeca_set_case rejected-identifier newOrder 1
o0=$(n_neworder)
expect_rc "other newOrder errors are not retried (rejectedIdentifier: 6)" 6 27 -f
check "... one newOrder request" [ "$(n_neworder)" = $((o0 + 1)) ]

finish
