#!/usr/bin/env bash
# The cron run against Pebble (issue 6): a not-due run creates no socket (strace), backoff
# after a failure (exit 3 "until", -f overrides, reset on success), the run lock (a second
# concurrent run exits 7), `status` output and exit codes, key rotation vs reuse_key, -j, and
# -c DIR with a broken config.
#
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
. "$ROOT/tests/integration/lib/check.sh"

for c in pebble pebble-challtestsrv openssl python3 strace; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
. "$ROOT/tests/integration/lib/pebble.sh"

W=$(mktemp -d /tmp/acme-cron-test.XXXXXX)
BGPID=""
cleanup() { [ -n "$BGPID" ] && kill "$BGPID" 2>/dev/null; pebble_stop; rm -rf "$W"; }
trap cleanup EXIT

pebble_start || { echo "pebble did not start"; echo "0 passed, 1 failed"; exit 1; }
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
        local l; for l in "$@"; do echo "$l"; done
    } > "$W/$n.conf"
}
run() { # NAME [args]: output in $W/NAME.out, returns the exit status
    local n=$1; shift
    timeout 120 "$BIN" -c "$W/$n.conf" "$@" > "$W/$n.out" 2>&1
}
expect_rc() { # WHAT WANT NAME [args]
    local what=$1 want=$2 rc; shift 2
    run "$@"; rc=$?
    if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, want $want"; sed 's/^/    | /' "$W/$1.out" | tail -20; fi
}
pubkey() { openssl pkey -in "$W/$1/key.pem" -pubout 2>/dev/null; }
serial() { openssl x509 -in "$W/$1/cert.pem" -noout -serial 2>/dev/null; }
not_socket() { ! grep -q 'socket(' "$1"; }
not_in_state() { ! grep -q "^$2=" "$W/$1/state"; }
within() { [ -n "$1" ] && [ $(($1 - $2)) -gt "$3" ] && [ $(($1 - $2)) -le "$4" ]; } # T NOW MIN MAX
# certid_ok NAME: the ari_certid in state is RFC 9773's certID of the installed certificate,
# computed here with openssl (serial as DER INTEGER contents: a 0x00 byte when the top bit is
# set). Counts such serials in SIGNBYTE.
SIGNBYTE=0 CERTIDS=0
certid_ok() {
    local want got
    want=$(python3 - "$W/$1/cert.pem" <<'PY'
import base64, subprocess, sys
def out(*a):
    return subprocess.run(["openssl", "x509", "-in", sys.argv[1], "-noout"] + list(a),
                          capture_output=True, text=True, check=True).stdout
sn = int(out("-serial").strip().split("=", 1)[1], 16)
aki = [l.strip() for l in out("-ext", "authorityKeyIdentifier").splitlines()[1:] if l.strip()][0]
aki = bytes.fromhex(aki.replace("keyid:", "").replace(":", ""))
b64 = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
sb = sn.to_bytes((sn.bit_length() + 8) // 8, "big")
print(b64(aki) + "." + b64(sb) + (" signbyte" if sb[0] == 0 else ""))
PY
)
    got=$(stateval "$1" ari_certid)
    CERTIDS=$((CERTIDS + 1))
    case $want in *signbyte) SIGNBYTE=$((SIGNBYTE + 1)); want=${want% signbyte} ;; esac
    [ -n "$got" ] && [ "$got" = "$want" ]
}
stateval() { sed -n "s/^$2=//p" "$W/$1/state" 2>/dev/null; }

# --- first issuance, then a not-due run that creates no socket ------------------------------
conf main "domains = cron-a.example.org cron-b.example.org"
expect_rc "first run issues" 0 main
check "state: the certificate's ARI certID, as openssl computes it" certid_ok main
check "state: Pebble has no renewalInfo (lifetime rule, no check for days)" grep -q '^ari_unsupported=1' "$W/main/state"
t0=$(date +%s%N)
ASAN_OPTIONS=detect_leaks=0 timeout 60 strace -f -e trace=socket,connect -o "$W/strace.out" "$BIN" -c "$W/main.conf" > "$W/main.out" 2>&1
rc=$?
t1=$(date +%s%N)
check "not-due run under strace exits 1" [ "$rc" = 1 ]
if grep -q 'socket(' "$W/strace.out"; then bad "not-due run created a socket"; grep 'socket(' "$W/strace.out" | head -3 | sed 's/^/    | /'; else ok "not-due run created no socket (strace)"; fi
check "not-due run says why" grep -q "not due" "$W/main.out"
t0=$(date +%s%N); run main; t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "    not-due run: ${ms} ms"
check "not-due run takes well under a second ($ms ms)" [ "$ms" -lt 1000 ]
t0=$(date +%s); run main -j 30; rc=$?; t1=$(date +%s)
check "-j does not delay a not-due run" [ "$rc" = 1 -a $((t1 - t0)) -lt 5 ]
expect_rc "-j with a bad value is a usage error" 2 main -j 5x

# --- status -----------------------------------------------------------------------------------
expect_rc "status: valid and not due" 0 main status
for f in "names: *cron-a.example.org, cron-b.example.org" "issuer:" "serial: *[0-9a-f]" "not before:" \
         "not after:.*days left" "renewal: *not due" "lifetime rule"; do
    check "status shows '$f'" grep -q "$f" "$W/main.out"
done
serial_hex=$(serial main | sed 's/^serial=//' | tr 'A-F' 'a-f' | sed 's/^0*//')
check "status serial matches openssl's" grep -q "serial: *0*$serial_hex" "$W/main.out"
timeout 20 "$BIN" status --cert "$W/main/cert.pem" > "$W/sc.out" 2>&1; rc=$?
check "status --cert FILE without any config: exit 0" [ "$rc" = 0 ]
check "status --cert FILE shows the names" grep -q "cron-a.example.org" "$W/sc.out"
far=$(( $(date +%s) + 20 * 365 * 86400 ))
ACME_TEST_NOW=$far timeout 20 "$BIN" status --cert "$W/main/cert.pem" > "$W/sc.out" 2>&1; rc=$?
check "status --cert of an expired certificate: exit 1" [ "$rc" = 1 ]
check "status --cert says expired" grep -q "expired" "$W/sc.out"
timeout 20 "$BIN" status --cert "$W/nonexistent.pem" > "$W/sc.out" 2>&1; rc=$?
check "status --cert of a missing file: exit 2" [ "$rc" = 2 ]
conf none "domains = none.example.org"
expect_rc "status without a certificate: exit 1" 1 none status
check "status says none installed" grep -q "none installed" "$W/none.out"
conf broken "domains = x.example.org" "no_such_key = 1"
expect_rc "status with a config error: exit 2" 2 broken status
check "status made no state directory" [ ! -e "$W/none" ]

# --- key rotation -----------------------------------------------------------------------------
k1=$(pubkey main)
expect_rc "-f renews" 0 main -f
check "default: a new certificate key on renewal" [ -n "$k1" -a "$(pubkey main)" != "$k1" ]
check "certID of the renewed certificate" certid_ok main
conf reuse "domains = reuse.example.org" "reuse_key = yes"
expect_rc "reuse_key: first run" 0 reuse
k1=$(pubkey reuse) s1=$(serial reuse)
expect_rc "reuse_key: -f renews" 0 reuse -f
check "reuse_key = yes keeps the key" [ -n "$k1" -a "$(pubkey reuse)" = "$k1" ]
check "reuse_key: but a new certificate" [ "$(serial reuse)" != "$s1" ]
check "certID of reuse" certid_ok reuse

# --- backoff ---------------------------------------------------------------------------------
conf bo "domains = backoff.example.org"
dead="directory=https://127.0.0.1:$P_DEAD/dir"
expect_rc "CA unreachable: exit 3" 3 bo -o "$dead"
check "the failure says when the next attempt is" grep -q "next attempt after" "$W/bo.out"
check "state: 1 failure" [ "$(stateval bo failures)" = 1 ]
na=$(stateval bo next_attempt) now=$(date +%s)
check "state: next attempt about 1 h later" within "$na" "$now" 3500 3600
ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=socket -o "$W/strace2.out" timeout 60 "$BIN" -c "$W/bo.conf" > "$W/bo.out" 2>&1; rc=$?
check "next run while backing off: exit 3" [ "$rc" = 3 ]
check "... and says until when" grep -q "until" "$W/bo.out"
check "... with the last error" grep -q "last error:.*127.0.0.1" "$W/bo.out"
check "... without creating a socket" not_socket "$W/strace2.out"
expect_rc "-f ignores the backoff (still unreachable: exit 3)" 3 bo -f -o "$dead"
na=$(stateval bo next_attempt) now=$(date +%s)
check "state: 2 failures" [ "$(stateval bo failures)" = 2 ]
check "state: next attempt about 2 h later" within "$na" "$now" 7100 7200
expect_rc "status shows the last error (exit 1: no certificate)" 1 bo status
check "status: last error and next attempt" grep -q "last error:" "$W/bo.out"
check "status: next attempt" grep -q "next attempt: not before" "$W/bo.out"
expect_rc "-f with the CA back issues" 0 bo -f
check "success resets the backoff" not_in_state bo failures
check "success clears the last error" not_in_state bo last_error
expect_rc "after success: not due" 1 bo

# --- the lock ----------------------------------------------------------------------------------
conf lk "domains = lock.example.org" "reload = touch $W/lk.reloading; sleep 4"
( timeout 120 "$BIN" -c "$W/lk.conf" > "$W/lk1.out" 2>&1; echo $? > "$W/lk1.rc" ) &
BGPID=$!
for i in $(seq 1 300); do [ -e "$W/lk.reloading" ] && break; sleep 0.1; done
check "first run holds the lock (reloading)" [ -e "$W/lk.reloading" ]
t0=$(date +%s)
expect_rc "a second concurrent run exits 7" 7 lk -f
t1=$(date +%s)
check "... at once" [ $((t1 - t0)) -lt 3 ]
check "... naming the lock file" grep -q "$W/lk/lock" "$W/lk.out"
wait "$BGPID"; BGPID=""
check "the first run finished fine" [ "$(cat "$W/lk1.rc")" = 0 ]
expect_rc "after it: the lock is free (not due)" 1 lk

# --- -c DIR: three configs, one broken ---------------------------------------------------------
mkdir -p "$W/dir"
conf d1 "domains = dir1.example.org"; mv "$W/d1.conf" "$W/dir/a.conf"
printf 'domains = x.example.org\nbogus_key = 1\n' > "$W/dir/b.conf"
conf d3 "domains = dir3.example.org"; mv "$W/d3.conf" "$W/dir/c.conf"
timeout 120 "$BIN" -c "$W/dir" > "$W/dir.out" 2>&1; rc=$?
check "-c DIR with a broken config: exit 2 (most severe)" [ "$rc" = 2 ]
check "-c DIR: the others were issued" [ -s "$W/d1/cert.pem" -a -s "$W/d3/cert.pem" ]
check "certID of d1" certid_ok d1
check "certID of d3" certid_ok d3
timeout 120 "$BIN" -c "$W/dir" status > "$W/dir.out" 2>&1; rc=$?
check "-c DIR status: exit 2" [ "$rc" = 2 ]
rm "$W/dir/b.conf"
timeout 120 "$BIN" -c "$W/dir" > "$W/dir.out" 2>&1; rc=$?
check "-c DIR all not due: exit 1" [ "$rc" = 1 ]
conf d4 "domains = dir4.example.org"; mv "$W/d4.conf" "$W/dir/d.conf"
timeout 120 "$BIN" -c "$W/dir" > "$W/dir.out" 2>&1; rc=$?
check "-c DIR one issued, others not due: exit 0" [ "$rc" = 0 ]

echo "    $SIGNBYTE of $CERTIDS checked certIDs had a serial with the top bit set (DER sign byte)"
finish
