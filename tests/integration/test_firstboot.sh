#!/usr/bin/env bash
# First-boot provisioning scripts against Pebble on loopback, under busybox ash when
# installed: platform/initramfs/S50acme (self-signed at once, the real certificate in the
# background, retries only temporary failures, nothing on later boots) and the OpenWrt
# example platform/openwrt/files/uci-defaults-acme-c (config, self-signed interim
# certificate, one crontab line; the scheduled command then replaces it with a real one).
#
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
. "$ROOT/tests/integration/lib/check.sh"

for c in pebble pebble-challtestsrv openssl python3; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
if command -v busybox >/dev/null && busybox ash -c true 2>/dev/null; then SH=(busybox ash); else SH=(sh); fi
echo "script shell: ${SH[*]}"

. "$ROOT/tests/integration/lib/pebble.sh"
W=$(mktemp -d /tmp/acme-firstboot-test.XXXXXX)
BGPID=""
cleanup() {
    [ -z "$BGPID" ] || kill "$BGPID" 2>/dev/null
    pebble_stop
    rm -rf "$W"
}
trap cleanup EXIT
pebble_start || { echo "pebble did not start"; echo "0 passed, 1 failed"; exit 1; }
pebble_roots "$W/root.pem" || { echo "no Pebble roots"; echo "0 passed, 1 failed"; exit 1; }
P_DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

is_selfsigned() { [ "$(openssl x509 -in "$1" -noout -subject 2>/dev/null | sed 's/^subject=//')" = "$(openssl x509 -in "$1" -noout -issuer 2>/dev/null | sed 's/^issuer=//')" ]; }
from_pebble() { openssl verify -CAfile "$W/root.pem" -untrusted "$2" "$1" >/dev/null 2>&1; }

# --- S50acme
conf() { # conf FILE DIRECTORY-URL [extra lines]
    local f=$1 dir=$2; shift 2
    {
        echo "directory = $dir"
        echo "email = admin@example.org"
        echo "agree_tos = yes"
        echo "ca_file = $PEBBLE_CA_FILE"
        echo "domains = device.test"
        echo "state_dir = $W/dev"
        echo "http_listen = 127.0.0.1:$PEBBLE_HTTP_PORT"
        echo "timeout = 10"
        echo "reload = echo reload >> $W/dev.reloads"
        local l; for l in "$@"; do echo "$l"; done
    } > "$f"
}
s50() { # s50 ACTION [VAR=VALUE...]
    local a=$1; shift
    env ACME_BIN="$BIN" ACME_CONF="$W/dev.conf" ACME_MARKER="$W/dev.provisioned" \
        ACME_PIDFILE="$W/s50.pid" ACME_STATUS_LIB="$ROOT/platform/initramfs/acme-status.sh" \
        ACME_RETRY=1 ACME_TRIES=3 "$@" "${SH[@]}" "$ROOT/platform/initramfs/S50acme" "$a"
}

# A config error is not retried: provision returns at once with failure.
conf "$W/dev.conf" "$PEBBLE_DIR_URL" "no_such_key = 1"
start=$(date +%s)
s50 provision > "$W/s50-bad.out" 2>&1; rc=$?
if [ $rc -ne 0 ] && [ $(($(date +%s) - start)) -lt 5 ] && grep -q "configuration error" "$W/s50-bad.out"; then
    ok "S50acme: a configuration error is reported and not retried"
else
    bad "S50acme: config error: rc=$rc, $(cat "$W/s50-bad.out")"
fi
[ ! -e "$W/dev.provisioned" ] && ok "S50acme: no marker after a failure" || bad "S50acme: marker after a failure"

# An unreachable CA (exit 3) is retried ACME_TRIES times, then given up.
conf "$W/dev.conf" "https://127.0.0.1:$P_DEAD/dir"
s50 provision ACME_TRIES=2 > "$W/s50-dead.out" 2>&1; rc=$?
n=$(grep -c "temporary failure" "$W/s50-dead.out")
if [ $rc -ne 0 ] && [ "$n" -eq 2 ] && grep -q "giving up after 2 attempts" "$W/s50-dead.out"; then
    ok "S50acme: a temporary failure is retried (2 attempts), then left to cron"
else
    bad "S50acme: unreachable CA: rc=$rc, $n attempts: $(cat "$W/s50-dead.out")"
fi
rm -rf "${W:?}/dev"  # forget the backoff the failures left in state

# start: a self-signed certificate at once, the real one in the background.
conf "$W/dev.conf" "$PEBBLE_DIR_URL"
s50 start > "$W/s50-start.out" 2>&1; rc=$?
BGPID=$(cat "$W/s50.pid" 2>/dev/null)
if [ $rc -eq 0 ] && [ -s "$W/dev/cert.pem" ]; then
    ok "S50acme start: returns at once with a certificate in place"
else
    bad "S50acme start: rc=$rc, $(cat "$W/s50-start.out")"
fi
for _ in $(seq 1 150); do [ -e "$W/dev.provisioned" ] && break; sleep 0.2; done
if [ -e "$W/dev.provisioned" ] && from_pebble "$W/dev/cert.pem" "$W/dev/chain.pem" && ! is_selfsigned "$W/dev/cert.pem"; then
    ok "S50acme: the background job installed Pebble's certificate and left the marker"
else
    bad "S50acme: no real certificate after 30 s"
fi
[ -e "$W/dev/cert.pem.prev" ] && is_selfsigned "$W/dev/cert.pem.prev" &&
    ok "S50acme: the interim certificate was self-signed (kept as cert.pem.prev)" ||
    bad "S50acme: no self-signed interim certificate before the real one"
# reload: after the self-signed certificate (acme selfsign reloads too) and after the real one
reloads=$(wc -l < "$W/dev.reloads" 2>/dev/null)
[ "$reloads" = 2 ] && ok "S50acme: reload ran twice (interim, real)" || bad "S50acme: reload ran $reloads times"
BGPID=""
before=$(md5sum < "$W/dev/cert.pem")
s50 start > /dev/null 2>&1
sleep 0.5
if [ "$(md5sum < "$W/dev/cert.pem")" = "$before" ] && [ "$(wc -l < "$W/dev.reloads")" = "$reloads" ]; then
    ok "S50acme: a later boot changes nothing (marker)"
else
    bad "S50acme: a later boot changed the certificate"
fi

# --- uci-defaults example
U=$W/owrt
mkdir -p "$U"
ucid() {
    env ACME_DOMAIN=router.test ACME_EMAIL=admin@example.org ACME_BIN="$BIN" \
        ACME_CONF="$U/etc/acme/router.conf" ACME_STATE_DIR="$U/state" CRONTAB="$U/etc/crontabs/root" \
        UHTTPD_CERT="$U/etc/uhttpd.crt" UHTTPD_KEY="$U/etc/uhttpd.key" ACME_FOREGROUND=1 \
        "${SH[@]}" "$ROOT/platform/openwrt/files/uci-defaults-acme-c"
}
ucid > "$U.out" 2>&1; rc=$?
[ $rc -eq 0 ] && ok "uci-defaults: exits 0 (runs once)" || bad "uci-defaults: exit $rc: $(cat "$U.out")"
if [ -f "$U/etc/acme/router.conf" ] && [ "$(stat -L -c %a "$U/etc/acme/router.conf")" = 600 ] &&
    grep -qx "domains = router.test" "$U/etc/acme/router.conf" &&
    grep -qx "fullchain_file = $U/etc/uhttpd.crt" "$U/etc/acme/router.conf"; then
    ok "uci-defaults: wrote router.conf (0600) for uhttpd's files"
else
    bad "uci-defaults: router.conf: $(cat "$U/etc/acme/router.conf" 2>/dev/null)"
fi
if is_selfsigned "$U/etc/uhttpd.crt" && [ "$(stat -L -c %a "$U/etc/uhttpd.key")" = 600 ]; then
    ok "uci-defaults: self-signed interim certificate in /etc/uhttpd.crt"
else
    bad "uci-defaults: no self-signed certificate at uhttpd.crt"
fi
ucid > /dev/null 2>&1
line=$(grep -c "acme -q -c $U/etc/acme/router.conf" "$U/etc/crontabs/root" 2>/dev/null)
[ "$line" = 1 ] && ok "uci-defaults: one crontab line, also when run twice" || bad "uci-defaults: $line crontab lines"
# The scheduled command (pointed at Pebble with -o; the file says letsencrypt): the interim
# certificate is always due, so it is replaced by a real one.
cmd=$(sed -n "s/^[^ ]* [^ ]* [^ ]* [^ ]* [^ ]* //p" "$U/etc/crontabs/root")
$cmd -o "directory=$PEBBLE_DIR_URL" -o "ca_file=$PEBBLE_CA_FILE" -o "http_listen=127.0.0.1:$PEBBLE_HTTP_PORT" \
    -o "reload=" -o "jitter=0" > "$U.cron.out" 2>&1; rc=$?
if [ $rc -eq 0 ] && ! is_selfsigned "$U/etc/uhttpd.crt" &&
    openssl verify -CAfile "$W/root.pem" -untrusted "$U/etc/uhttpd.crt" "$U/etc/uhttpd.crt" >/dev/null 2>&1; then
    ok "uci-defaults: the cron command replaced it with Pebble's certificate"
else
    bad "uci-defaults: cron command: rc=$rc $(cat "$U.cron.out")"
fi

finish
