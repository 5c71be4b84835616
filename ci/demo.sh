#!/usr/bin/env bash
# What `./build.sh demo` runs once build/host/acme is built: get a certificate for two names
# from a local Pebble CA on loopback, with acme's built-in HTTP-01 responder, then show it and
# verify its chain against Pebble's root. Stops what it started; exits non-zero on any failure.
#
#   ci/demo.sh [ACME_ARGS...]     extra arguments go to acme (e.g. -vv)
# Files stay in build/demo/ (the config, state_dir with key and certificates, logs).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
. tests/integration/lib/pebble.sh

ACME=${ACME_BIN:-$ROOT/build/host/acme}
DEMO=$ROOT/build/demo
NAMES="router.test www.router.test"

say() { echo "==> $*"; }
fail() {
    echo "demo: FAILED: $*" >&2
    exit 1
}

[ -x "$ACME" ] || fail "$ACME is missing (run ./build.sh demo, which builds it first)"
command -v openssl >/dev/null || fail "openssl is not installed"
rm -rf "$DEMO"
mkdir -p "$DEMO" || fail "cannot create $DEMO"
trap 'pebble_stop' EXIT

say "starting Pebble and pebble-challtestsrv on loopback (mock DNS: every name is 127.0.0.1)"
pebble_start || fail "Pebble did not start (see the messages above)"
echo "    directory $PEBBLE_DIR_URL, HTTP-01 validations go to 127.0.0.1:$PEBBLE_HTTP_PORT"

STATE=$DEMO/state
cat > "$DEMO/acme.conf" <<EOF
# written by ci/demo.sh for a local Pebble CA
directory = $PEBBLE_DIR_URL
ca_file = $PEBBLE_CA_FILE
email = demo@router.test
agree_tos = yes
domains = $NAMES
challenge = http-01
http_listen = 127.0.0.1:$PEBBLE_HTTP_PORT
state_dir = $STATE
reload = echo "reload: a new certificate was installed"
EOF
say "config $DEMO/acme.conf:"
sed 's/^/    /' "$DEMO/acme.conf"

say "running: $ACME -c $DEMO/acme.conf -v $*"
"$ACME" -c "$DEMO/acme.conf" -v "$@"
rc=$?
if [ $rc -ne 0 ]; then
    pebble_logs > "$DEMO/pebble.log" 2>&1
    fail "acme exited with status $rc (Pebble's log: $DEMO/pebble.log)"
fi

CERT=$STATE/cert.pem CHAIN=$STATE/chain.pem FULL=$STATE/fullchain.pem KEY=$STATE/key.pem
for f in "$CERT" "$CHAIN" "$FULL" "$KEY"; do
    [ -s "$f" ] || fail "acme succeeded but $f is missing or empty"
done

say "installed certificate $CERT:"
openssl x509 -in "$CERT" -noout -subject -ext subjectAltName -dates | sed 's/^/    /' ||
    fail "openssl cannot read $CERT"
SANS=$(openssl x509 -in "$CERT" -noout -ext subjectAltName 2>/dev/null)
for n in $NAMES; do
    grep -q "DNS:$n\b" <<<"$SANS" || fail "the certificate does not name $n"
done

say "verifying the chain against Pebble's root (management API /roots/0)"
pebble_roots "$DEMO/pebble-roots.pem" || fail "cannot fetch Pebble's root"
awk '/BEGIN CERTIFICATE/{n++} n==1' "$DEMO/pebble-roots.pem" > "$DEMO/pebble-root.pem"
openssl verify -CAfile "$DEMO/pebble-root.pem" -untrusted "$CHAIN" "$CERT" | sed 's/^/    /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the chain in $CHAIN does not lead $CERT to Pebble's root"
cmp -s <(cat "$CERT" "$CHAIN" | sed "/^[[:space:]]*$/d") <(sed "/^[[:space:]]*$/d" "$FULL") || fail "$FULL is not cert.pem followed by chain.pem"

cert_pub=$(openssl x509 -in "$CERT" -noout -pubkey 2>/dev/null)
key_pub=$(openssl pkey -in "$KEY" -pubout 2>/dev/null)
[ -n "$key_pub" ] && [ "$cert_pub" = "$key_pub" ] || fail "$KEY does not match $CERT"
mode=$(stat -L -c %a "$KEY")
[ "$mode" = 600 ] || fail "$KEY has mode $mode, not 600"
echo "    the private key $KEY matches the certificate and has mode 600"

say "demo: OK -- a certificate for $NAMES from the local CA, chain verified"
