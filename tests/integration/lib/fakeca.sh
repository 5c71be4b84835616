# fakeca.sh: start/stop the scripted ACME test CA (fakeca.py) on loopback. Sourced.
# shellcheck shell=bash
#
#   . tests/integration/lib/fakeca.sh
#   trap fakeca_cleanup EXIT
#   fakeca_init                      work dir + TLS test root + localhost listener cert (once)
#   fakeca_start [fakeca.py options]...   starts it, waits for ports.json; sets the vars below
#   fakeca_set_case CASE [STEP] [COUNT]   switch the scenario of the running server
#   fakeca_set_ari MODE [RETRY_AFTER] [EXPLANATION_URL]
#   fakeca_state [OUT]               the recorded state (JSON: requests, certids, replaces, issued)
#   fakeca_config FILE KEY=VALUE...  an acme config pointing at the running server
#   fakeca_stop                      stops exactly what fakeca_start started (by PID)
#   fakeca_cleanup                   fakeca_stop + removes FAKECA_WORK (FAKECA_KEEP_WORK=1 keeps it)
#
# After fakeca_start:
#   FAKECA_DIR_URL   https://127.0.0.1:PORT/dir
#   FAKECA_CA_FILE   the root that signed the listener certificate: acme's ca_file
#   FAKECA_CTL_URL   http://127.0.0.1:CTLPORT (control API, see fakeca.py)
#   FAKECA_ROOT      the root of the certificates it issues (FAKECA_ROOT2: the alternate
#                    chain's root; FAKECA_INTER: the intermediate)
#   FAKECA_LOG       its stderr
#   FAKECA_WORK      the temp directory
# Every start gets a fresh random port (the kernel picks it: no race between suites).

FAKECA_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FAKECA_PYTHON=python3
[ -x /usr/bin/python3 ] && FAKECA_PYTHON=/usr/bin/python3
FAKECA_PID="" FAKECA_WORK="${FAKECA_WORK:-}" FAKECA_N=0

_fakeca_err() { echo "fakeca.sh: $*" >&2; }

fakeca_init() {
    [ -n "$FAKECA_WORK" ] && [ -f "$FAKECA_WORK/tls/listener.pem" ] && return 0
    FAKECA_WORK=$(mktemp -d "${TMPDIR:-/tmp}/fakeca.XXXXXX") || return 1
    local d=$FAKECA_WORK/tls
    mkdir -p "$d" "$FAKECA_WORK/ca"
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/tls-root.key" -out "$d/tls-root.pem" -days 2 -subj "/CN=fakeca TLS test root" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 || return 1
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/listener.key" -out "$d/listener.csr" -subj "/CN=localhost" >/dev/null 2>&1 || return 1
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" > "$d/listener.ext"
    openssl x509 -req -in "$d/listener.csr" -CA "$d/tls-root.pem" -CAkey "$d/tls-root.key" \
        -set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$d/listener.ext" \
        -out "$d/listener.pem" >/dev/null 2>&1 || return 1
    FAKECA_CA_FILE=$d/tls-root.pem
}

# _fakeca_json FILE KEY: one top-level value of a JSON file.
_fakeca_json() { "$FAKECA_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

fakeca_start() {
    fakeca_init || { _fakeca_err "cannot make the TLS test certificates"; return 1; }
    [ -n "$FAKECA_PID" ] && fakeca_stop
    FAKECA_N=$((FAKECA_N + 1))
    FAKECA_LOG=$FAKECA_WORK/fakeca.$FAKECA_N.log
    rm -f "$FAKECA_WORK/ports.json"
    "$FAKECA_PYTHON" "$FAKECA_LIB/fakeca.py" --work "$FAKECA_WORK" \
        --tls-cert "$FAKECA_WORK/tls/listener.pem" --tls-key "$FAKECA_WORK/tls/listener.key" \
        --max-seconds "${FAKECA_MAX_SECONDS:-600}" "$@" 2> "$FAKECA_LOG" &
    FAKECA_PID=$!
    local i
    for i in $(seq 1 200); do
        [ -f "$FAKECA_WORK/ports.json" ] && break
        kill -0 "$FAKECA_PID" 2>/dev/null || { _fakeca_err "fakeca.py died:"; cat "$FAKECA_LOG" >&2; FAKECA_PID=""; return 1; }
        sleep 0.05
    done
    [ -f "$FAKECA_WORK/ports.json" ] || { _fakeca_err "fakeca.py did not start"; fakeca_stop; return 1; }
    FAKECA_DIR_URL=$(_fakeca_json "$FAKECA_WORK/ports.json" directory)
    FAKECA_CTL_URL=http://127.0.0.1:$(_fakeca_json "$FAKECA_WORK/ports.json" ctl)
    FAKECA_CA_FILE=$FAKECA_WORK/tls/tls-root.pem
    # shellcheck disable=SC2034 # for the suites that source this file
    FAKECA_ROOT=$FAKECA_WORK/ca/root.pem FAKECA_ROOT2=$FAKECA_WORK/ca/root2.pem
    # shellcheck disable=SC2034
    FAKECA_INTER=$FAKECA_WORK/ca/inter.pem
}

fakeca_stop() {
    [ -n "$FAKECA_PID" ] || return 0
    kill "$FAKECA_PID" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$FAKECA_PID" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$FAKECA_PID" 2>/dev/null
    wait "$FAKECA_PID" 2>/dev/null
    FAKECA_PID=""
}

fakeca_cleanup() {
    fakeca_stop
    if [ -n "$FAKECA_WORK" ] && [ "${FAKECA_KEEP_WORK:-0}" != 1 ]; then rm -rf "$FAKECA_WORK"; fi
}

# _fakeca_ctl METHOD PATH [JSON]: a control API call; the answer on stdout.
_fakeca_ctl() {
    "$FAKECA_PYTHON" - "$FAKECA_CTL_URL$2" "$1" "${3:-}" <<'PY'
import sys, urllib.request
url, method, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, data=body.encode() if method == "POST" else None, method=method)
try:
    # no proxy from the environment: loopback only
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=10) as r:
        sys.stdout.write(r.read().decode())
except Exception as e:
    print("fakeca.sh: %s %s: %s" % (method, url, e), file=sys.stderr)
    sys.exit(1)
PY
}

fakeca_set_case() {
    local step=null count=null
    [ -n "${2:-}" ] && step="\"$2\""
    [ -n "${3:-}" ] && count=$3
    _fakeca_ctl POST /set-case "{\"case\": \"$1\", \"step\": $step, \"count\": $count}" >/dev/null
}

fakeca_set_ari() {
    local ra=null ex=null
    [ -n "${2:-}" ] && ra=$2
    [ -n "${3:-}" ] && ex="\"$3\""
    _fakeca_ctl POST /set-ari "{\"mode\": \"$1\", \"retry_after\": $ra, \"explanation\": $ex}" >/dev/null
}

fakeca_state() {
    if [ -n "${1:-}" ]; then _fakeca_ctl GET /state > "$1"; else _fakeca_ctl GET /state; fi
}

# fakeca_config FILE [KEY=VALUE]...: directory, ca_file, agree_tos, timeout 5, domains, and
# the given keys (a given key replaces the default of the same name).
fakeca_config() {
    local f=$1 kv k
    shift
    declare -A seen=()
    for kv in "$@"; do seen[${kv%%=*}]=1; done
    {
        for kv in "directory=$FAKECA_DIR_URL" "ca_file=$FAKECA_CA_FILE" "agree_tos=yes" \
            "timeout=5" "domains=a.fakeca.test b.fakeca.test" "email=test@fakeca.test"; do
            k=${kv%%=*}
            [ -n "${seen[$k]:-}" ] || echo "$k = ${kv#*=}"
        done
        for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
    } > "$f"
}
