#!/usr/bin/env bash
# Crash and fault safety of installation (issue 8), against Pebble on loopback:
#  - kill test: issuances (`acme -f`, a new key every time) SIGKILLed at random moments; after
#    each kill the configured key and certificate are the old or the new pair (present, not
#    empty, parsing, the certificate's public key equals the key's, fullchain starts with the
#    certificate) and the next run completes;
#  - disk full: state_dir and the output files on a small tmpfs filled up to leave 0..N pages:
#    exit 7, the old files intact byte for byte, no temp file or half-written version left;
#  - read-only state_dir (a non-root user, and a read-only bind mount), a missing output
#    directory, an unwritable webroot: exit 2 or 7 and the path in the message;
#  - umask 000: the private keys 0600 and their directories 0700.
#
# Usage: test_crash_safety.sh [--long]   (--long: 300 kills instead of 40)
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT. Needs root for the mounts (the
# cases that need them are skipped, with a message, where mounting is impossible).
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
KILLS=40
[ "${1:-}" = --long ] && KILLS=300
. "$ROOT/tests/integration/lib/check.sh"

for c in pebble pebble-challtestsrv openssl python3; do
    command -v $c > /dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
. "$ROOT/tests/integration/lib/pebble.sh"

W=$(mktemp -d /tmp/acme-crash-test.XXXXXX)
MOUNTS=()
cleanup() {
    local m i
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[$i]}" 2> /dev/null; done
    webroot_server_stop 2> /dev/null
    pebble_stop
    chmod -R u+rwx "$W" 2> /dev/null
    rm -rf "$W"
}
trap cleanup EXIT
pebble_start > "$W/pebble.out" 2>&1 || { cat "$W/pebble.out"; echo "pebble did not start"; echo "0 passed, 1 failed"; exit 1; }
cp "$PEBBLE_CA_FILE" "$W/ca.pem"
chmod 0755 "$W"
chmod 0644 "$W/ca.pem"

# conf NAME STATE_DIR [key = value lines...]
conf() {
    local n=$1 st=$2; shift 2
    {
        echo "directory = $PEBBLE_DIR_URL"
        echo "email = admin@example.org"
        echo "agree_tos = yes"
        echo "ca_file = $W/ca.pem"
        echo "state_dir = $st"
        echo "http_listen = 127.0.0.1:$PEBBLE_HTTP_PORT"
        echo "domains = a.example.org b.example.org"
        echo "timeout = 20"
        local l; for l in "$@"; do echo "$l"; done
    } > "$W/$n.conf"
    chmod 0644 "$W/$n.conf"
}
run() { # NAME [args]: output in $W/NAME.out, returns the exit status
    local n=$1; shift
    timeout 120 "$BIN" -c "$W/$n.conf" "$@" > "$W/$n.out" 2>&1
}
show() { sed 's/^/    | /' "$1" | tail -${2:-8}; }

# pair_ok KEY CERT FULLCHAIN: both present and non-empty, the certificate parses, its public
# key is the key's, and the fullchain begins with exactly that certificate.
pair_ok() {
    local k=$1 c=$2 f=$3 kp cp
    [ -s "$k" ] && [ -s "$c" ] && [ -s "$f" ] || { echo "missing or empty"; return 1; }
    cp=$(openssl x509 -in "$c" -noout -pubkey 2> /dev/null) || { echo "certificate does not parse"; return 1; }
    kp=$(openssl pkey -in "$k" -pubout 2> /dev/null) || { echo "key does not parse"; return 1; }
    [ -n "$kp" ] && [ "$kp" = "$cp" ] || { echo "key and certificate do not match"; return 1; }
    [ "$(openssl x509 -in "$f" 2> /dev/null)" = "$(openssl x509 -in "$c" 2> /dev/null)" ] ||
        { echo "fullchain does not start with the certificate"; return 1; }
}
fingerprint() { cat "$@" 2> /dev/null | sha256sum | cut -d' ' -f1; }
temps() { find "$@" \( -name '*.tmp*' -o -name '.*.tmp*' \) 2> /dev/null; }
versions() { find "$1/archive" -mindepth 1 -maxdepth 1 2> /dev/null | wc -l; }

# --- kill test -----------------------------------------------------------------------------
K=$W/kill
conf kill "$K"
if run kill -f; then ok "kill: first issuance"; else bad "kill: first issuance"; show "$W/kill.out"; fi
# The typical run time, in ms, from three complete runs: the kill delays are drawn from it.
total=0
for i in 1 2 3; do
    s=$(date +%s%N); run kill -f; e=$(date +%s%N)
    total=$((total + (e - s) / 1000000))
done
T=$((total / 3))
[ "$T" -lt 20 ] && T=20
echo "     typical run: ${T} ms; $KILLS kills"
retried=0 landed=0 broken=0 stuck=0 changed_after=0 old=$(fingerprint "$K/key.pem" "$K/cert.pem")
for ((i = 1; i <= KILLS; i++)); do
    delay=$(((RANDOM * 32768 + RANDOM) % (T + 1)))
    "$BIN" -c "$W/kill.conf" -f > "$W/kill.k.out" 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    if kill -KILL "$pid" 2> /dev/null; then landed=$((landed + 1)); fi
    wait "$pid" 2> /dev/null
    if ! why=$(pair_ok "$K/key.pem" "$K/cert.pem" "$K/fullchain.pem"); then
        broken=$((broken + 1))
        echo "     kill $i after ${delay} ms: $why"
        ls -l "$K" "$K/archive"/* 2>&1 | sed 's/^/    | /'
        cp -a "$K" "$W/broken.$i" 2> /dev/null
    fi
    [ "$(fingerprint "$K/key.pem" "$K/cert.pem")" != "$old" ] && changed_after=$((changed_after + 1))
    # the next run completes (the responder child of the killed run may still be exiting)
    run kill -f
    rc=$?
    if [ $rc -eq 3 ]; then retried=$((retried + 1)); sleep 0.3; run kill -f; rc=$?; fi
    if [ $rc -ne 0 ]; then
        stuck=$((stuck + 1))
        echo "     run after kill $i: exit $rc"
        show "$W/kill.out" 4
    fi
    old=$(fingerprint "$K/key.pem" "$K/cert.pem")
done
echo "     $landed of $KILLS kills hit a running client; after $changed_after the new pair was already in place; $retried next runs retried after exit 3 (port still held by the dying responder)"
if [ $broken -eq 0 ]; then ok "kill: after each of $KILLS kills the key and certificate were a matching pair"; else bad "kill: $broken kills left a broken pair"; fi
if [ $stuck -eq 0 ]; then ok "kill: the run after each kill completed"; else bad "kill: $stuck runs after a kill failed"; fi
check "kill: enough kills landed in a running client ($landed)" [ "$landed" -ge $((KILLS / 2)) ]
check "kill: no temp files left after the last complete run" [ -z "$(temps "$K")" ]
[ -n "$(temps "$K")" ] && echo "     left: $(temps "$K")"
check "kill: at most 2 versions kept ($(versions "$K"))" [ "$(versions "$K")" -le 2 ]
check "kill: cert.pem.prev is a certificate" openssl x509 -in "$K/cert.pem.prev" -noout
pebble_roots "$W/root.pem" > /dev/null 2>&1
check "kill: the installed chain verifies against Pebble's root" \
    openssl verify -CAfile "$W/root.pem" -untrusted "$K/chain.pem" "$K/cert.pem"

# --- disk full -----------------------------------------------------------------------------
D=$W/small
mkdir -p "$D"
if mount -t tmpfs -o size=512k,mode=0755 tmpfs "$D" 2> "$W/mount.err"; then
    MOUNTS+=("$D")
    S=$D/st
    conf full "$S"
    if run full; then ok "disk full: first issuance on a 512 KiB tmpfs"; else bad "disk full: first issuance"; show "$W/full.out"; fi
    n7=0 n0=0 lost=0 left=0 named=0
    for pages in 0 1 2 3 4 5 6 8; do
        rm -f "$D/filler"
        # fill the file system completely, then free `pages` pages
        dd if=/dev/zero of="$D/filler" bs=4096 2> /dev/null
        sync
        [ "$pages" -gt 0 ] && truncate -s -$((pages * 4096)) "$D/filler"
        before=$(fingerprint "$S/key.pem" "$S/cert.pem" "$S/chain.pem" "$S/fullchain.pem")
        links_before=$(ls -l "$S"/*.pem "$S/live" | awk '{print $9, $11}')
        nv=$(versions "$S")
        run full -f
        rc=$?
        after=$(fingerprint "$S/key.pem" "$S/cert.pem" "$S/chain.pem" "$S/fullchain.pem")
        case $rc in
        7)
            n7=$((n7 + 1))
            if [ "$before" != "$after" ] || [ "$links_before" != "$(ls -l "$S"/*.pem "$S/live" | awk '{print $9, $11}')" ]; then
                lost=$((lost + 1)); echo "     $pages free pages: files changed on exit 7"
            fi
            [ "$(versions "$S")" -le "$nv" ] || { left=$((left + 1)); echo "     $pages free pages: a version directory was left"; }
            grep -q "$S" "$W/full.out" && named=$((named + 1))
            grep -q "No space left" "$W/full.out" || echo "     $pages free pages: exit 7 without ENOSPC: $(tail -1 "$W/full.out")"
            ;;
        0)
            n0=$((n0 + 1))
            pair_ok "$S/key.pem" "$S/cert.pem" "$S/fullchain.pem" > /dev/null || { lost=$((lost + 1)); echo "     $pages free pages: exit 0 with a broken pair"; }
            ;;
        *)
            lost=$((lost + 1)); echo "     $pages free pages: exit $rc"; show "$W/full.out" 3 ;;
        esac
        if [ -n "$(temps "$S")" ]; then left=$((left + 1)); echo "     $pages free pages: temp files: $(temps "$S")"; fi
        echo "     $pages free pages: exit $rc: $(tail -1 "$W/full.out")"
    done
    rm -f "$D/filler"
    check "disk full: at least one run failed with exit 7 ($n7 of 8)" [ "$n7" -ge 1 ]
    check "disk full: every exit-7 message names a path in state_dir" [ "$named" -eq "$n7" ]
    check "disk full: old files intact byte for byte on every failure, the pair valid on every success" [ "$lost" -eq 0 ]
    check "disk full: no temp files or half-written versions left" [ "$left" -eq 0 ]
    check "disk full: still a matching pair" pair_ok "$S/key.pem" "$S/cert.pem" "$S/fullchain.pem"
    if run full -f; then ok "disk full: with space again the next run completes"; else bad "disk full: next run: exit $?"; show "$W/full.out"; fi
    echo "     disk full: $n7 runs exit 7, $n0 runs exit 0 (enough space)"
else
    bad "disk full: cannot mount a tmpfs: $(cat "$W/mount.err")"
fi

# --- read-only state_dir, missing directories, unwritable webroot ----------------------------
R=$W/ro
conf ro "$R"
run ro > /dev/null
rofp=$(fingerprint "$R/key.pem" "$R/cert.pem")
chown -R nobody "$R"
chmod 0500 "$R"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN" -c "$W/ro.conf" -f > "$W/ro.out" 2>&1
rc=$?
if { [ $rc = 2 ] || [ $rc = 7 ]; } && grep -q "$R" "$W/ro.out"; then
    ok "read-only state_dir (0500, user nobody): exit $rc naming it"
else
    bad "read-only state_dir (0500, user nobody): exit $rc"; show "$W/ro.out"
fi
chmod 0700 "$R"
chown -R root "$R"
check "read-only state_dir: files untouched" [ "$(fingerprint "$R/key.pem" "$R/cert.pem")" = "$rofp" ]
if mount --bind "$R" "$R" 2> /dev/null; then
    MOUNTS+=("$R")
    if mount -o remount,bind,ro "$R" 2> /dev/null; then
        run ro -f
        rc=$?
        if { [ $rc = 2 ] || [ $rc = 7 ]; } && grep -q "$R" "$W/ro.out"; then
            ok "read-only state_dir (ro bind mount): exit $rc naming it"
        else
            bad "read-only state_dir (ro bind mount): exit $rc"; show "$W/ro.out"
        fi
        check "read-only state_dir (ro bind mount): files untouched" [ "$(fingerprint "$R/key.pem" "$R/cert.pem")" = "$rofp" ]
    fi
    umount "$R" && unset 'MOUNTS[-1]'
fi

# a state_dir that does not exist yet is created (0700); an output directory elsewhere that
# does not exist is an error naming it, and is not created
conf mk "$W/new/deeper/st"
if (umask 000; run mk); then ok "missing state_dir: created, the run completes"; else bad "missing state_dir: exit $?"; show "$W/mk.out"; fi
check "missing state_dir: created 0700 under umask 000" [ "$(stat -c %a "$W/new/deeper/st")" = 700 ]
conf md "$W/md" "cert_file = $W/nodir/sub/cert.pem"
run md -f
rc=$?
if { [ $rc = 2 ] || [ $rc = 7 ]; } && grep -q "$W/nodir/sub" "$W/md.out"; then
    ok "missing output directory: exit $rc naming it"
else
    bad "missing output directory: exit $rc"; show "$W/md.out"
fi
check "missing output directory: not created" [ ! -e "$W/nodir" ]
check "missing output directory: no key or certificate installed halfway" [ ! -e "$W/md/key.pem" ]

# webroot that cannot be written (a read-only bind mount; root ignores modes)
WR=$W/webroot
mkdir -p "$WR"
conf wr "$W/wr" "webroot = $WR"
if mount --bind "$WR" "$WR" 2> /dev/null && MOUNTS+=("$WR") && mount -o remount,bind,ro "$WR" 2> /dev/null; then
    run wr -f
    rc=$?
    if { [ $rc = 2 ] || [ $rc = 7 ]; } && grep -q "$WR" "$W/wr.out"; then
        ok "unwritable webroot (ro bind mount): exit $rc naming it"
    else
        bad "unwritable webroot: exit $rc"; show "$W/wr.out"
    fi
    umount "$WR" && unset 'MOUNTS[-1]'
fi
# and a webroot this user may not write (0555, user nobody)
mkdir -p "$W/wr2/.well-known/acme-challenge"
chmod -R 0555 "$W/wr2"
conf wr2 "$W/wr2st" "webroot = $W/wr2"
mkdir -p "$W/wr2st" && chown nobody "$W/wr2st" && chmod 0700 "$W/wr2st"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN" -c "$W/wr2.conf" -f > "$W/wr2.out" 2>&1
rc=$?
if { [ $rc = 2 ] || [ $rc = 7 ]; } && grep -q "$W/wr2" "$W/wr2.out"; then
    ok "unwritable webroot (0555, user nobody): exit $rc naming it"
else
    bad "unwritable webroot (0555, user nobody): exit $rc"; show "$W/wr2.out"
fi

# --- modes under umask 000 -----------------------------------------------------------------
U=$W/um
conf um "$U" "key_file = $W/umout/server.key" "cert_file = $W/umout/server.crt"
mkdir -p "$W/umout"
(umask 000; run um) || { bad "umask 000: issuance"; show "$W/um.out"; }
(umask 000; run um -f) || { bad "umask 000: second issuance"; show "$W/um.out"; }
check "umask 000: state_dir 0700" [ "$(stat -c %a "$U")" = 700 ]
check "umask 000: account key 0600" [ "$(stat -L -c %a "$U/account.key")" = 600 ]
check "umask 000: certificate key 0600" [ "$(stat -L -c %a "$W/umout/server.key")" = 600 ]
check "umask 000: the key's directory 0700" [ "$(stat -c %a "$(dirname "$(readlink -f "$W/umout/server.key")")")" = 700 ]
check "umask 000: archive 0700" [ "$(stat -c %a "$U/archive")" = 700 ]
check "umask 000: every version's key 0600" [ -z "$(find "$U/archive" -name key.pem ! -perm 0600)" ]
check "umask 000: key and certificate outside state_dir match" pair_ok "$W/umout/server.key" "$W/umout/server.crt" "$U/fullchain.pem"

# a user path that is a regular file is converted once into a link, content kept meanwhile
C=$W/conv
mkdir -p "$W/convout"
conf conv "$C" "key_file = $W/convout/k.pem" "cert_file = $W/convout/c.pem"
run conv -f
rm -f "$W/convout/k.pem" "$W/convout/c.pem"
cp "$C/archive/$(readlink "$C/live" | sed 's,.*/,,')/key.pem" "$W/convout/k.pem"
cp "$C/archive/$(readlink "$C/live" | sed 's,.*/,,')/cert.pem" "$W/convout/c.pem"
run conv -f
rc=$?
check "regular files converted to links: exit 0" [ $rc = 0 ]
check "regular files converted to links: now symlinks" test -L "$W/convout/k.pem" -a -L "$W/convout/c.pem"
check "regular files converted to links: a notice was printed" grep -q "is now a symlink" "$W/conv.out"
check "regular files converted to links: matching pair" pair_ok "$W/convout/k.pem" "$W/convout/c.pem" "$C/fullchain.pem"

finish
