#!/usr/bin/env bash
# The OpenWrt acme-common backend (platform/openwrt/files/hook.sh, installed as
# /usr/lib/acme/hook) run on this machine the way acme-common runs it: `hook get` with the
# framework's environment variables, against Pebble on loopback. Standalone (acme.c's built-in
# responder on Pebble's HTTP-01 port), webroot (CHALLENGE_DIR served by a small web server),
# alpn (acme.c's TLS-ALPN-01 responder on Pebble's TLS port) and dns (the harness's
# challtestsrv hook, also through a challenge alias). Checks
# $CERT_DIR/<main_domain>.{key,crt,fullchain.crt,chain.crt}, the chain with openssl, the
# notify events (issued, renewed, issue-failed) and the hook's exit status. The hook runs
# under busybox ash when busybox is installed (as on OpenWrt), else dash or sh.
#
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
HOOK=$ROOT/platform/openwrt/files/hook.sh
. "$ROOT/tests/integration/lib/check.sh"

for c in pebble pebble-challtestsrv openssl python3; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# The shell the hook runs under: busybox ash is what OpenWrt has.
if command -v busybox >/dev/null && busybox ash -c true 2>/dev/null; then
    SH=(busybox ash)
elif command -v dash >/dev/null; then
    SH=(dash)
else
    SH=(sh)
fi
echo "hook shell: ${SH[*]}"

. "$ROOT/tests/integration/lib/pebble.sh"
W=$(mktemp -d /tmp/acme-openwrt-test.XXXXXX)
cleanup() { pebble_stop; rm -rf "$W"; }
trap cleanup EXIT

pebble_start || { echo "pebble did not start"; echo "0 passed, 1 failed"; exit 1; }
pebble_roots "$W/root.pem" || { echo "cannot fetch Pebble's roots"; echo "0 passed, 1 failed"; exit 1; }

# The framework's notify script, recording its events.
cat > "$W/notify" <<EOF
#!/bin/sh
echo "\$1" >> "$W/notify.log"
EOF
chmod 755 "$W/notify"
challtest_hook "$W/dnshook"

# hook_get NAME VALIDATION_METHOD DOMAINS [VAR=VALUE...]: runs `hook get` with the variables
# acme-common exports (a clean environment, as a procd/cron child has); output in $W/NAME.out.
hook_get() {
    local n=$1 method=$2 domains=$3 main
    shift 3
    main=${domains%% *}
    mkdir -p "$W/$n/certs" "$W/$n/state"
    : > "$W/notify.log"
    env -i PATH="$PATH" \
        account_email=admin@example.org state_dir="$W/$n/state" debug=0 staging=0 \
        domains="$domains" main_domain="$main" key_type=ec256 acme_server="$PEBBLE_DIR_URL" \
        days= validation_method="$method" listen_port="$PEBBLE_HTTP_PORT" dns= dns_wait= \
        calias= dalias= cert_profile= CHALLENGE_DIR="$W/$n/challenge" CERT_DIR="$W/$n/certs" \
        ACMEC_CA_FILE="$PEBBLE_CA_FILE" ACMEC_LISTEN_ADDR=127.0.0.1 ACME_BIN="$BIN" \
        NOTIFY="$W/notify" "$@" \
        timeout 120 "${SH[@]}" "$HOOK" get > "$W/$n.out" 2>&1
}

# check_certs NAME MAIN: the four files exist, the chain verifies, key matches the leaf.
check_certs() {
    local n=$1 m=$2 d=$W/$1/certs f all=1
    for f in "$m.key" "$m.crt" "$m.fullchain.crt" "$m.chain.crt"; do
        [ -s "$d/$f" ] || { bad "$n: $f missing"; all=0; }
    done
    [ $all = 1 ] && ok "$n: $m.{key,crt,fullchain.crt,chain.crt} installed"
    if openssl verify -CAfile "$W/root.pem" -untrusted "$d/$m.chain.crt" "$d/$m.crt" >/dev/null 2>&1; then
        ok "$n: leaf verifies against Pebble's root with chain.crt"
    else
        bad "$n: leaf does not verify"
    fi
    # fullchain = leaf followed by the chain
    if [ "$(cat "$d/$m.crt" "$d/$m.chain.crt" | openssl crl2pkcs7 -nocrl -certfile /dev/stdin 2>/dev/null | md5sum)" = \
        "$(openssl crl2pkcs7 -nocrl -certfile "$d/$m.fullchain.crt" 2>/dev/null | md5sum)" ]; then
        ok "$n: fullchain.crt is crt + chain.crt"
    else
        bad "$n: fullchain.crt is not crt + chain.crt"
    fi
    if [ "$(openssl x509 -in "$d/$m.crt" -noout -pubkey 2>/dev/null | md5sum)" = \
        "$(openssl pkey -in "$d/$m.key" -pubout 2>/dev/null | md5sum)" ]; then
        ok "$n: key matches the certificate"
    else
        bad "$n: key does not match the certificate"
    fi
    if [ "$(stat -L -c %a "$d/$m.key")" = 600 ]; then ok "$n: key is mode 0600"; else bad "$n: key mode $(stat -L -c %a "$d/$m.key")"; fi
}

notified() { # notified EVENT: the notify log holds exactly "prepare" then EVENT
    [ "$(tr '\n' ' ' < "$W/notify.log" 2>/dev/null)" = "prepare $1 " ]
}

expect_notify() {
    local n=$1 ev=$2
    if notified "$ev"; then ok "$n: notify got 'prepare' then '$ev'"; else bad "$n: notify got '$(tr '\n' ' ' < "$W/notify.log")', expected 'prepare $ev'"; fi
}

expect_rc() { # expect_rc NAME WANT GOT
    if [ "$3" -eq "$2" ]; then ok "$1: hook exited $2"; else bad "$1: hook exited $3, expected $2"; sed 's/^/    /' "$W/$1.out" | tail -20; fi
}

# --- standalone: the built-in responder on Pebble's HTTP-01 port, two names
hook_get standalone standalone "router.test www.router.test"; rc=$?
expect_rc standalone 0 $rc
check_certs standalone router.test
expect_notify standalone issued
if openssl x509 -in "$W/standalone/certs/router.test.crt" -noout -ext subjectAltName 2>/dev/null |
    grep -q "DNS:www.router.test"; then
    ok "standalone: certificate covers www.router.test"
else
    bad "standalone: certificate lacks www.router.test"
fi
if [ "$(stat -L -c %a "$W/standalone/state/acme-c/router.test/acme.conf")" = 600 ]; then
    ok "standalone: generated config is mode 0600"
else
    bad "standalone: generated config mode is not 0600"
fi

# a second run: not due, nothing notified, exit 0
hook_get standalone standalone "router.test www.router.test"; rc=$?
expect_rc standalone 0 $rc
if [ ! -s "$W/notify.log" ]; then ok "standalone: not-due run notifies nothing"; else bad "standalone: not-due run notified $(cat "$W/notify.log")"; fi

# days (acme.sh: renew N days after issue) becomes renew_days = 90 - days in the config
hook_get standalone standalone "router.test www.router.test" days=60 >/dev/null; rc=$?
if grep -qx "renew_days = 30" "$W/standalone/state/acme-c/router.test/acme.conf"; then
    ok "days=60 becomes renew_days = 30"
else
    bad "days=60 did not become renew_days = 30"
fi

# a forced renewal (ACMEC_FORCE=1: acme -f), with an extra config line: notify says renewed
echo "reload = echo reloaded >> $W/reload.log" > "$W/extra.conf"
hook_get standalone standalone "router.test www.router.test" ACMEC_FORCE=1 ACMEC_EXTRA_CONF="$W/extra.conf"; rc=$?
expect_rc standalone 0 $rc
expect_notify standalone renewed
if [ "$(cat "$W/reload.log" 2>/dev/null)" = reloaded ]; then ok "standalone: ACMEC_EXTRA_CONF reload ran once"; else bad "standalone: extra reload did not run once"; fi
check_certs standalone router.test

# --- webroot: CHALLENGE_DIR is the web server's document root for /.well-known/acme-challenge/
# (as acme-common sets up uhttpd and nginx, and as acme-acmesh passes it to acme.sh --webroot)
mkdir -p "$W/webroot/challenge"
webroot_server_start "$W/webroot/challenge" || bad "webroot: web server did not start"
hook_get webroot webroot "web.router.test" CHALLENGE_DIR="$W/webroot/challenge"; rc=$?
webroot_server_stop
expect_rc webroot 0 $rc
check_certs webroot web.router.test
expect_notify webroot issued
if [ -z "$(ls -A "$W/webroot/challenge/.well-known/acme-challenge" 2>/dev/null)" ]; then
    ok "webroot: token files removed from CHALLENGE_DIR"
else
    bad "webroot: token files left in CHALLENGE_DIR: $(ls "$W/webroot/challenge/.well-known/acme-challenge")"
fi

# --- dns: the harness's challtestsrv hook as the `dns` program (absolute path), a wildcard
hook_get dns dns "dns.router.test *.dns.router.test" dns="$W/dnshook" dns_wait=0; rc=$?
expect_rc dns 0 $rc
check_certs dns dns.router.test
expect_notify dns issued
if grep -q "^add _acme-challenge.dns.router.test " "$W/dnshook.log" &&
    grep -q "^del _acme-challenge.dns.router.test " "$W/dnshook.log"; then
    ok "dns: hook published and removed the TXT record"
else
    bad "dns: hook calls were $(tr '\n' ';' < "$W/dnshook.log" 2>/dev/null)"
fi

# --- alpn: acme.c's TLS-ALPN-01 responder on Pebble's tlsPort (listen_port)
hook_get alpn alpn "tls.router.test" listen_port="$PEBBLE_TLS_PORT"; rc=$?
if grep -qx "challenge = tls-alpn-01" "$W/alpn/state/acme-c/tls.router.test/acme.conf" &&
    grep -qx "alpn_listen = 127.0.0.1:$PEBBLE_TLS_PORT" "$W/alpn/state/acme-c/tls.router.test/acme.conf"; then
    ok "alpn: config has challenge = tls-alpn-01 on listen_port"
else
    bad "alpn: config lacks tls-alpn-01/alpn_listen"
fi
if grep -q "tls-alpn-01 is not supported" "$W/alpn.out"; then
    # this acme build has no TLS-ALPN-01 yet: the hook must still report the failure properly
    echo "skip alpn issuance: $BIN has no TLS-ALPN-01 responder yet"
    expect_rc alpn 1 $rc
    expect_notify alpn issue-failed
else
    expect_rc alpn 0 $rc
    check_certs alpn tls.router.test
    expect_notify alpn issued
fi

# --- dns with a challenge alias: the record is published at _acme-challenge.<calias>, where
# the CA does not look (no CNAME in the mock DNS), so validation fails: issue-failed, exit 1
: > "$W/dnshook.log"
hook_get calias dns "alias.router.test" dns="$W/dnshook" calias=other.test; rc=$?
expect_rc calias 1 $rc
if grep -q "^add _acme-challenge.other.test " "$W/dnshook.log"; then
    ok "calias: TXT record published at _acme-challenge.other.test"
else
    bad "calias: hook calls were $(tr '\n' ';' < "$W/dnshook.log" 2>/dev/null)"
fi
expect_notify calias issue-failed
if [ ! -e "$W/calias/certs/alias.router.test.crt" ]; then ok "calias: no certificate installed"; else bad "calias: a certificate was installed"; fi

# --- failures and input checks
hook_get badmethod carrier-pigeon "x.router.test"; rc=$?
expect_rc badmethod 1 $rc
hook_get injection standalone "x.router.test" cert_profile="$(printf 'a\nreload = touch %s/pwned' "$W")"; rc=$?
expect_rc injection 1 $rc
if [ ! -e "$W/pwned" ] && grep -q "control character" "$W/injection.out"; then
    ok "injection: a newline in a variable is refused"
else
    bad "injection: newline in a variable was not refused"
fi
hook_get nodns dns "x.router.test" dns=no_such_dnsapi; rc=$?
expect_rc nodns 1 $rc

finish
