#!/usr/bin/env bash
# Issuance on the router architectures (issue 7): the static `mips` (big-endian, soft-float,
# run as `qemu-mips -cpu 24Kc`, an FPU-less core) and `armhf` (`qemu-arm`) binaries run under
# qemu-user against Pebble on loopback and get a certificate for two names with the built-in
# HTTP-01 responder. Checks per target: exit 0, chain verifies against Pebble's root and
# intermediate, leaf matches the key, both names present, a second run is not due (exit 1),
# and `acme status` exits 0. Prints the wall time of each emulated issuance.
#
# Environment: ACME_ROOT (repo root), ACME_BIN_MIPS and ACME_BIN_ARMHF (default
# build/mips/acme and build/armhf/acme, built with `./build.sh --target T` when missing;
# QEMU_BUILD_PREFIX=P builds and uses build/PT/acme instead),
# QEMU_TARGETS (default "mips armhf"), QEMU_KEEP_WORK=1 keeps the work directory.
# ec-256 keys throughout: emulated RSA key generation is far too slow, while an ECDSA
# signature costs milliseconds under qemu. No DNS lookups: the directory is 127.0.0.1.
# shellcheck disable=SC2317 # helpers are called through check
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 1
TARGETS=${QEMU_TARGETS:-mips armhf}
. "$ROOT/tests/integration/lib/check.sh"

give_up() { bad "$*"; finish; }

# The qemu command line of each target (as ci/cross.sh's CROSS_QEMU): mips on a 24Kc, which
# has no FPU, so a stray hard-float instruction would die with SIGILL here as on a router.
qemu_cmd() {
    case "$1" in
    mips) echo "qemu-mips -cpu 24Kc" ;;
    mipsel) echo "qemu-mipsel -cpu 24Kc" ;;
    armhf) echo "qemu-arm" ;;
    aarch64) echo "qemu-aarch64" ;;
    *) return 1 ;;
    esac
}
# The binary given for T (ACME_BIN_MIPS, ACME_BIN_ARMHF), empty when none.
given_bin() {
    case "$1" in
    mips) echo "${ACME_BIN_MIPS:-}" ;;
    armhf) echo "${ACME_BIN_ARMHF:-}" ;;
    esac
}

for c in pebble pebble-challtestsrv openssl python3 timeout; do
    command -v $c > /dev/null || give_up "missing $c"
done
. "$ROOT/tests/integration/lib/pebble.sh"

W=$(mktemp -d /tmp/acme-qemu-test.XXXXXX)
cleanup() { pebble_stop; if [ "${QEMU_KEEP_WORK:-0}" = 1 ]; then echo "kept $W"; else rm -rf "$W"; fi; }
trap cleanup EXIT

# Binaries first (a cold cross build takes a while; CI's static-T steps have made them).
declare -A BIN QEMU
for t in $TARGETS; do
    q=$(qemu_cmd "$t") || give_up "unknown target $t"
    command -v "${q%% *}" > /dev/null || give_up "${q%% *} is not installed (Debian qemu-user)"
    b=$(given_bin "$t")
    if [ -n "$b" ]; then
        [ -x "$b" ] || give_up "[$t] no binary at $b (ACME_BIN_${t^^})"
    else
        o=${QEMU_BUILD_PREFIX:-}$t b=$ROOT/build/$o/acme
        if [ ! -x "$b" ]; then
            echo "building $b (./build.sh --target $t --out $o; slow when cold)"
            ./build.sh --target "$t" --out "$o" > "$W/build-$t.log" 2>&1 || {
                tail -20 "$W/build-$t.log" | sed 's/^/    | /'
                give_up "[$t] ./build.sh --target $t --out $o failed"
            }
        fi
        [ -x "$b" ] || give_up "[$t] no binary at $b after building it"
    fi
    BIN[$t]=$b QEMU[$t]=$q
done

pebble_start || give_up "pebble did not start"
pebble_roots "$W/roots.pem" || give_up "cannot fetch Pebble's root and intermediate"
awk '/BEGIN CERTIFICATE/{n++} n==1' "$W/roots.pem" > "$W/root.pem"
awk '/BEGIN CERTIFICATE/{n++} n>=2' "$W/roots.pem" > "$W/intermediate.pem"

# conf NAME DOMAINS: the config of one target's run; state in $W/NAME.
conf() {
    cat > "$W/$1.conf" <<EOF
directory = $PEBBLE_DIR_URL
ca_file = $PEBBLE_CA_FILE
email = admin@example.org
agree_tos = yes
domains = $2
challenge = http-01
http_listen = 127.0.0.1:$PEBBLE_HTTP_PORT
key_type = ec-256
account_key_type = ec-256
state_dir = $W/$1
timeout = 120
reload = echo reload >> $W/$1.reloads
EOF
}
# run T NAME OUT [args]: acme under qemu; output in $W/OUT.out; returns acme's status.
run() {
    local t=$1 n=$2 o=$3; shift 3
    # shellcheck disable=SC2086 # the qemu command has arguments
    timeout 300 ${QEMU[$t]} "${BIN[$t]}" -c "$W/$n.conf" "$@" > "$W/$o.out" 2>&1
}
show() { sed 's/^/    | /' "$W/$1.out" | tail -25; }
verifies() { # NAME: leaf -> chain.pem -> Pebble's root; and the issuer is Pebble's intermediate
    openssl verify -CAfile "$W/root.pem" -untrusted "$W/$1/chain.pem" "$W/$1/cert.pem" &&
        openssl verify -CAfile "$W/root.pem" -untrusted "$W/intermediate.pem" "$W/$1/cert.pem"
}
key_matches() {
    local k
    k=$(openssl pkey -in "$W/$1/key.pem" -pubout 2> /dev/null) && [ -n "$k" ] &&
        [ "$(openssl x509 -in "$W/$1/cert.pem" -pubkey -noout 2> /dev/null)" = "$k" ]
}
verifies_and_matches() { verifies "$1" && key_matches "$1"; }
is_ec256() { openssl pkey -in "$W/$1/key.pem" -noout -text 2> /dev/null | grep -q "P-256\|prime256v1"; }
has_names() { # NAME names...
    local n=$1 sans d; shift
    sans=$(openssl x509 -in "$W/$n/cert.pem" -noout -ext subjectAltName 2> /dev/null) || return 1
    for d in "$@"; do grep -q "DNS:$d\b" <<< "$sans" || return 1; done
}
reloads() { [ -f "$W/$1.reloads" ] && wc -l < "$W/$1.reloads" || echo 0; }
# is_target_binary T: the file is a static ELF for T (so the run really is emulated): class,
# byte order and machine from the ELF header, and no PT_INTERP program header.
is_target_binary() {
    local want
    case "$1" in
    mips) want="1 2 8" ;;     # ELFCLASS32, big-endian, EM_MIPS
    mipsel) want="1 1 8" ;;
    armhf) want="1 1 40" ;;   # little-endian, EM_ARM
    aarch64) want="2 1 183" ;;
    *) return 1 ;;
    esac
    [ "$(python3 - "${BIN[$1]}" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
if d[:4] != b"\x7fELF":
    sys.exit(1)
cls, data = d[4], d[5]
e = ">" if data == 2 else "<"
mach = struct.unpack(e + "H", d[18:20])[0]
if cls == 1:
    phoff, = struct.unpack(e + "I", d[28:32]); phsz, phn = struct.unpack(e + "HH", d[42:46])
else:
    phoff, = struct.unpack(e + "Q", d[32:40]); phsz, phn = struct.unpack(e + "HH", d[54:58])
interp = any(struct.unpack(e + "I", d[phoff + k * phsz:phoff + k * phsz + 4])[0] == 3 for k in range(phn))
print(cls, data, mach, "dynamic" if interp else "static")
PY
)" = "$want static" ]
}

TIMES=()
for t in $TARGETS; do
    n=q-$t a=a.$t.router.test b=b.$t.router.test
    check "[$t] ${BIN[$t]#"$ROOT"/} is a static $t binary" is_target_binary "$t"
    conf "$n" "$a $b"
    start=$(date +%s.%N)
    run "$t" "$n" "$n-issue" -v; rc=$?
    secs=$(echo "$start $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
    TIMES+=("$t: ${secs}s")
    if [ "$rc" = 0 ]; then
        ok "[$t] issuance under ${QEMU[$t]}: exit 0 in ${secs}s"
        grep -h "HTTPS requests" "$W/$n-issue.out" | sed 's/^/    /'
    else
        bad "[$t] issuance under ${QEMU[$t]}: exit $rc after ${secs}s"
        show "$n-issue"
        pebble_logs | sed 's/^/    | /' | tail -15
    fi
    for f in cert.pem chain.pem fullchain.pem key.pem; do
        check "[$t] $f written" [ -s "$W/$n/$f" ]
    done
    check "[$t] chain verifies against Pebble's root and intermediate" verifies "$n"
    check "[$t] leaf matches key" key_matches "$n"
    check "[$t] key is ec-256" is_ec256 "$n"
    check "[$t] both names in the certificate" has_names "$n" "$a" "$b"
    check "[$t] key file 0600" [ "$(stat -L -c %a "$W/$n/key.pem" 2> /dev/null)" = 600 ]
    check "[$t] reload ran once" [ "$(reloads "$n")" = 1 ]

    run "$t" "$n" "$n-again"; rc=$?
    if [ "$rc" = 1 ]; then ok "[$t] second run: not due (exit 1)"; else bad "[$t] second run: exit $rc, want 1"; show "$n-again"; fi
    check "[$t] not-due run did not reload" [ "$(reloads "$n")" = 1 ]

    run "$t" "$n" "$n-status" status; rc=$?
    if [ "$rc" = 0 ]; then ok "[$t] acme status: exit 0"; else bad "[$t] acme status: exit $rc, want 0"; show "$n-status"; fi
    check "[$t] acme status names both domains" grep -q "$b" "$W/$n-status.out"

    # -f: a renewal that loads the stored account key and finds the account (parsing what
    # the emulated binary wrote itself), then replaces the certificate.
    s1=$(openssl x509 -in "$W/$n/cert.pem" -noout -serial 2> /dev/null)
    start=$(date +%s.%N)
    run "$t" "$n" "$n-force" -f; rc=$?
    secs=$(echo "$start $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
    TIMES+=("$t -f: ${secs}s")
    if [ "$rc" = 0 ]; then ok "[$t] -f renews with the stored account key: exit 0 in ${secs}s"; else bad "[$t] -f: exit $rc, want 0"; show "$n-force"; fi
    check "[$t] -f gave a new certificate" [ "$(openssl x509 -in "$W/$n/cert.pem" -noout -serial 2> /dev/null)" != "$s1" ]
    check "[$t] renewed chain verifies, leaf matches key" verifies_and_matches "$n"
    check "[$t] reload ran again" [ "$(reloads "$n")" = 2 ]
done

echo "emulated issuance wall time: ${TIMES[*]}"
finish
