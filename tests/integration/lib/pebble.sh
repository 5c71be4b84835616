# Pebble test harness: a local ACME CA (Debian package `pebble`: pebble and
# pebble-challtestsrv) on loopback, for the integration suites and ci/demo.sh. Sourced.
# shellcheck shell=bash
#
#   . tests/integration/lib/pebble.sh
#   trap pebble_stop EXIT
#   pebble_start [--eab] [--env VAR=VAL]...     starts challtestsrv and pebble, waits for both
#   ... run acme with directory = $PEBBLE_DIR_URL, ca_file = $PEBBLE_CA_FILE ...
#   pebble_roots OUT [INDEX]                    Pebble's root + intermediate (PEM) into OUT
#   pebble_stop                                 stops exactly what pebble_start started
#   pebble_get URL [OUT], pebble_dns_query NAME TYPE, pebble_logs
#   challtest_set_txt NAME VALUE, challtest_clear_txt NAME, challtest_add_a(aaa) NAME IP
#   webroot_server_start DIR, webroot_server_stop   (a web server on PEBBLE_HTTP_PORT)
#   challtest_hook OUT                          writes a dns_hook script using challtestsrv
#
# After pebble_start:
#   PEBBLE_DIR_URL    https://127.0.0.1:PORT/dir, the ACME directory
#   PEBBLE_MGMT_URL   https://127.0.0.1:PORT, the management API (/roots/0, /intermediates/0)
#   PEBBLE_CA_FILE    the test CA that signed Pebble's listener certificate (made on the fly
#                     for localhost, 127.0.0.1 and ::1): acme's ca_file
#   PEBBLE_HTTP_PORT  where Pebble sends HTTP-01 validations (to 127.0.0.1, as the mock DNS
#                     answers 127.0.0.1 for every name): acme's http_listen port
#   PEBBLE_TLS_PORT   where Pebble sends TLS-ALPN-01 validations
#   PEBBLE_DNS_PORT   challtestsrv's DNS server (UDP and TCP), which Pebble uses
#   CHALLTEST_URL     http://127.0.0.1:PORT, challtestsrv's management API
#   PEBBLE_EAB_KID, PEBBLE_EAB_HMAC_KEY   with --eab: a key id and its base64url MAC key
#   PEBBLE_WORK       the temp directory holding configs, certificates and logs
#
# Ports: PEBBLE_PORT_BASE=N uses N (ACME), N+1 (management), N+2 (HTTP-01), N+3 (TLS-ALPN-01),
# N+4 (DNS), N+5 (challtestsrv management). Unset: Pebble's usual ports 14000, 15000, 5002,
# 5001, 8053, 8055 when all are free, else a free block of six between 20000 and 29999 (so
# that two suites on one machine do not collide).
#
# Pebble runs with PEBBLE_VA_NOSLEEP=1 and PEBBLE_WFE_NONCEREJECT=0 unless --env overrides
# them. PEBBLE_KEEP_WORK=1 keeps PEBBLE_WORK after pebble_stop; pebble_logs prints the logs.
# HTTP(S) requests use python3 (curl may not be installed).

PEBBLE_BIN=${PEBBLE_BIN:-pebble}
CHALLTEST_BIN=${CHALLTEST_BIN:-pebble-challtestsrv}
PEBBLE_START_TIMEOUT=${PEBBLE_START_TIMEOUT:-30}
PEBBLE_PID="" CHALLTEST_PID="" PEBBLE_WORK="" WEBROOT_PID=""
# The MAC keys of Pebble's example EAB configuration (base64url).
PEBBLE_EAB_KEYS_JSON='{"kid-1": "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W", "kid-2": "b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH"}'

_pebble_err() { echo "pebble.sh: $*" >&2; }

# python3 from Debian when there (rather than a pyenv shim in PATH).
PEBBLE_PYTHON=python3
[ -x /usr/bin/python3 ] && PEBBLE_PYTHON=/usr/bin/python3
_pebble_py() { "$PEBBLE_PYTHON" "$@"; }

# _pebble_ports_free PORT... : 0 when every port is free on 127.0.0.1 (TCP and UDP).
_pebble_ports_free() {
    _pebble_py - "$@" <<'PY'
import socket, sys
for p in sys.argv[1:]:
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        # as servers bind: connections in TIME_WAIT do not make a port busy
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", int(p)))
        except OSError:
            sys.exit(1)
        finally:
            s.close()
PY
}

_pebble_pick_ports() {
    local base i
    if [ -n "${PEBBLE_PORT_BASE:-}" ]; then
        base=$PEBBLE_PORT_BASE
        set -- "$base" $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)) $((base + 5))
        _pebble_ports_free "$@" || { _pebble_err "ports $base-$((base + 5)) are not all free (PEBBLE_PORT_BASE)"; return 1; }
    elif _pebble_ports_free 14000 15000 5002 5001 8053 8055; then
        set -- 14000 15000 5002 5001 8053 8055
    else
        for i in $(seq 1 50); do
            base=$((20000 + (RANDOM % 1000) * 10))
            set -- "$base" $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)) $((base + 5))
            _pebble_ports_free "$@" && break
            set --
        done
        [ $# -eq 6 ] || { _pebble_err "found no six free ports"; return 1; }
    fi
    PEBBLE_PORT=$1 PEBBLE_MGMT_PORT=$2 PEBBLE_HTTP_PORT=$3 PEBBLE_TLS_PORT=$4
    PEBBLE_DNS_PORT=$5 CHALLTEST_PORT=$6
}

# The test CA and Pebble's listener certificate (localhost, 127.0.0.1, ::1), ECDSA P-256.
_pebble_make_certs() {
    local d=$PEBBLE_WORK
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/test-ca.key" -out "$d/test-ca.pem" -days 2 -subj "/CN=acme.c test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 || return 1
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/listener.key" -out "$d/listener.csr" -subj "/CN=localhost" >/dev/null 2>&1 || return 1
    cat > "$d/listener.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1,IP:::1
EOF
    openssl x509 -req -in "$d/listener.csr" -CA "$d/test-ca.pem" -CAkey "$d/test-ca.key" \
        -CAcreateserial -days 2 -extfile "$d/listener.ext" -out "$d/listener.pem" >/dev/null 2>&1 || return 1
    PEBBLE_CA_FILE=$d/test-ca.pem
}

# pebble_get URL [OUT]: GET over HTTPS trusting the test CA (or plain HTTP); body to OUT or
# stdout. Fails on a connection error or an HTTP status >= 400.
pebble_get() {
    _pebble_py - "$1" "${2:--}" "$PEBBLE_CA_FILE" <<'PY'
import ssl, sys, urllib.request
url, out, ca = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
try:
    with urllib.request.urlopen(url, timeout=10, context=ctx) as r:
        body = r.read()
except Exception as e:
    print("pebble.sh: GET %s: %s" % (url, e), file=sys.stderr)
    sys.exit(1)
if out == "-":
    sys.stdout.buffer.write(body)
else:
    with open(out, "wb") as f:
        f.write(body)
PY
}

# challtest_post PATH JSON: a call of challtestsrv's management API.
challtest_post() {
    _pebble_py - "$CHALLTEST_URL$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST")
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()
except Exception as e:
    print("pebble.sh: POST %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1)
PY
}

# JSON string of $1 (names and values come from tests, but quote them properly anyway).
_pebble_json_str() { _pebble_py -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }
_pebble_fqdn() { case "$1" in *.) echo "$1" ;; *) echo "$1." ;; esac; }

# challtest_set_txt NAME VALUE: the mock DNS answers TXT queries for NAME with VALUE
# (e.g. NAME=_acme-challenge.router.test).
challtest_set_txt() {
    challtest_post /set-txt "{\"host\": $(_pebble_json_str "$(_pebble_fqdn "$1")"), \"value\": $(_pebble_json_str "$2")}"
}
challtest_clear_txt() {
    challtest_post /clear-txt "{\"host\": $(_pebble_json_str "$(_pebble_fqdn "$1")")}"
}
# challtest_add_a NAME IP (IPv4) and challtest_add_aaaa NAME IP (IPv6).
challtest_add_a() {
    challtest_post /add-a "{\"host\": $(_pebble_json_str "$(_pebble_fqdn "$1")"), \"addresses\": [$(_pebble_json_str "$2")]}"
}
challtest_add_aaaa() {
    challtest_post /add-aaaa "{\"host\": $(_pebble_json_str "$(_pebble_fqdn "$1")"), \"addresses\": [$(_pebble_json_str "$2")]}"
}

# pebble_dns_query NAME TYPE: asks the mock DNS (TYPE A, AAAA or TXT); prints one answer per
# line (TXT strings of one record joined), nothing when there is none.
pebble_dns_query() {
    _pebble_py - "$1" "$2" "$PEBBLE_DNS_PORT" <<'PY'
import socket, struct, sys, ipaddress
name, qtype, port = sys.argv[1].rstrip("."), {"A": 1, "AAAA": 28, "TXT": 16}[sys.argv[2]], int(sys.argv[3])
q = struct.pack(">HHHHHH", 0x4163, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
q += struct.pack(">HH", qtype, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ("127.0.0.1", port))
m = s.recv(4096)
def skip_name(m, i):
    while True:
        n = m[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += n + 1
an = struct.unpack(">H", m[6:8])[0]
i = skip_name(m, 12) + 4
for _ in range(an):
    i = skip_name(m, i)
    t, _c, _ttl, rdlen = struct.unpack(">HHIH", m[i:i + 10])
    rd = m[i + 10:i + 10 + rdlen]
    i += 10 + rdlen
    if t != qtype:
        continue
    if t == 1 or t == 28:
        print(ipaddress.ip_address(rd))
    else:
        out, j = b"", 0
        while j < len(rd):
            out += rd[j + 1:j + 1 + rd[j]]
            j += 1 + rd[j]
        print(out.decode())
PY
}

# challtest_hook OUT: writes an executable dns_hook for acme that publishes through
# challtestsrv: `OUT add NAME VALUE` sets the TXT record, `OUT del NAME VALUE` clears it.
# Each call is also appended to OUT.log ("add NAME VALUE").
challtest_hook() {
    cat > "$1" <<EOF
#!/bin/sh
# dns_hook for acme against pebble-challtestsrv at $CHALLTEST_URL (made by pebble.sh)
echo "\$*" >> "$1.log"
case "\$1" in
add) path=/set-txt ;;
del) path=/clear-txt ;;
*) echo "usage: \$0 add|del NAME VALUE" >&2; exit 2 ;;
esac
exec "$PEBBLE_PYTHON" - "$CHALLTEST_URL\$path" "\$2" "\$3" <<'PY'
import json, sys, urllib.request
url, name, value = sys.argv[1], sys.argv[2].rstrip(".") + ".", sys.argv[3]
body = {"host": name, "value": value} if url.endswith("/set-txt") else {"host": name}
urllib.request.urlopen(urllib.request.Request(url, data=json.dumps(body).encode(), method="POST"), timeout=10).read()
PY
EOF
    chmod 755 "$1"
}

# pebble_roots OUT [INDEX]: root INDEX (default 0) followed by its intermediate, as PEM.
pebble_roots() {
    local out=$1 i=${2:-0}
    pebble_get "$PEBBLE_MGMT_URL/roots/$i" "$out.root" &&
        pebble_get "$PEBBLE_MGMT_URL/intermediates/$i" "$out.int" &&
        cat "$out.root" "$out.int" > "$out" && rm -f "$out.root" "$out.int"
}

pebble_logs() {
    local f
    [ -n "$PEBBLE_WORK" ] || return 0
    for f in "$PEBBLE_WORK"/pebble.log "$PEBBLE_WORK"/challtestsrv.log; do
        [ -f "$f" ] || continue
        echo "--- $f (last 40 lines)"
        tail -n 40 "$f"
    done
}

# _pebble_wait_for NAME PID CHECK...: polls CHECK until it succeeds (bounded), failing early
# when PID died.
_pebble_wait_for() {
    local name=$1 pid=$2 i
    shift 2
    for i in $(seq 1 $((PEBBLE_START_TIMEOUT * 5))); do
        if ! kill -0 "$pid" 2>/dev/null; then
            _pebble_err "$name exited during startup"
            return 1
        fi
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    _pebble_err "$name not ready after ${PEBBLE_START_TIMEOUT}s"
    return 1
}

_pebble_tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pebble_start() {
    local eab=false envs=()
    while [ $# -gt 0 ]; do
        case "$1" in
        --eab) eab=true; shift ;;
        --env) envs+=("$2"); shift 2 ;;
        --env=*) envs+=("${1#*=}"); shift ;;
        *) _pebble_err "pebble_start: unknown option $1"; return 2 ;;
        esac
    done
    if [ -n "$PEBBLE_PID$CHALLTEST_PID" ]; then
        _pebble_err "pebble_start: already running (call pebble_stop first)"
        return 1
    fi
    command -v "$PEBBLE_BIN" >/dev/null && command -v "$CHALLTEST_BIN" >/dev/null || {
        _pebble_err "pebble not installed (apt-get install pebble, or ./build.sh deps)"
        return 1
    }
    PEBBLE_WORK=$(mktemp -d "${TMPDIR:-/tmp}/acme-pebble.XXXXXX") || return 1
    _pebble_make_certs || { _pebble_err "openssl failed to make the test certificates"; return 1; }
    _pebble_pick_ports || return 1

    local eab_json='"externalAccountBindingRequired": false'
    unset PEBBLE_EAB_KID PEBBLE_EAB_HMAC_KEY
    if $eab; then
        eab_json="\"externalAccountBindingRequired\": true, \"externalAccountMACKeys\": $PEBBLE_EAB_KEYS_JSON"
        PEBBLE_EAB_KID=kid-1
        PEBBLE_EAB_HMAC_KEY=zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W
    fi
    cat > "$PEBBLE_WORK/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$PEBBLE_PORT",
    "managementListenAddress": "127.0.0.1:$PEBBLE_MGMT_PORT",
    "certificate": "$PEBBLE_WORK/listener.pem",
    "privateKey": "$PEBBLE_WORK/listener.key",
    "httpPort": $PEBBLE_HTTP_PORT,
    "tlsPort": $PEBBLE_TLS_PORT,
    "ocspResponderURL": "",
    $eab_json
  }
}
EOF
    PEBBLE_DIR_URL=https://127.0.0.1:$PEBBLE_PORT/dir
    PEBBLE_MGMT_URL=https://127.0.0.1:$PEBBLE_MGMT_PORT
    CHALLTEST_URL=http://127.0.0.1:$CHALLTEST_PORT

    # The mock DNS answers 127.0.0.1 (and no AAAA) for every name; its own challenge
    # responders stay off because acme serves HTTP-01 and TLS-ALPN-01 itself.
    (cd "$PEBBLE_WORK" && exec "$CHALLTEST_BIN" -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
        -dns01 "127.0.0.1:$PEBBLE_DNS_PORT" -http01 "" -https01 "" -tlsalpn01 "" \
        -management "127.0.0.1:$CHALLTEST_PORT") > "$PEBBLE_WORK/challtestsrv.log" 2>&1 &
    CHALLTEST_PID=$!
    if ! _pebble_wait_for pebble-challtestsrv "$CHALLTEST_PID" _pebble_tcp_open "$CHALLTEST_PORT" ||
        ! _pebble_wait_for pebble-challtestsrv "$CHALLTEST_PID" _pebble_tcp_open "$PEBBLE_DNS_PORT"; then
        pebble_logs >&2
        pebble_stop
        return 1
    fi

    (cd "$PEBBLE_WORK" && exec env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 "${envs[@]}" \
        "$PEBBLE_BIN" -config "$PEBBLE_WORK/pebble-config.json" \
        -dnsserver "127.0.0.1:$PEBBLE_DNS_PORT") > "$PEBBLE_WORK/pebble.log" 2>&1 &
    PEBBLE_PID=$!
    if ! _pebble_wait_for pebble "$PEBBLE_PID" pebble_get "$PEBBLE_DIR_URL" ||
        ! _pebble_wait_for pebble "$PEBBLE_PID" pebble_get "$PEBBLE_MGMT_URL/roots/0"; then
        pebble_logs >&2
        pebble_stop
        return 1
    fi
    export PEBBLE_DIR_URL PEBBLE_MGMT_URL PEBBLE_CA_FILE PEBBLE_HTTP_PORT PEBBLE_TLS_PORT \
        PEBBLE_DNS_PORT CHALLTEST_URL PEBBLE_WORK
    $eab && export PEBBLE_EAB_KID PEBBLE_EAB_HMAC_KEY
    return 0
}

# webroot_server_start DIR: a plain web server for webroot mode, serving DIR on
# 127.0.0.1:$PEBBLE_HTTP_PORT (where Pebble validates HTTP-01); WEBROOT_PID. Stopped by
# webroot_server_stop or pebble_stop.
webroot_server_start() {
    [ -z "${WEBROOT_PID:-}" ] || { _pebble_err "webroot server already running"; return 1; }
    # exec: $! must be the server itself, so that stopping it by PID stops it
    (exec "$PEBBLE_PYTHON" -m http.server --bind 127.0.0.1 --directory "$1" "$PEBBLE_HTTP_PORT") \
        > "$PEBBLE_WORK/webroot-server.log" 2>&1 &
    WEBROOT_PID=$!
    _pebble_wait_for "webroot server" "$WEBROOT_PID" _pebble_tcp_open "$PEBBLE_HTTP_PORT" || {
        webroot_server_stop
        return 1
    }
}
webroot_server_stop() {
    _pebble_kill "${WEBROOT_PID:-}"
    WEBROOT_PID=""
}

# _pebble_kill PID: SIGTERM, up to 5 s, then SIGKILL; reaps it.
_pebble_kill() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    # (every command may fail harmlessly: callers may run under set -e)
    if kill -TERM "$pid" 2>/dev/null; then
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    return 0
}

# Stops exactly the processes pebble_start started (by PID) and removes PEBBLE_WORK. Safe to
# call more than once and when nothing runs.
pebble_stop() {
    webroot_server_stop
    _pebble_kill "$PEBBLE_PID"
    _pebble_kill "$CHALLTEST_PID"
    PEBBLE_PID="" CHALLTEST_PID=""
    if [ -n "$PEBBLE_WORK" ] && [ -d "$PEBBLE_WORK" ] && [ "${PEBBLE_KEEP_WORK:-0}" != 1 ]; then
        rm -rf "$PEBBLE_WORK"
    fi
    PEBBLE_WORK=""
    return 0
}
