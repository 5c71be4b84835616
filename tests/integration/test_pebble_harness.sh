#!/usr/bin/env bash
# Self-test of tests/integration/lib/pebble.sh: Pebble and challtestsrv start on loopback,
# the listener certificate verifies against the harness CA, the management API, the mock DNS
# and its control calls work, options reach Pebble, and pebble_stop leaves nothing behind.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$ROOT/tests/integration/lib/pebble.sh"

PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
T=$(mktemp -d "${TMPDIR:-/tmp}/acme-harness-test.XXXXXX")
trap 'pebble_stop; rm -rf "$T"' EXIT

alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }

if ! pebble_start; then
    bad "pebble_start"
    echo "$PASS passed, $FAIL failed"
    exit 1
fi
ok "pebble_start"
P1=$PEBBLE_PID C1=$CHALLTEST_PID WORK1=$PEBBLE_WORK DIRPORT=${PEBBLE_DIR_URL##*:}
DIRPORT=${DIRPORT%%/*}

check "variables exported" bash -c '[ -n "$PEBBLE_DIR_URL" ] && [ -f "$PEBBLE_CA_FILE" ] &&
    [ -n "$PEBBLE_HTTP_PORT" ] && [ -n "$PEBBLE_TLS_PORT" ] && [ -n "$PEBBLE_MGMT_URL" ]'
check "pebble and challtestsrv running" alive "$P1"
alive "$C1" || bad "challtestsrv running"

# TLS to the directory, verified against the harness CA with openssl (no curl needed).
tls_ok() {
    local ca=$1; shift
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$DIRPORT" -CAfile "$ca" \
        -verify_return_error "$@" 2>&1 | grep -q 'Verify return code: 0 (ok)'
}
check "listener verifies for 127.0.0.1" tls_ok "$PEBBLE_CA_FILE" -verify_ip 127.0.0.1
check "listener verifies for localhost" tls_ok "$PEBBLE_CA_FILE" -verify_hostname localhost
check "listener refused for another name" eval '! tls_ok "$PEBBLE_CA_FILE" -verify_hostname example.org'
: > "$T/empty.pem"
check "listener not trusted without the CA" eval '! tls_ok "$T/empty.pem"'

pebble_get "$PEBBLE_DIR_URL" > "$T/dir.json"
check "directory has newNonce, newAccount, newOrder" grep -q '"newOrder"' "$T/dir.json"
grep -q '"newNonce"' "$T/dir.json" && grep -q '"newAccount"' "$T/dir.json" || bad "directory fields"
check "no EAB by default" grep -q '"externalAccountRequired": false' "$T/dir.json"

pebble_roots "$T/roots.pem"
check "pebble_roots: root and intermediate" test "$(grep -c 'BEGIN CERTIFICATE' "$T/roots.pem")" -eq 2
awk '/BEGIN/{n++} n==1' "$T/roots.pem" > "$T/root.pem"
awk '/BEGIN/{n++} n==2' "$T/roots.pem" > "$T/int.pem"
check "intermediate verifies against root" openssl verify -CAfile "$T/root.pem" "$T/int.pem"

check "mock DNS answers 127.0.0.1 for any name" test "$(pebble_dns_query "x$RANDOM.router.test" A)" = 127.0.0.1
check "mock DNS has no AAAA" test -z "$(pebble_dns_query router.test AAAA)"
challtest_set_txt _acme-challenge.router.test "txt-value-1"
check "challtest_set_txt" test "$(pebble_dns_query _acme-challenge.router.test TXT)" = txt-value-1
challtest_clear_txt _acme-challenge.router.test.
check "challtest_clear_txt" test -z "$(pebble_dns_query _acme-challenge.router.test TXT)"
challtest_add_a other.test 127.0.0.2
check "challtest_add_a" test "$(pebble_dns_query other.test A)" = 127.0.0.2

challtest_hook "$T/hook"
"$T/hook" add _acme-challenge.www.router.test "hook-value"
check "challtest_hook add" test "$(pebble_dns_query _acme-challenge.www.router.test TXT)" = hook-value
"$T/hook" del _acme-challenge.www.router.test "hook-value"
check "challtest_hook del" test -z "$(pebble_dns_query _acme-challenge.www.router.test TXT)"
check "challtest_hook log" grep -qx "del _acme-challenge.www.router.test hook-value" "$T/hook.log"
check "challtest_hook refuses other actions" eval '! "$T/hook" list x y 2>/dev/null'

# challtestsrv's own HTTP-01 responder is off: the port is free for acme's responder.
check "HTTP-01 port free for acme" _pebble_ports_free "$PEBBLE_HTTP_PORT"
mkdir -p "$T/www/.well-known/acme-challenge"
echo "token.thumb" > "$T/www/.well-known/acme-challenge/tok"
if webroot_server_start "$T/www"; then
    W1=$WEBROOT_PID
    check "webroot server serves DIR" test "$(pebble_get "http://127.0.0.1:$PEBBLE_HTTP_PORT/.well-known/acme-challenge/tok")" = token.thumb
    webroot_server_stop
    check "webroot_server_stop" eval '! alive "$W1" && _pebble_ports_free "$PEBBLE_HTTP_PORT"'
    webroot_server_start "$T/www" && W1=$WEBROOT_PID || bad "webroot server restart"
else
    bad "webroot_server_start"
fi
check "defaults reach pebble" grep -qz 'PEBBLE_WFE_NONCEREJECT=0' "/proc/$P1/environ"
pebble_start >/dev/null 2>&1 && bad "pebble_start twice" || ok "pebble_start twice refused"

pebble_stop
check "pebble_stop: processes gone" bash -c "! kill -0 $P1 2>/dev/null && ! kill -0 $C1 2>/dev/null && ! kill -0 ${W1:-$P1} 2>/dev/null"
check "pebble_stop: work dir removed" test ! -e "$WORK1"
check "pebble_stop: port free again" _pebble_ports_free "$DIRPORT"
pebble_stop
ok "pebble_stop twice"

# A second instance: EAB, an explicit port block and an --env override.
BASE=$((21000 + (RANDOM % 400) * 10))
if PEBBLE_PORT_BASE=$BASE pebble_start --eab --env PEBBLE_WFE_NONCEREJECT=50 --env PEBBLE_AUTHZREUSE=100; then
    ok "pebble_start --eab with PEBBLE_PORT_BASE"
    check "ports from PEBBLE_PORT_BASE" test "$PEBBLE_DIR_URL" = "https://127.0.0.1:$BASE/dir"
    check "HTTP-01 port is base+2" test "$PEBBLE_HTTP_PORT" = $((BASE + 2))
    pebble_get "$PEBBLE_DIR_URL" > "$T/dir2.json"
    check "EAB required" grep -q '"externalAccountRequired": true' "$T/dir2.json"
    check "EAB key exported" test "$PEBBLE_EAB_KID" = kid-1 -a -n "$PEBBLE_EAB_HMAC_KEY"
    check "--env overrides a default" grep -qz 'PEBBLE_WFE_NONCEREJECT=50' "/proc/$PEBBLE_PID/environ"
    check "--env adds a variable" grep -qz 'PEBBLE_AUTHZREUSE=100' "/proc/$PEBBLE_PID/environ"
    pebble_stop
else
    bad "pebble_start --eab with PEBBLE_PORT_BASE"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
