#!/usr/bin/env bash
# Built-in trust anchors (ci/gen/trust_anchors.sh, bearssl/trust_store.c): the generator's
# build errors, each naming the file and the cause, and a build whose CONFIG_TRUST_ANCHORS_PEM
# holds this suite's test roots (EC P-256 and RSA): with ca_file missing, TLS handshakes with
# servers whose chains end in those roots validate, and an unknown root is still refused.
#
# Environment: ACME_ROOT (repository), ACME_BUILTIN_OUT (the build's folder under build/,
# default builtin-anchors-test; removed at the end unless ACME_KEEP_BUILD=1).
set -u
ROOT=${ACME_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
OUT=${ACME_BUILTIN_OUT:-builtin-anchors-test}
unset https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY ACME_TEST_NOW
W=$(mktemp -d /tmp/acme-builtin.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$W"
    [ "${ACME_KEEP_BUILD:-0}" = 1 ] || rm -rf "build/$OUT"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$ROOT/tests/integration/lib/check.sh"

bash tests/integration/transport/make_certs.sh "$W/certs" || { bad "make_certs.sh"; finish; }
C=$W/certs
q() { "$@" > /dev/null 2>&1 || { bad "failed: $*"; finish; }; }
# selfsigned NAME KEYARGS...: a self-signed CA certificate NAME.pem with key NAME.key
selfsigned() {
    local name=$1; shift
    q openssl req -x509 -new -newkey "$@" -nodes -keyout "$W/$name.key" -out "$W/$name.pem" \
        -subj "/CN=acme.c $name root" -days 3650 -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign
}
selfsigned rsa rsa:2048
# an RSA leaf for localhost signed by it
q openssl req -new -newkey rsa:2048 -nodes -keyout "$W/rsaleaf.key" -out "$W/rsaleaf.csr" \
    -subj /CN=localhost
printf 'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > "$W/leaf.ext"
q openssl x509 -req -in "$W/rsaleaf.csr" -CA "$W/rsa.pem" -CAkey "$W/rsa.key" -CAcreateserial \
    -days 3650 -extfile "$W/leaf.ext" -out "$W/rsaleaf.pem"
# roots BearSSL cannot use
selfsigned ed25519 ed25519
selfsigned k256 ec -pkeyopt ec_paramgen_curve:secp256k1
selfsigned rsa4160 rsa:4160 # a 520-byte modulus: with the exponent more than BearSSL decodes

# ---------------------------------------------------------------------------------------------
# The generator alone, on a hand-written .config.

# gen NAME PEMFILES [EXTRA .config LINES]: runs ci/gen/trust_anchors.sh on $W/NAME; status in
# RC, messages in $W/NAME/err.
gen() {
    mkdir -p "$W/$1"
    printf 'CONFIG_TLS_BEARSSL=y\nCONFIG_BUILTIN_TRUST_ANCHORS=y\nCONFIG_TRUST_ANCHORS_PEM="%s"\nCONFIG_TRUST_ANCHORS_MAX=256\nCONFIG_TRUST_STORE_SIZE=131072\n%b' \
        "$2" "${3:-}" > "$W/$1/.config"
    bash ci/gen/trust_anchors.sh "$W/$1" > /dev/null 2> "$W/$1/err"
    RC=$?
}
# refused NAME REGEX: the generator failed with one message matching REGEX.
refused() {
    if [ "$RC" -ne 0 ] && [ "$(wc -l < "$W/$1/err")" -eq 1 ] && grep -Eq -- "$2" "$W/$1/err"; then
        ok "generator: $1 refused: $(cat "$W/$1/err")"
    else
        bad "generator: $1: exit $RC, $(head -3 "$W/$1/err")"
    fi
}

cat "$C/root.pem" "$W/ed25519.pem" > "$W/mixed.pem"
gen ed25519 "$C/root.pem $W/mixed.pem"
refused ed25519 "CONFIG_TRUST_ANCHORS_PEM: $W/mixed.pem: the certificate at line [0-9]+ cannot be a BearSSL trust anchor: its key \(algorithm 1\.3\.101\.112\) is neither RSA nor EC; remove it"
gen k256 "$W/k256.pem"
refused k256 "$W/k256.pem: the certificate at line 1 cannot be a BearSSL trust anchor: its key is EC on curve 1\.3\.132\.0\.10, not P-256/384/521"
gen rsa4160 "$W/rsa4160.pem"
refused rsa4160 "$W/rsa4160.pem: the certificate at line 1 cannot be a BearSSL trust anchor: its key is too large \(523 bytes, BearSSL decodes at most 520\)"
# a certificate that is DER-shaped but not a certificate
printf -- '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' \
    "$(python3 -c 'import base64; print(base64.b64encode(bytes([0x30, 0x45]) + bytes([2, 1, 5]) * 23).decode())')" \
    > "$W/bad.pem"
gen malformed "$W/bad.pem"
refused malformed "$W/bad.pem: the certificate at line 1 is malformed"
cat "$C/root.pem" "$C/other.pem" "$C/inter.pem" "$W/rsa.pem" "$C/root.pem" > "$W/five.pem"
gen too-many "$W/five.pem" 'CONFIG_TRUST_ANCHORS_MAX=4\n'
refused too-many "holds 5 certificates: more than 4 trust anchors \(CONFIG_TRUST_ANCHORS_MAX\)"
gen missing "$W/nope.pem"
refused missing "CONFIG_TRUST_ANCHORS_PEM: $W/nope.pem does not exist"
gen no-cert "$W/leaf.ext"
refused no-cert "$W/leaf.ext holds no PEM certificate"

# The mbedTLS transport loads whole certificates: an Ed25519 root is not the generator's
# business there (mbedTLS skips what it cannot use at run time, as before).
gen mbedtls "$C/root.pem $W/mixed.pem" 'CONFIG_TLS_MBEDTLS=y\n'
if [ "$RC" -eq 0 ] && [ ! -e "$W/mbedtls/gen/trust_anchors_bearssl.c" ] &&
    grep -q 'acme_builtin_cert_count = 3;' "$W/mbedtls/gen/trust_anchors.c"; then
    ok "generator: mbedTLS: whole certificates only (3), no BearSSL table"
else
    bad "generator: mbedTLS: exit $RC, $(head -3 "$W/mbedtls/err")"
fi
# No built-in anchors: empty tables that compile cleanly.
mkdir -p "$W/none"
printf 'CONFIG_TLS_BEARSSL=y\n# CONFIG_BUILTIN_TRUST_ANCHORS is not set\n' > "$W/none/.config"
if bash ci/gen/trust_anchors.sh "$W/none" 2> "$W/none/err" &&
    grep -q 'acme_builtin_anchor_count = 0;' "$W/none/gen/trust_anchors_bearssl.c" &&
    gcc -std=c11 -Wall -Wextra -Werror -I/usr/include/bearssl -Icore -c -o /dev/null \
        "$W/none/gen/trust_anchors_bearssl.c" 2>> "$W/none/err"; then
    ok "generator: no built-in anchors: an empty table that compiles"
else
    bad "generator: no built-in anchors: $(head -3 "$W/none/err")"
fi
# The user-facing path: ./build.sh stops (exit 2) with the generator's message.
printf 'CONFIG_TRUST_ANCHORS_PEM="%s"\n' "$W/k256.pem" > "$W/k256_defconfig"
./build.sh --config "$W/k256_defconfig" --out "$OUT" > "$W/build.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "$W/k256.pem: the certificate at line 1 cannot be a BearSSL trust anchor" "$W/build.out"; then
    ok "build.sh with an unusable built-in anchor: exit 2 naming the file"
else
    bad "build.sh with an unusable built-in anchor: exit $rc, $(tail -3 "$W/build.out" | tr '\n' ' ')"
fi

# ---------------------------------------------------------------------------------------------
# A build whose built-in anchors are the test roots, against servers on loopback. The roots
# are copied to a fixed place so that a rebuild only regenerates the table.
mkdir -p "build/$OUT"
cat "$C/root.pem" > "build/$OUT/test-root-ec.pem"
cat "$W/rsa.pem" > "build/$OUT/test-root-rsa.pem"
{ cat configs/defconfig
  printf 'CONFIG_TRUST_ANCHORS_PEM="%s %s"\n' "build/$OUT/test-root-ec.pem" "build/$OUT/test-root-rsa.pem"; } > "$W/defconfig"
if ! bash -c ". ci/lib.sh; build_variant host '$OUT' '$W/defconfig' tools" > "$W/build.out" 2>&1; then
    bad "build with the test roots built in: $(tail -5 "$W/build.out" | tr '\n' ' ')"
    finish
fi
ok "build with the test roots built in"
G=build/$OUT/tools/httpget

cat "$W/rsaleaf.pem" > "$W/rsaleaf.chain"
python3 tests/integration/transport/servers.py "$W/ports" "good:https:$C/good.chain:$C/good.key" \
    "rsa:https:$W/rsaleaf.chain:$W/rsaleaf.key" "untrusted:https:$C/untrusted.chain:$C/untrusted.key" \
    2> "$W/servers.err" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$W/ports" ] && break; sleep 0.1; done
[ -s "$W/ports" ] || { bad "servers did not start: $(cat "$W/servers.err")"; finish; }
port() { awk -v n="$1" '$1 == n { print $2 }' "$W/ports"; }

# get NAME ARGS...: runs httpget with ca_file missing; output in $W/out, $W/err
get() { timeout 30 "$G" --ca "$W/missing.pem" "$@" > "$W/out" 2> "$W/err"; }
if get -vv "https://localhost:$(port good)/" && grep -q 'status 200' "$W/out" &&
    grep -q "using the built-in trust anchors (ca_file $W/missing.pem is missing): 2 certificates" "$W/err" &&
    grep -Eq '2 trust anchors \([0-9]+ bytes; 0 unusable certificates skipped\) from the built-in' "$W/err"; then
    ok "EC chain (leaf, intermediate) ending in the built-in EC root validates; -v/-vv name the source"
else
    bad "EC chain to the built-in EC root: $(tail -3 "$W/err" | tr '\n' ' ')"
fi
if get "https://localhost:$(port rsa)/" && grep -q 'status 200' "$W/out"; then
    ok "RSA leaf signed by the built-in RSA root validates"
else
    bad "RSA leaf signed by the built-in RSA root: $(tail -3 "$W/err" | tr '\n' ' ')"
fi
get "https://localhost:$(port untrusted)/"
rc=$?
if [ $rc -eq 3 ] && grep -Eq 'untrusted or unknown issuer.*no trust anchor in the built-in trust anchors \(ca_file .* is missing\)' "$W/err"; then
    ok "a chain to another root is refused, naming the built-in anchors"
else
    bad "a chain to another root: exit $rc, $(tail -3 "$W/err" | tr '\n' ' ')"
fi
# and with ca_file present the built-in anchors play no part
timeout 30 "$G" --ca "$W/rsa.pem" "https://localhost:$(port good)/" > "$W/out" 2> "$W/err"
rc=$?
if [ $rc -eq 3 ] && grep -q "no trust anchor in ca_file $W/rsa.pem" "$W/err"; then
    ok "an existing ca_file replaces the built-in anchors"
else
    bad "an existing ca_file replaces the built-in anchors: exit $rc, $(tail -3 "$W/err" | tr '\n' ' ')"
fi
finish
