#!/usr/bin/env bash
# End-to-end issuance against Pebble and pebble-challtestsrv on loopback (issue 5): built-in
# HTTP-01 (ec-256, rsa-2048), webroot, dns-01 through a hook, a wildcard, EAB, an IP
# identifier, 20 issuances with half of all nonces rejected, and the documented exit statuses
# of the failure paths. The core cases run again with the mbedTLS binary when it exists.
#
# Environment: ACME_BIN (default build/host/acme), ACME_BIN_MBEDTLS (optional), ACME_ROOT.
# Pebble comes from tests/integration/lib/pebble.sh (ports picked free, stopped by PID).
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
BIN_MBEDTLS=${ACME_BIN_MBEDTLS:-}
. "$ROOT/tests/integration/lib/check.sh"

for c in pebble pebble-challtestsrv openssl python3; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
. "$ROOT/tests/integration/lib/pebble.sh"

W=$(mktemp -d /tmp/acme-pebble-test.XXXXXX)
cleanup() { pebble_stop; rm -rf "$W"; }
trap cleanup EXIT

# (re)starts Pebble with the harness; refreshes the roots used by `verifies`.
start_pebble() {
    pebble_stop
    pebble_start "$@" || return 1
    DIR_URL=$PEBBLE_DIR_URL P_HTTP=$PEBBLE_HTTP_PORT
    pebble_roots "$W/root.pem"
}
# A port nothing listens on: the CA-unreachable case.
P_DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

start_pebble || { echo "pebble did not start"; echo "0 passed, 1 failed"; exit 1; }

# conf NAME [key = value lines...]: a config with the common keys; state in $W/NAME.
conf() {
    local n=$1; shift
    {
        echo "directory = $DIR_URL"
        echo "email = admin@example.org"
        echo "agree_tos = yes"
        echo "ca_file = $PEBBLE_CA_FILE"
        echo "state_dir = $W/$n"
        echo "http_listen = 127.0.0.1:$P_HTTP"
        echo "timeout = 20"
        echo "reload = echo reload >> $W/$n.reloads"
        local l; for l in "$@"; do echo "$l"; done
    } > "$W/$n.conf"
}
reloads() { [ -f "$W/$1.reloads" ] && wc -l < "$W/$1.reloads" || echo 0; }
run() { # BIN NAME [args]: runs, keeps output in $W/NAME.out, returns the exit status
    local bin=$1 n=$2; shift 2
    timeout 120 "$bin" -c "$W/$n.conf" "$@" > "$W/$n.out" 2>&1
}
expect_rc() { # WHAT WANT BIN NAME [args]
    local what=$1 want=$2 rc; shift 2
    run "$@"; rc=$?
    if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, want $want"; sed 's/^/    | /' "$W/$2.out" | tail -20; fi
}
verifies() { # NAME
    openssl verify -CAfile "$W/root.pem" -untrusted "$W/$1/chain.pem" "$W/$1/cert.pem" > /dev/null 2>&1
}
key_matches() {
    [ "$(openssl x509 -in "$W/$1/cert.pem" -pubkey -noout 2>/dev/null)" = \
      "$(openssl pkey -in "$W/$1/key.pem" -pubout 2>/dev/null)" ] &&
    [ -n "$(openssl pkey -in "$W/$1/key.pem" -pubout 2>/dev/null)" ]
}
has_names() { # NAME names...
    local n=$1 sans; shift
    sans=$(openssl x509 -in "$W/$n/cert.pem" -noout -ext subjectAltName 2>/dev/null)
    local d; for d in "$@"; do grep -q "$d" <<< "$sans" || return 1; done
}
not_ok() { ! "$@" > /dev/null 2>&1; }
not_in() { ! grep -q "$1" "$2"; }
serial() { openssl x509 -in "$W/$1/cert.pem" -noout -serial 2>/dev/null; }
key_mode() { [ "$(stat -L -c %a "$W/$1/key.pem")" = 600 ]; }

# --- built-in HTTP-01, two names, ec-256 and rsa-2048 --------------------------------------
http01_suite() { # BIN TAG
    local bin=$1 tag=$2 kt n s1
    for kt in ec-256 rsa-2048; do
        n=h01-$tag-$kt
        conf "$n" "domains = a-$kt.$tag.example.org b-$kt.$tag.example.org" "key_type = $kt"
        expect_rc "[$tag] http-01 $kt: first run issues" 0 "$bin" "$n"
        check "[$tag] http-01 $kt: chain verifies against Pebble's root" verifies "$n"
        check "[$tag] http-01 $kt: leaf matches key" key_matches "$n"
        check "[$tag] http-01 $kt: both names" has_names "$n" "a-$kt.$tag.example.org" "b-$kt.$tag.example.org"
        check "[$tag] http-01 $kt: key file 0600" key_mode "$n"
        check "[$tag] http-01 $kt: reload ran once" [ "$(reloads "$n")" = 1 ]
        s1=$(serial "$n")
        expect_rc "[$tag] http-01 $kt: second run is not due" 1 "$bin" "$n"
        check "[$tag] http-01 $kt: not-due run did not reload" [ "$(reloads "$n")" = 1 ]
        expect_rc "[$tag] http-01 $kt: not-due run does not even read ca_file" 1 "$bin" "$n" -o ca_file=/nonexistent
        expect_rc "[$tag] http-01 $kt: -f issues again" 0 "$bin" "$n" -f
        check "[$tag] http-01 $kt: -f gave a new certificate" [ "$(serial "$n")" != "$s1" ]
        check "[$tag] http-01 $kt: previous certificate kept" [ -s "$W/$n/cert.pem.prev" ]
        check "[$tag] http-01 $kt: reload ran once more" [ "$(reloads "$n")" = 2 ]
        check "[$tag] http-01 $kt: new chain verifies" verifies "$n"
    done
}
http01_suite "$BIN" bearssl

# --- -v statistics and -q silence ------------------------------------------------------------
conf stats "domains = s1.example.org s2.example.org"
run "$BIN" stats -v
check "-v reports HTTPS requests and TLS handshakes" grep -q "HTTPS requests.*TLS handshakes" "$W/stats.out"
grep -h "HTTPS requests" "$W/stats.out" | sed 's/^/    /'
run "$BIN" stats -q; rc=$?
check "-q prints nothing when not due (exit 1)" [ "$rc" = 1 -a ! -s "$W/stats.out" ]
acct=$(grep '^account_url=' "$W/stats/state")
rm -f "$W/stats/state"
expect_rc "state lost: -f issues" 0 "$BIN" stats -f -v
check "state lost: account re-found with onlyReturnExisting" grep -q "found account" "$W/stats.out"
check "state lost: same account URL cached again" [ -n "$acct" -a "$(grep '^account_url=' "$W/stats/state")" = "$acct" ]
run "$BIN" stats -f -q; rc=$?
check "-q prints nothing on success (exit 0)" [ "$rc" = 0 -a ! -s "$W/stats.out" ]

# --- webroot -------------------------------------------------------------------------------
mkdir -p "$W/www"
webroot_server_start "$W/www" || bad "webroot server did not start"
conf webroot "domains = www1.example.org www2.example.org" "webroot = $W/www"
expect_rc "webroot: issues" 0 "$BIN" webroot
check "webroot: chain verifies" verifies webroot
check "webroot: token files removed" [ -z "$(ls -A "$W/www/.well-known/acme-challenge" 2>/dev/null)" ]
check "webroot: tokens were fetched" grep -q "acme-challenge" "$PEBBLE_WORK/webroot-server.log"
# The responder cannot bind while the web server holds the port: exit 3 naming the port.
conf busy "domains = busy.example.org"
expect_rc "port in use: exit 3" 3 "$BIN" busy
check "port in use: message names the port" grep -q "$P_HTTP" "$W/busy.out"
webroot_server_stop

# --- dns-01 via a hook calling challtestsrv ------------------------------------------------
cat > "$W/hook.sh" <<HOOK
#!/bin/sh
# dns_hook add|del NAME VALUE, through challtestsrv's management API
v=\$3
[ -n "\${WRONG:-}" ] && v=wrong-value
case \$1 in
add) path=/set-txt ;;
*) path=/clear-txt ;;
esac
python3 - "\$CHALLTEST_URL\$path" "\$2." "\$v" <<'PY' || exit 1
import json, sys, urllib.request
body = {"host": sys.argv[2]}
if sys.argv[1].endswith("/set-txt"):
    body["value"] = sys.argv[3]
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=json.dumps(body).encode(), method="POST"), timeout=10).read()
PY
echo "\$1 \$ACME_ACTION \$ACME_NAME \$ACME_DOMAIN" >> $W/hook.log
HOOK
chmod +x "$W/hook.sh"
conf dns "domains = d1.example.org d2.example.org" "challenge = dns-01" "dns_hook = $W/hook.sh"
expect_rc "dns-01: issues" 0 "$BIN" dns
check "dns-01: chain verifies" verifies dns
check "dns-01: hook add ran for each name" [ "$(grep -c '^add add _acme-challenge' "$W/hook.log")" = 2 ]
check "dns-01: hook del ran for each name" [ "$(grep -c '^del del _acme-challenge' "$W/hook.log")" = 2 ]
check "dns-01: ACME_DOMAIN exported" grep -q "^add add _acme-challenge.d1.example.org d1.example.org" "$W/hook.log"

conf wild "domains = *.w.example.org w.example.org" "challenge = dns-01" "dns_hook = $W/hook.sh"
expect_rc "wildcard via dns-01: issues" 0 "$BIN" wild
check "wildcard: certificate has *.w.example.org" has_names wild '\*.w.example.org'
check "wildcard: chain verifies" verifies wild

conf wildhttp "domains = *.x.example.org"
expect_rc "wildcard with http-01: config error" 2 "$BIN" wildhttp

: > "$W/hook.log"
conf wrong "domains = wrong.example.org" "challenge = dns-01" "dns_hook = WRONG=1 $W/hook.sh"
expect_rc "hook publishes a wrong value: exit 4" 4 "$BIN" wrong
check "validation failure shows the CA's detail" grep -qi "incorrect\|unauthorized\|TXT" "$W/wrong.out"
check "dns-01: hook del ran after the failure" grep -q "^del" "$W/hook.log"

# --- IP identifier (RFC 8738) -----------------------------------------------------------------
conf ip "domains = 127.0.0.1"
expect_rc "IP identifier over http-01: issues" 0 "$BIN" ip
check "IP identifier: certificate has IP 127.0.0.1" has_names ip "IP Address:127.0.0.1"

# --- failure paths --------------------------------------------------------------------------
conf notos "domains = notos.example.org"
sed -i '/^agree_tos/d' "$W/notos.conf"
expect_rc "agree_tos missing: exit 2" 2 "$BIN" notos
check "agree_tos missing: names the terms URL" grep -q "Do%20what" "$W/notos.out"
conf unknown "domains = u.example.org" "no_such_key = 1"
expect_rc "unknown config key: exit 2" 2 "$BIN" unknown
conf prof "domains = prof.example.org" "profile = nosuchprofile"
expect_rc "profile the CA does not offer: exit 2" 2 "$BIN" prof
check "profile error names the profile" grep -q "nosuchprofile" "$W/prof.out"
conf dead "domains = dead.example.org"
sed -i "s|^directory = .*|directory = https://127.0.0.1:$P_DEAD/dir|" "$W/dead.conf"
expect_rc "CA unreachable: exit 3" 3 "$BIN" dead

# --- -c DIR: every *.conf in name order, the most severe status wins -------------------------
mkdir -p "$W/confdir"
conf d1 "domains = dir1.example.org"; cp "$W/d1.conf" "$W/confdir/10-good.conf"
conf d2 "domains = dir2.example.org" "bogus_key = 1"; cp "$W/d2.conf" "$W/confdir/20-broken.conf"
timeout 120 "$BIN" -c "$W/confdir" > "$W/confdir.out" 2>&1; rc=$?
check "-c DIR with one broken config: exit 2" [ "$rc" = 2 ]
check "-c DIR: the good config was issued" [ -s "$W/d1/cert.pem" ]

# --- mbedTLS transport ------------------------------------------------------------------------
if [ -n "$BIN_MBEDTLS" ] && [ -x "$BIN_MBEDTLS" ]; then
    http01_suite "$BIN_MBEDTLS" mbedtls
    conf mdead "domains = dead.example.org"
    sed -i "s|^directory = .*|directory = https://127.0.0.1:$P_DEAD/dir|" "$W/mdead.conf"
    expect_rc "[mbedtls] CA unreachable: exit 3" 3 "$BIN_MBEDTLS" mdead
else
    echo "skip mbedTLS binary (ACME_BIN_MBEDTLS not built)"
fi

# --- EAB ----------------------------------------------------------------------------------------
start_pebble --eab || bad "pebble with EAB did not start"
conf noeab "domains = noeab.example.org"
expect_rc "EAB required but not configured: exit 2" 2 "$BIN" noeab
conf eab "domains = eab.example.org" "eab_kid = $PEBBLE_EAB_KID" "eab_hmac_key = $PEBBLE_EAB_HMAC_KEY"
expect_rc "EAB: issues" 0 "$BIN" eab
check "EAB: chain verifies" verifies eab
check "EAB: the HMAC key is not printed" not_in zWNDZM6 "$W/eab.out"

# --- badNonce storm: 20 issuances in a row ------------------------------------------------------
start_pebble --env PEBBLE_WFE_NONCEREJECT=50 --env PEBBLE_AUTHZREUSE=100 --env PEBBLE_ALTERNATE_ROOTS=1 ||
    bad "pebble (nonce reject) did not start"
conf storm "domains = n1.example.org n2.example.org"
fails=0
for i in $(seq 20); do
    run "$BIN" storm -f || { fails=$((fails + 1)); tail -3 "$W/storm.out"; }
done
check "20 issuances with PEBBLE_WFE_NONCEREJECT=50 all succeed ($fails failed)" [ "$fails" = 0 ]
check "storm: 20 reloads" [ "$(reloads storm)" = 20 ]

# --- preferred_chain: the alternate chain (PEBBLE_ALTERNATE_ROOTS=1) by its top issuer CN --------
pebble_roots "$W/root1.pem" 1
openssl x509 -in "$W/root1.pem" -out "$W/root1only.pem"
cn1=$(openssl x509 -in "$W/root1.pem" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')
top_issuer() { openssl x509 -in "$W/$1/chain.pem" -noout -issuer -nameopt multiline | sed -n 's/^ *commonName *= *//p'; }
conf pref "domains = pref.example.org" "preferred_chain = $cn1"
expect_rc "preferred_chain: issues" 0 "$BIN" pref
check "preferred_chain: chain verifies against the alternate root ($cn1)" \
    openssl verify -CAfile "$W/root1only.pem" -untrusted "$W/pref/chain.pem" "$W/pref/cert.pem"
check "preferred_chain: top issuer is '$cn1'" [ "$(top_issuer pref)" = "$cn1" ]
conf pref0 "domains = pref.example.org"
expect_rc "default chain: issues" 0 "$BIN" pref0
check "default chain: top issuer is not '$cn1'" [ "$(top_issuer pref0)" != "$cn1" ]

for f in wrong busy notos dead noeab; do echo "--- $f:"; sed 's/^/    /' "$W/$f.out"; done
finish
