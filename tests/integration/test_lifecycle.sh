#!/usr/bin/env bash
# Lifecycle commands against Pebble (issue 6): revoke (account key and certificate key),
# account show/update/rollover/deactivate, staged issuance across two invocations,
# TLS-ALPN-01 on Pebble's tlsPort, self-signed fallback while the CA is unreachable, the
# `selfsign` command, and deploy links with "nothing written when nothing changed".
#
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT. Pebble from lib/pebble.sh.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
. "$ROOT/tests/integration/lib/check.sh"

for c in pebble pebble-challtestsrv openssl python3; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
. "$ROOT/tests/integration/lib/pebble.sh"

W=$(mktemp -d /tmp/acme-lifecycle-test.XXXXXX)
cleanup() { pebble_stop; rm -rf "$W"; }
trap cleanup EXIT

pebble_start || { echo "pebble did not start"; echo "0 passed, 1 failed"; exit 1; }
pebble_roots "$W/root.pem"
P_DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

conf() { # NAME [key = value lines...]
    local n=$1; shift
    {
        echo "directory = $PEBBLE_DIR_URL"
        echo "email = admin@example.org"
        echo "agree_tos = yes"
        echo "ca_file = $PEBBLE_CA_FILE"
        echo "state_dir = $W/$n"
        echo "http_listen = 127.0.0.1:$PEBBLE_HTTP_PORT"
        echo "timeout = 20"
        echo "reload = echo reload >> $W/$n.reloads"
        local l; for l in "$@"; do echo "$l"; done
    } > "$W/$n.conf"
}
reloads() { [ -f "$W/$1.reloads" ] && wc -l < "$W/$1.reloads" || echo 0; }
run() { # NAME [args]: output in $W/NAME.out (stdout) and $W/NAME.err (stderr)
    local n=$1; shift
    timeout 120 "$BIN" -c "$W/$n.conf" "$@" > "$W/$n.out" 2> "$W/$n.err"
}
expect_rc() { # WHAT WANT NAME [args]
    local what=$1 want=$2 rc; shift 2
    run "$@"; rc=$?
    if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else
        bad "$what: exit $rc, want $want"; cat "$W/$1.out" "$W/$1.err" | sed 's/^/    | /' | tail -20; fi
}
verifies() { openssl verify -CAfile "$W/root.pem" -untrusted "$W/$1/chain.pem" "$W/$1/cert.pem" > /dev/null 2>&1; }
serial_of() { openssl x509 -in "$1" -noout -serial 2>/dev/null | sed 's/^serial=//'; }
# Pebble's management API: the status of a certificate by its serial (hex, as Pebble prints it)
cert_status() { pebble_get "$PEBBLE_MGMT_URL/cert-status-by-serial/$1" 2>/dev/null; }
is_revoked() { cert_status "$1" | grep -q '"Status": *"Revoked"'; }
is_valid_status() { cert_status "$1" | grep -q '"Status": *"Valid"'; }
selfsigned() { [ "$(openssl x509 -in "$1" -noout -issuer | sed 's/^issuer=//')" = "$(openssl x509 -in "$1" -noout -subject | sed 's/^subject=//')" ]; }
not_grep() { ! grep -q "$@"; }
# The path itself (a symlink is not followed): installs switch state_dir/live, not these paths.
mtime() { stat -c %Y.%i "$1"; }

# --- revoke with the account key -------------------------------------------------------------
conf rv "domains = rv.example.org"
expect_rc "revoke: issue a certificate" 0 rv
s=$(serial_of "$W/rv/cert.pem")
check "revoke: Pebble knows the certificate as valid" is_valid_status "$s"
expect_rc "revoke: bad --reason is a usage error" 2 rv revoke --reason 7
expect_rc "revoke with the account key" 0 rv revoke --reason 4
check "revoke: Pebble says Revoked ($s)" is_revoked "$s"
check "revoke: certificate moved aside, not deleted" bash -c "ls '$W/rv/'cert.pem.revoked-* && [ ! -e '$W/rv/cert.pem' ]"
expect_rc "revoke: the next run issues a new certificate" 0 rv
check "revoke: new certificate has another serial" [ "$(serial_of "$W/rv/cert.pem")" != "$s" ]

# --- revoke with the certificate key (JWS with the key's jwk, no account) ----------------------
s2=$(serial_of "$W/rv/cert.pem")
cp "$W/rv/cert.pem" "$W/rvcopy.pem"
conf rvk "domains = rv.example.org"
expect_rc "revoke --cert --key: signed with the certificate key" 0 rvk revoke --cert "$W/rvcopy.pem" --key "$W/rv/key.pem"
check "revoke --key: Pebble says Revoked ($s2)" is_revoked "$s2"
check "revoke --key: no account was created for it" [ ! -e "$W/rvk/account.key" ] 
expect_rc "revoke --key with a key that does not match: exit 2" 2 rvk revoke --cert "$W/rv/cert.pem.prev" --key "$W/rv/key.pem"
expect_rc "revoke without an account key and without --key: exit 2" 2 rvk revoke --cert "$W/rv/cert.pem"
check "revoke without an account: says how" grep -q -- "--key FILE" "$W/rvk.err"
check "revoke without an account: certificate left in place" [ -s "$W/rv/cert.pem" ]

# a command and another run on the same state_dir: the lock says no (exit 7)
# (the holder says when it holds the lock: no race with a loaded machine)
rm -f "$W/held"
python3 -c 'import fcntl,os,sys,time; fd=os.open(sys.argv[1], os.O_RDWR|os.O_CREAT, 0o600); fcntl.flock(fd, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(20)' "$W/rv/lock" "$W/held" &
holder=$!
for _ in $(seq 100); do [ -e "$W/held" ] && break; sleep 0.1; done
expect_rc "lock held by another run: revoke exits 7" 7 rv revoke
expect_rc "lock held by another run: selfsign exits 7" 7 rv selfsign
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# --- account ---------------------------------------------------------------------------------
conf acct "domains = acct.example.org *.wild.example.org" "challenge = dns-01" "dns_hook = /bin/true"
expect_rc "account: creates and shows the account" 0 acct account
url=$(sed -n 's/^account: //p' "$W/acct.out")
check "account: prints the account URL" [ -n "$url" ]
check "account: URL cached in state" grep -q "^account_url=$url\$" "$W/acct/state"
check "account: prints the contact" grep -q "contact: mailto:admin@example.org" "$W/acct.out"
check "account: dns-persist-01 record for acct.example.org" \
    grep -q "^_validation-persist.acct.example.org TXT \".*; accounturi=$url\"" "$W/acct.out"
check "account: wildcard record at the base name with policy=wildcard" \
    grep -q "^_validation-persist.wild.example.org TXT \".*; accounturi=$url; policy=wildcard\"" "$W/acct.out"
sed -i 's/^email = .*/email = ops@example.org second@example.org/' "$W/acct.conf"
expect_rc "account update: new contacts" 0 acct account update
check "account update: CA reports the new contacts" grep -q "contact: mailto:second@example.org" "$W/acct.out"
expect_rc "account show after update" 0 acct account
check "account: the CA keeps the updated contacts" grep -q "contact: mailto:ops@example.org" "$W/acct.out"
old_key=$(openssl pkey -in "$W/acct/account.key" -pubout 2>/dev/null)
expect_rc "account rollover" 0 acct account rollover
new_key=$(openssl pkey -in "$W/acct/account.key" -pubout 2>/dev/null)
check "rollover: a new account key" [ -n "$new_key" -a "$new_key" != "$old_key" ]
check "rollover: old key kept as a dated backup" bash -c "ls '$W/acct/'account.key.2* >/dev/null"
check "rollover: no account.key.new left" [ ! -e "$W/acct/account.key.new" ]
rm -f "$W/acct/state"
expect_rc "rollover: the new key finds the same account (onlyReturnExisting)" 0 acct account
check "rollover: same account URL" grep -q "^account: $url\$" "$W/acct.out"
expect_rc "account deactivate without --yes: exit 2" 2 acct account deactivate
expect_rc "account deactivate --yes" 0 acct account deactivate --yes
check "deactivate: account URL removed from state" not_grep "^account_url=" "$W/acct/state"
check "deactivate: key moved aside" bash -c "ls '$W/acct/'account.key.deactivated-* >/dev/null && [ ! -e '$W/acct/account.key' ]"

# --- staged issuance: `challenges` prints and saves the order, `challenges --finish` completes --
conf stg "domains = stg1.example.org stg2.example.org"
expect_rc "challenges: creates the order and prints the challenges" 0 stg -vv challenges
order=$(sed -n 's/^order: \([^ ]*\) .*/\1/p' "$W/stg.out")
check "challenges: order URL printed" [ -n "$order" ]
check "challenges: order URL saved in state" grep -q "^staged_order=$order\$" "$W/stg/state"
check "challenges: both names listed" bash -c "grep -q '^stg1.example.org: pending' '$W/stg.out' && grep -q '^stg2.example.org: pending' '$W/stg.out'"
check "challenges: http-01, dns-01 and tls-alpn-01 offered" bash -c "grep -q '^  http-01' '$W/stg.out' && grep -q '^  dns-01' '$W/stg.out' && grep -q '^  tls-alpn-01' '$W/stg.out'"
check "challenges: dns-01 TXT record printed" grep -q '^    TXT record: _acme-challenge.stg1.example.org. "[A-Za-z0-9_-]\{43\}"' "$W/stg.out"
ka=$(sed -n 's/^    key authorization: //p' "$W/stg.out" | head -1)
check "challenges: key authorization is token.thumbprint" grep -q '^[A-Za-z0-9_-]\+\.[A-Za-z0-9_-]\{43\}$' <<< "$ka"
check "challenges: key authorization not in the -vv log" not_grep -F "$ka" "$W/stg.err"
expect_rc "challenges again: resumes the same order" 0 stg challenges
check "challenges again: same order URL" grep -q "^order: $order " "$W/stg.out"
expect_rc "challenges --finish: validates and installs" 0 stg -v challenges --finish
check "challenges --finish: finished the staged order" grep -q "finishing order $order" "$W/stg.err"
check "challenges --finish: chain verifies" verifies stg
check "challenges --finish: reload ran once" [ "$(reloads stg)" = 1 ]
check "challenges --finish: staged order removed from state" not_grep "^staged_order=" "$W/stg/state"
expect_rc "challenges --finish without a staged order: exit 2" 2 stg challenges --finish

# Manual variant: the user publishes the printed key authorizations in a web root.
mkdir -p "$W/www/.well-known/acme-challenge"
webroot_server_start "$W/www" || bad "webroot server did not start"
conf stgm "domains = stgm.example.org" "webroot = $W/nowhere"
expect_rc "challenges (manual): prints the challenges" 0 stgm challenges
awk '/^  http-01/{h=1;next} /^  [a-z]/{h=0} h&&/token:/{t=$2} h&&/key authorization:/{print t, $3}' "$W/stgm.out" |
    while read -r t k; do printf %s "$k" > "$W/www/.well-known/acme-challenge/$t"; done
expect_rc "challenges --finish --published: uses the answers put in place by hand" 0 stgm challenges --finish --published
check "manual staged issuance: chain verifies" verifies stgm
check "manual staged issuance: nothing written to webroot by acme" [ ! -e "$W/nowhere" ]
webroot_server_stop

# --- selfsign and the self-signed fallback ---------------------------------------------------
conf ss "domains = ss.example.org ss2.example.org 192.0.2.1" "selfsign_days = 10"
expect_rc "selfsign: installs a self-signed certificate" 0 ss selfsign
check "selfsign: issuer equals subject" selfsigned "$W/ss/cert.pem"
check "selfsign: all names in the SAN" bash -c "openssl x509 -in '$W/ss/cert.pem' -noout -ext subjectAltName | grep -q 'DNS:ss2.example.org' && openssl x509 -in '$W/ss/cert.pem' -noout -ext subjectAltName | grep -q 'IP Address:192.0.2.1'"
check "selfsign: key matches" [ "$(openssl x509 -in "$W/ss/cert.pem" -pubkey -noout)" = "$(openssl pkey -in "$W/ss/key.pem" -pubout)" ]
check "selfsign: valid for selfsign_days (10)" bash -c "openssl x509 -in '$W/ss/cert.pem' -noout -checkend $((9 * 86400)) && ! openssl x509 -in '$W/ss/cert.pem' -noout -checkend $((11 * 86400))"
check "selfsign: key file 0600" [ "$(stat -L -c %a "$W/ss/key.pem")" = 600 ]
check "selfsign: reload ran" [ "$(reloads ss)" = 1 ]

if grep -q install_selfsigned "$ROOT/core/acme_run.c" 2>/dev/null; then
    conf fb "domains = fb.example.org" "selfsign_fallback = yes"
    sed -i "s|^directory = .*|directory = https://127.0.0.1:$P_DEAD/dir|" "$W/fb.conf"
    expect_rc "fallback: CA unreachable still fails (exit 3)" 3 fb
    check "fallback: a self-signed certificate was installed" selfsigned "$W/fb/cert.pem"
    sed -i "s|^directory = .*|directory = $PEBBLE_DIR_URL|" "$W/fb.conf"
    rm -f "$W/fb/state"  # no backoff from the failed attempt
    expect_rc "fallback: CA back: the self-signed certificate counts as due" 0 fb
    check "fallback: now a real certificate" verifies fb
else
    echo "skip self-signed fallback: core/acme_run.c does not call install_selfsigned yet"
fi

# --- deploy links, and nothing rewritten when nothing changed ----------------------------------
mkdir -p "$W/deploy"
echo "precious" > "$W/deploy/domain.key"
conf dl "domains = dl.example.org" "link_cert = $W/deploy/domain.crt" "link_key = $W/deploy/domain.key" "link_fullchain = $W/deploy/full.pem"
expect_rc "links: issue" 0 dl
check "links: link_cert is a symlink to cert_file" [ "$(readlink "$W/deploy/domain.crt")" = "$W/dl/cert.pem" ]
check "links: link_fullchain is a symlink to fullchain_file" [ "$(readlink "$W/deploy/full.pem")" = "$W/dl/fullchain.pem" ]
check "links: a regular file at link_key is not replaced" grep -qx precious "$W/deploy/domain.key"
check "links: ... and a warning says so" grep -q "domain.key exists and is not a symlink" "$W/dl.err"
check "links: served certificate verifies through the link" openssl verify -CAfile "$W/root.pem" -untrusted "$W/dl/chain.pem" "$W/deploy/domain.crt"
l1=$(mtime "$W/deploy/domain.crt") c1=$(mtime "$W/dl/chain.pem")
sleep 1
expect_rc "links: -f issues again" 0 dl -f
check "links: existing correct link not recreated" [ "$(mtime "$W/deploy/domain.crt")" = "$l1" ]
check "links: the chain_file path itself is not rewritten (live/ switched)" [ "$(mtime "$W/dl/chain.pem")" = "$c1" ]
check "links: ... and it shows the new version's chain" cmp -s "$W/dl/chain.pem" "$W/dl/live/chain.pem"
rm "$W/deploy/domain.key"
expect_rc "links: -f once the file is gone" 0 dl -f
check "links: link_key now made" [ "$(readlink "$W/deploy/domain.key")" = "$W/dl/key.pem" ]

# --- TLS-ALPN-01 on Pebble's tlsPort ------------------------------------------------------------
# A probe of the responder while it runs: the -vv log says what it served or refused.
conf alpn "domains = alpn1.example.org alpn2.example.org" "challenge = tls-alpn-01" "alpn_listen = 127.0.0.1:$PEBBLE_TLS_PORT"
expect_rc "tls-alpn-01: challenges (staged)" 0 alpn challenges
expect_rc "tls-alpn-01: challenges --finish answers on tlsPort" 0 alpn -vv challenges --finish
check "tls-alpn-01: chain verifies" verifies alpn
check "tls-alpn-01: both names were served over acme-tls/1" bash -c "grep -q 'served alpn1.example.org' '$W/alpn.err' && grep -q 'served alpn2.example.org' '$W/alpn.err'"
check "tls-alpn-01: key authorization not in the -vv log" not_grep -E '[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}' "$W/alpn.err"
if ! grep -q "tls-alpn-01 is not supported" "$ROOT/core/acme_order.c" 2>/dev/null; then
    conf alpnrun "domains = alpnrun.example.org" "challenge = tls-alpn-01" "alpn_listen = 127.0.0.1:$PEBBLE_TLS_PORT"
    expect_rc "tls-alpn-01: normal run issues" 0 alpnrun
    check "tls-alpn-01: normal run chain verifies" verifies alpnrun
else
    echo "skip tls-alpn-01 in the normal run: core/acme_order.c still refuses it"
fi
# The port is in use: exit 3 naming it.
rm -f "$W/bound"
python3 -c 'import socket,time,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); open(sys.argv[2], "w").close(); time.sleep(30)' "$PEBBLE_TLS_PORT" "$W/bound" &
busy=$!
for _ in $(seq 100); do [ -e "$W/bound" ] && break; sleep 0.1; done
conf alpnbusy "domains = alpnbusy.example.org" "challenge = tls-alpn-01" "alpn_listen = 127.0.0.1:$PEBBLE_TLS_PORT"
run alpnbusy challenges
expect_rc "tls-alpn-01: port in use: exit 3" 3 alpnbusy challenges --finish
check "tls-alpn-01: port in use: message names the port" grep -q "port $PEBBLE_TLS_PORT is in use" "$W/alpnbusy.err"
kill "$busy" 2>/dev/null; wait "$busy" 2>/dev/null

# --- the TLS-ALPN-01 responder on its own: what it serves and what it refuses ------------------
TOOLS=${ACME_TOOLS:-$ROOT/build/host/tools}
if [ -x "$TOOLS/alpnserve" ]; then
    KA=tok3n.thumbpr1nt
    coproc ALPN { exec "$TOOLS/alpnserve" -v probe.example.org "$KA" 10.0.0.1 "$KA" 2> "$W/alpnserve.err"; }
    read -r -t 10 aport <&"${ALPN[0]}"
    python3 - "$aport" "$KA" > "$W/alpnprobe.out" 2>&1 <<'PY'
import hashlib, socket, ssl, sys
port, ka = int(sys.argv[1]), sys.argv[2]
ext = bytes.fromhex("3031060" "82b0601050507011f" "0101ff" "04220420") + hashlib.sha256(ka.encode()).digest()
def hs(sni, alpn):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(alpn)
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        t = ctx.wrap_socket(s, server_hostname=sni)
        r = (t.selected_alpn_protocol(), t.getpeercert(True))
        t.close()
        return r
    except (ssl.SSLError, OSError):
        return None
    finally:
        s.close()
def check(what, cond):
    print(("PASS " if cond else "FAIL ") + what)
r = hs("probe.example.org", ["acme-tls/1"])
check("acme-tls/1 with a pending name: handshake completes", r is not None and r[0] == "acme-tls/1")
check("served certificate carries the critical acmeIdentifier of the key authorization", r is not None and ext in r[1])
check("served certificate names probe.example.org", r is not None and b"probe.example.org" in r[1])
r = hs("1.0.0.10.in-addr.arpa", ["acme-tls/1"])
check("IP identifier: reverse name as SNI is served", r is not None and ext in r[1])
check("no ALPN: refused", hs("probe.example.org", None) is None)
check("ALPN http/1.1 only: refused", hs("probe.example.org", ["http/1.1"]) is None)
check("unknown SNI: refused", hs("other.example.org", ["acme-tls/1"]) is None)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
try:
    s.recv(100)
except OSError:
    pass
s.close()
r = hs("PROBE.example.org", ["h2", "acme-tls/1"])
check("after garbage, still serving (SNI case-insensitive, acme-tls/1 among others)", r is not None and r[0] == "acme-tls/1")
PY
    exec {ALPN[1]}>&-
    wait "$ALPN_PID" 2>/dev/null
    while read -r verdict what; do
        if [ "$verdict" = PASS ]; then ok "alpn responder: $what"; else bad "alpn responder: $what"; fi
    done < <(grep -E '^(PASS|FAIL) ' "$W/alpnprobe.out")
    check "alpn responder: probe ran all checks" [ "$(grep -c -E '^(PASS|FAIL) ' "$W/alpnprobe.out")" = 8 ]
    check "alpn responder: key authorization not logged" not_grep -F "$KA" "$W/alpnserve.err"
else
    echo "skip the TLS-ALPN-01 responder probe: no $TOOLS/alpnserve (build the tools goal)"
fi
finish
