#!/usr/bin/env bash
# acme's own resolver (core/dns.c, platform/resolve.c) against a DNS server on 127.0.0.1:53
# (tests/integration/lib/dns_server.py) in a private network and mount namespace (unshare -mn,
# as root), with test files bind-mounted over /etc/hosts and /etc/resolv.conf: a name that
# leads to a TLS server on loopback (directly, through a CNAME chain, IPv6 only, IPv6 then
# IPv4), /etc/hosts winning over DNS, NXDOMAIN, SERVFAIL, a truncated reply, no reply (the wait
# is bounded), replies with a wrong ID or question ignored, a dead first name server, a proxy
# found by name, random query IDs and source ports. Without root or unshare the suite fails.
#
# Environment: ACME_BIN (default build/host/acme; every binary in ACME_BIN and
# ACME_BIN_STATIC, e.g. build/x86_64/acme, is tested), ACME_ROOT.
set -u
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
BIN_STATIC=${ACME_BIN_STATIC:-}
. "$ROOT/tests/integration/lib/check.sh"
unset https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY ACME_TEST_NOW

if [ "${ACME_RESOLVER_IN_NS:-0}" != 1 ]; then
    fail_setup() { echo "FAIL $*"; echo "0 passed, 1 failed"; exit 1; }
    [ "$(id -u)" = 0 ] || fail_setup "needs root: the suite runs in a private namespace (unshare -mn)"
    for c in unshare ip mount python3 openssl; do
        command -v $c >/dev/null || fail_setup "$c is not installed (util-linux, iproute2, python3, openssl)"
    done
    [ -x "$BIN" ] || fail_setup "no binary at $BIN"
    # The namespace must really be private: binding port 53 or mounting over /etc outside it
    # would change the machine.
    unshare -mn --propagation private true 2>/dev/null ||
        fail_setup "unshare -mn does not work here (no CAP_SYS_ADMIN, or user namespaces off)"
    ACME_RESOLVER_IN_NS=1 exec unshare -mn --propagation private bash "${BASH_SOURCE[0]}" "$@"
fi

# ---- inside the namespace
W=$(mktemp -d /tmp/acme-resolver-test.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT
die_setup() { bad "$*"; finish; }

ip link set lo up || die_setup "ip link set lo up"
# nothing but loopback exists here: the host's name servers cannot be reached by accident
ip -o link | grep -qv ': lo:' && die_setup "the network namespace has other interfaces"

# /etc/hosts and /etc/resolv.conf for this namespace only. The first name server has nothing
# on port 53 (connection refused), the second is ours.
cat > "$W/hosts" <<'EOF'
# test hosts file
127.0.0.1   localhost
::1         localhost ip6-localhost
127.0.0.1   hosts.test  hostalias.test   # DNS says 127.0.0.99 for hosts.test
EOF
cat > "$W/resolv.conf" <<'EOF'
# test resolv.conf
search example.org
nameserver 127.0.0.2
nameserver 127.0.0.1
options timeout:2 attempts:2 ndots:3
EOF
for f in hosts resolv.conf; do
    [ -e "/etc/$f" ] || die_setup "/etc/$f does not exist to mount over"
    mount --bind "$W/$f" "/etc/$f" || die_setup "mount --bind $W/$f /etc/$f"
    cmp -s "$W/$f" "/etc/$f" || die_setup "/etc/$f is not the test file after mounting"
done

# Certificates: a CA and one server certificate for every test name.
(
    cd "$W" &&
        openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
            -out ca.pem -days 2 -subj "/CN=resolver test CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" &&
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key \
            -out srv.csr -subj "/CN=ca.test" &&
        printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
            "extendedKeyUsage=serverAuth" \
            "subjectAltName=DNS:ca.test,DNS:alias.test,DNS:hosts.test,DNS:hostalias.test,DNS:v6only.test,DNS:dual.test,DNS:wrongid.test,DNS:wrongq.test,DNS:localhost,DNS:sub.localhost" \
            > srv.ext &&
        openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile srv.ext -out srv.pem
) > "$W/openssl.log" 2>&1 || { cat "$W/openssl.log"; die_setup "openssl could not make the certificates"; }

python3 "$ROOT/tests/integration/transport/servers.py" "$W/ports" "ca:https:$W/srv.pem:$W/srv.key" \
    "cav6:https:$W/srv.pem:$W/srv.key" proxy:proxy 2> "$W/servers.err" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$W/ports" ] && break; sleep 0.1; done
[ -s "$W/ports" ] || { cat "$W/servers.err"; die_setup "the TLS servers did not start"; }
port() { awk -v n="$1" '$1 == n { print $2 }' "$W/ports"; }
P=$(port ca) P6=$(port cav6) PP=$(port proxy)

cat > "$W/zone" <<'EOF'
ca.test       A     127.0.0.1
alias.test    CNAME mid.alias.test
mid.alias.test CNAME ca.test
v6only.test   AAAA  ::1
dual.test     A     127.0.0.1
dual.test     AAAA  ::1
hosts.test    A     127.0.0.99
noaddr.test   TXT   x
silent.test   SILENT
servfail.test SERVFAIL
trunc.test    TRUNC
wrongid.test  WRONGID
wrongid.test  A     127.0.0.1
wrongq.test   WRONGQ
wrongq.test   A     127.0.0.1
proxy.test    A     127.0.0.1
EOF
python3 "$ROOT/tests/integration/lib/dns_server.py" 127.0.0.1 53 "$W/zone" "$W/dns.log" \
    2> "$W/dns.err" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$W/dns.log.ready" ] && break; sleep 0.1; done
[ -s "$W/dns.log.ready" ] || { cat "$W/dns.err"; die_setup "the DNS server did not start"; }

# run BIN HOST PORT [-vv]: acme fetches https://HOST:PORT/dir (the server answers "hello", not
# a directory: enough to show that the name led to it). Output in $W/out, status in RC, time
# in SECS.
run() {
    local bin=$1 host=$2 p=$3 t0
    shift 3
    rm -rf "$W/state"
    printf '%s\n' "directory = https://$host:$p/dir" "email = admin@example.org" "agree_tos = yes" \
        "ca_file = $W/ca.pem" "state_dir = $W/state" "domains = www.example.org" "timeout = 10" \
        > "$W/acme.conf"
    : > "$W/ca.log"
    : > "$W/cav6.log"
    t0=$(date +%s%N)
    timeout 60 "$bin" -c "$W/acme.conf" "$@" > "$W/out" 2>&1
    RC=$?
    SECS=$((($(date +%s%N) - t0) / 1000000000))
}
reached() { cat "$W/ca.log" "$W/cav6.log" | grep -q 'request /dir'; }
show() { sed 's/^/    | /' "$W/out" | tail -n 8; }
# expect_reach WHAT: the TLS server got the request.
expect_reach() {
    if reached && ! grep -qi 'cannot resolve' "$W/out"; then ok "$1"; else bad "$1 (exit $RC)"; show; fi
}
# expect_fail WHAT REGEX: exit 3 with the message, the server not reached.
expect_fail() {
    if [ "$RC" = 3 ] && grep -Eq -- "$2" "$W/out" && ! reached; then
        ok "$1"
    else
        bad "$1 (exit $RC, wanted 3 and /$2/)"; show
    fi
}
queries() { grep -c " $1\$" "$W/dns.log"; }

suite() {
    local b=$1 label=$2
    echo "--- $label ($b)"
    [ -x "$b" ] || { bad "$label: no binary at $b"; return; }

    run "$b" ca.test "$P" -vv
    expect_reach "$label: ca.test resolves through DNS (A)"
    if grep -q "connecting to ca.test port $P at 127.0.0.1" "$W/out"; then
        ok "$label: the address and port are the ones DNS gave"
    else
        bad "$label: the address and port are the ones DNS gave"; show
    fi
    run "$b" ca.test. "$P" -vv
    if grep -q "ca.test.: 1 A record from 127.0.0.1" "$W/out"; then
        ok "$label: a trailing dot (absolute name)"
    else
        bad "$label: a trailing dot (absolute name)"; show
    fi

    run "$b" alias.test "$P"
    expect_reach "$label: a CNAME chain (alias.test -> mid.alias.test -> ca.test)"

    run "$b" v6only.test "$P6" -vv
    expect_reach "$label: AAAA only: ::1"

    # dual.test has ::1 and 127.0.0.1; the server listens on 127.0.0.1 only: IPv6 first, then
    # IPv4, each its own connect.
    run "$b" dual.test "$P" -vv
    expect_reach "$label: A and AAAA: the IPv6 address fails, the IPv4 one is tried next"
    if grep 'connecting to dual.test port [0-9]* at' "$W/out" | head -n 2 | tr '\n' ' ' |
        grep -Eq "at ::1 .*at 127\.0\.0\.1"; then
        ok "$label: IPv6 is tried before IPv4"
    else
        bad "$label: IPv6 is tried before IPv4"; show
    fi

    local before
    before=$(queries hosts.test)
    run "$b" hosts.test "$P" -vv
    expect_reach "$label: /etc/hosts wins over DNS (which says 127.0.0.99)"
    if [ "$(queries hosts.test)" = "$before" ]; then
        ok "$label: no DNS query for a name in /etc/hosts"
    else
        bad "$label: no DNS query for a name in /etc/hosts"
    fi
    run "$b" hostalias.test "$P"
    expect_reach "$label: an alias in /etc/hosts"
    run "$b" localhost "$P"
    expect_reach "$label: localhost from /etc/hosts"
    before=$(queries sub.localhost)
    run "$b" sub.localhost "$P"
    expect_reach "$label: a name under localhost is loopback (RFC 6761)"
    if [ "$(queries sub.localhost)" = "$before" ]; then
        ok "$label: no DNS query for a name under localhost"
    else
        bad "$label: no DNS query for a name under localhost"
    fi

    run "$b" nx.test "$P"
    expect_fail "$label: NXDOMAIN" 'cannot resolve nx\.test: NXDOMAIN from 127\.0\.0\.1'
    run "$b" noaddr.test "$P"
    expect_fail "$label: a name without addresses" 'cannot resolve noaddr\.test: no A or AAAA record'
    run "$b" servfail.test "$P"
    expect_fail "$label: SERVFAIL" 'cannot resolve servfail\.test: .*SERVFAIL from 127\.0\.0\.1'
    run "$b" trunc.test "$P"
    expect_fail "$label: a truncated reply" 'truncated reply \(TC\) from 127\.0\.0\.1: DNS over TCP is not supported'
    run "$b" silent.test "$P"
    expect_fail "$label: no reply" 'cannot resolve silent\.test: .*no reply from 127\.0\.0\.1 within 2 s'
    if [ "$SECS" -ge 1 ] && [ "$SECS" -le 5 ]; then
        ok "$label: no reply: gave up after ${SECS} s (options timeout:2)"
    else
        bad "$label: no reply: gave up after ${SECS} s, wanted about 2"
    fi
    if grep -q '127\.0\.0\.2: Connection refused' "$W/out"; then
        ok "$label: the dead first name server is named"
    else
        bad "$label: the dead first name server is named"; show
    fi
    local long
    long=$(printf 'x%.0s' $(seq 64)).test
    run "$b" "$long" "$P"
    expect_fail "$label: a label of 64 bytes is not sent" "cannot resolve $long: not a valid host name"

    run "$b" wrongid.test "$P" -vv
    expect_reach "$label: a reply with a wrong ID is ignored"
    if grep -q 'ignored a DNS reply from 127.0.0.1' "$W/out" && ! grep -q '192\.0\.2\.66' "$W/out"; then
        ok "$label: ... and logged, its address unused"
    else
        bad "$label: ... and logged, its address unused"; show
    fi
    run "$b" wrongq.test "$P"
    expect_reach "$label: a reply to another question is ignored"

    # The proxy's name goes through the same resolver. The proxy refuses ca.test (it only
    # tunnels to loopback names), which is fine: it was reached.
    : > "$W/proxy.log"
    https_proxy=http://proxy.test:$PP run "$b" ca.test "$P"
    if grep -q "CONNECT ca.test:$P" "$W/proxy.log"; then
        ok "$label: the proxy is found by name"
    else
        bad "$label: the proxy is found by name (exit $RC)"; show
    fi
    https_proxy=http://noproxy.test:$PP run "$b" ca.test "$P"
    expect_fail "$label: an unknown proxy name" 'cannot resolve proxy noproxy\.test: NXDOMAIN'
}

suite "$BIN" "$(basename "$(dirname "$BIN")")"
[ -n "$BIN_STATIC" ] && suite "$BIN_STATIC" "$(basename "$(dirname "$BIN_STATIC")")"

# Query IDs and source ports: random, and both A and AAAA asked.
python3 - "$W/dns.log" > "$W/rand.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
ports = {r[0] for r in rows}
ids = {r[1] for r in rows}
types = {r[2] for r in rows}
print(len(rows), len(ports), len(ids), " ".join(sorted(types)))
PY
read -r nq nports nids types < "$W/rand.txt"
if [ "$nq" -ge 20 ] && [ "$nids" -ge $((nq * 9 / 10)) ] && [ "$nports" -ge $((nq / 3)) ]; then
    ok "query IDs and source ports vary ($nq queries: $nids IDs, $nports ports)"
else
    bad "query IDs and source ports vary ($nq queries: $nids IDs, $nports ports)"
fi
if [[ " $types " == *" A "* && " $types " == *" AAAA "* ]]; then
    ok "A and AAAA are asked"
else
    bad "A and AAAA are asked ($types)"
fi
finish
