#!/usr/bin/env bash
# Privileges (issue 8): private keys 0600 and their directories 0700 whatever the umask; a key
# file others can read is reported on every run; with `user = NAME` acme binds the privileged
# HTTP-01 port as root, then drops to NAME (setgroups, setgid, setuid, no way back) and writes
# everything as NAME; the errors for an unknown user and a state_dir NAME cannot write.
# Pebble runs with PEBBLE_PORT_BASE so that its HTTP-01 port is below 1024.
# Needs root (skips, passing, otherwise). Creates the user acmeprivtest and removes it.
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
if [ "$(id -u)" != 0 ]; then echo "skipped: needs root"; echo "0 passed, 0 failed"; exit 0; fi
. "$ROOT/tests/integration/lib/pebble.sh"
PY=/usr/bin/python3; [ -x $PY ] || PY=python3

TU=acmeprivtest MADE_USER=""
W=$(mktemp -d /tmp/acme-priv-test.XXXXXX)
chmod 755 "$W"
cleanup() {
    pebble_stop
    [ -n "${KEEP:-}" ] || rm -rf "$W"
    [ -n "$MADE_USER" ] && userdel "$TU" 2>/dev/null
}
trap cleanup EXIT
if ! id "$TU" >/dev/null 2>&1; then
    useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$TU" || { echo "useradd failed"; echo "0 passed, 1 failed"; exit 1; }
    MADE_USER=1
fi
TUID=$(id -u "$TU")

# HTTP-01 below 1024 (the unprivileged limit here is $(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)).
started=""
for base in 940 950 960 970 980 990; do
    PEBBLE_PORT_BASE=$base pebble_start 2>/dev/null && { started=1; break; }
done
[ -n "$started" ] || { echo "pebble did not start on a port base below 1024"; echo "0 passed, 1 failed"; exit 1; }
cp "$PEBBLE_CA_FILE" "$W/ca.pem"; chmod 644 "$W/ca.pem" # the user must read it
echo "    Pebble validates HTTP-01 at 127.0.0.1:$PEBBLE_HTTP_PORT; unprivileged ports start at $(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)"

conf() { # NAME [lines...]
    local n=$1; shift
    {
        echo "directory = $PEBBLE_DIR_URL"
        echo "email = admin@example.org"
        echo "agree_tos = yes"
        echo "ca_file = $W/ca.pem"
        echo "state_dir = $W/$n"
        echo "http_listen = 127.0.0.1:$PEBBLE_HTTP_PORT"
        echo "domains = priv.example.org"
        echo "timeout = 20"
        local l; for l in "$@"; do echo "$l"; done
    } > "$W/$n.conf"
}
run() { local n=$1; shift; timeout 120 "$BIN" -c "$W/$n.conf" "$@" > "$W/$n.out" 2>&1; }
mode() { stat -L -c %a "$1" 2>/dev/null; }

# 1. Modes whatever the umask (umask 000), and the warning for readable keys.
conf m
(umask 000; run m -v); rc=$?
[ $rc -eq 0 ] && ok "issuance with umask 000 (exit 0)" || { bad "issuance: exit $rc"; tail -15 "$W/m.out"; }
[ "$(mode "$W/m/account.key")" = 600 ] && ok "account.key is 0600" || bad "account.key mode $(mode "$W/m/account.key")"
[ "$(mode "$(readlink -f "$W/m/key.pem")")" = 600 ] && ok "key.pem is 0600" || bad "key.pem mode $(mode "$(readlink -f "$W/m/key.pem")")"
[ "$(mode "$W/m")" = 700 ] && ok "state_dir is 0700" || bad "state_dir mode $(mode "$W/m")"
kd=$(dirname "$(readlink -f "$W/m/key.pem")")
[ "$(mode "$kd")" = 700 ] && ok "the key's directory is 0700" || bad "the key's directory $kd has mode $(mode "$kd")"
chmod 640 "$(readlink -f "$W/m/key.pem")"; chmod 644 "$W/m/account.key"
for i in 1 2; do
    run m; rc=$?
    if grep -q "key.pem.*0640" "$W/m.out" && grep -q "account.key.*0644" "$W/m.out"; then
        ok "run $i (exit $rc) warns about both readable keys, naming file and mode"
    else
        bad "run $i: no warning about the readable keys"; sed 's/^/    | /' "$W/m.out"
    fi
done
chmod 600 "$(readlink -f "$W/m/key.pem")" "$W/m/account.key"
run m; grep -q "accessible to group or others" "$W/m.out" && bad "a warning for 0600 keys" || ok "no warning for 0600 keys"

# 2. user = NAME: bind port $PEBBLE_HTTP_PORT as root, then run as NAME.
mkdir -m 700 "$W/u"; chown "$TU:" "$W/u"
cat > "$W/hook.sh" <<HOOK
#!/bin/sh
id -u > "$W/u/hook.uid"
id -G > "$W/u/hook.groups"
if $PY -c 'import os; os.setuid(0)' 2>/dev/null; then echo regained; else echo denied; fi > "$W/u/hook.regain"
HOOK
chmod 755 "$W/hook.sh"
conf u "user = $TU" "reload = $W/hook.sh"
run u -vv; rc=$?
[ $rc -eq 0 ] && [ -s "$W/u/cert.pem" ] && ok "issuance with user = $TU on port $PEBBLE_HTTP_PORT (exit 0)" || { bad "issuance as $TU: exit $rc"; tail -15 "$W/u.out" | sed 's/^/    | /'; }
grep -q "bound 127.0.0.1:$PEBBLE_HTTP_PORT ahead of time" "$W/u.out" && ok "the port was bound before dropping" || bad "no early bind in the log"
[ "$(cat "$W/u/hook.uid" 2>/dev/null)" = "$TUID" ] && ok "the reload hook ran as uid $TUID" || bad "the hook ran as uid $(cat "$W/u/hook.uid" 2>/dev/null)"
[ "$(cat "$W/u/hook.groups" 2>/dev/null)" = "$(id -g "$TU")" ] && ok "no supplementary groups left ($(cat "$W/u/hook.groups"))" || bad "groups: $(cat "$W/u/hook.groups" 2>/dev/null)"
[ "$(cat "$W/u/hook.regain" 2>/dev/null)" = denied ] && ok "setuid(0) is denied after the drop" || bad "root regained: $(cat "$W/u/hook.regain" 2>/dev/null)"
owners=$(find "$W/u" -newer "$W/u.conf" ! -user "$TU" | grep -v '/hook\.' )
[ -z "$owners" ] && ok "every file written belongs to $TU" || bad "files not owned by $TU: $owners"
[ "$(mode "$W/u/account.key")" = 600 ] && ok "account.key 0600 as $TU" || bad "account.key mode $(mode "$W/u/account.key")"

# the same for the TLS-ALPN-01 responder (alpn_listen below 1024)
mkdir -m 700 "$W/t"; chown "$TU:" "$W/t"
conf t "user = $TU" "challenge = tls-alpn-01" "alpn_listen = 127.0.0.1:$PEBBLE_TLS_PORT"
run t -vv; rc=$?
if [ $rc -eq 0 ] && [ -s "$W/t/cert.pem" ] && grep -q "bound 127.0.0.1:$PEBBLE_TLS_PORT ahead of time" "$W/t.out" &&
    [ "$(stat -c %U "$W/t/account.key")" = "$TU" ]; then
    ok "tls-alpn-01 with user = $TU on port $PEBBLE_TLS_PORT (exit 0)"
else
    bad "tls-alpn-01 as $TU: exit $rc"; tail -15 "$W/t.out" | sed 's/^/    | /'
fi

# strace: bind() comes before setuid() (when ptrace is allowed here)
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
    rm -f "$W/u/cert.pem"
    # (LeakSanitizer cannot run under ptrace: off for this run of an ASan build)
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 timeout 120 strace -f -e trace=bind,setgroups,setgid,setuid -o "$W/strace.out" "$BIN" -c "$W/u.conf" -f > /dev/null 2>&1; rc=$?
    b=$(grep -n "bind(.*htons($PEBBLE_HTTP_PORT)" "$W/strace.out" | head -1 | cut -d: -f1)
    u=$(grep -n "setuid(" "$W/strace.out" | head -1 | cut -d: -f1)
    if [ $rc -eq 0 ] && [ -n "$b" ] && [ -n "$u" ] && [ "$b" -lt "$u" ] &&
        [ "$(grep -c "bind(.*htons($PEBBLE_HTTP_PORT)" "$W/strace.out")" = 1 ]; then
        ok "strace: bind(:$PEBBLE_HTTP_PORT) once, before setuid($TUID) (exit $rc)"
    else
        bad "strace ordering (exit $rc, bind line ${b:-none}, setuid line ${u:-none})"; grep -E "bind|set" "$W/strace.out" | head | sed 's/^/    | /'
    fi
else
    echo "    (strace unavailable or ptrace not allowed: ordering shown by the log line above)"
fi

# 3. Errors: an unknown user, a state_dir the user cannot write, an output directory likewise.
conf x "user = no-such-user-h16"
run x; rc=$?
[ $rc -eq 2 ] && grep -q "no-such-user-h16" "$W/x.out" && ok "unknown user: exit 2 naming it" || { bad "unknown user: exit $rc"; cat "$W/x.out"; }
mkdir -m 755 "$W/r"
conf r "user = $TU"
run r; rc=$?
[ $rc -eq 7 ] && grep -q "$W/r" "$W/r.out" && ok "state_dir owned by root: exit 7 naming it" || { bad "root-owned state_dir: exit $rc"; cat "$W/r.out"; }
mkdir -m 700 "$W/o"; chown "$TU:" "$W/o"; mkdir -m 755 "$W/rootout"
conf o "user = $TU" "cert_file = $W/rootout/cert.pem"
run o; rc=$?
[ $rc -eq 7 ] && grep -q "$W/rootout" "$W/o.out" && ok "output directory not writable by the user: exit 7 naming it" || { bad "unwritable output dir: exit $rc"; cat "$W/o.out"; }
[ ! -e "$W/o/account.key" ] && ok "nothing was done before that check (no account key)" || bad "an account key was made before the check"
finish
