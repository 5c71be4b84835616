#!/usr/bin/env bash
# The HTTPS transport (platform/net.c + bearssl/tls_client.c or mbedtls/tls_client.c, driven
# by tests/tools/httpget) against real TLS servers on loopback, for both TLS backends:
# certificate checks with one message per cause, keep-alive and reconnects, body framing and
# limits, refused and silent ports, the build-time clock floor, the CONNECT proxy.
#
# Environment: ACME_ROOT (repository), ACME_TOOLS (BearSSL build's tools, default
# build/host/tools), ACME_TOOLS_MBEDTLS (default build/host-mbedtls/tools).
set -u
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TOOLS=${ACME_TOOLS:-$ROOT/build/host/tools}
TOOLS_MBEDTLS=${ACME_TOOLS_MBEDTLS:-$ROOT/build/host-mbedtls/tools}
HERE=$ROOT/tests/integration/transport
unset https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY ACME_TEST_NOW

PASS=0 FAIL=0 PIDS=()
W=$(mktemp -d /tmp/acme-transport.XXXXXX)
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() {
    FAIL=$((FAIL + 1)); echo "FAIL $*"
    sed 's/^/     | /' "$W/out" "$W/err" 2>/dev/null | head -20
}

# run HTTPGET ARGS...: stdout in $W/out, stderr in $W/err, exit status in RC, time in SECS.
run() {
    local t0=$(date +%s%N)
    timeout 30 "$@" > "$W/out" 2> "$W/err"
    RC=$?
    SECS=$(( ($(date +%s%N) - t0) / 1000000000 ))
}
# expect_ok NAME: exit 0 and every request answered 200.
expect_ok() {
    if [ $RC -eq 0 ] && grep -q 'status 200' "$W/out" && ! grep -q 'status [^2]' "$W/out"; then
        ok "$1"
    else
        bad "$1 (exit $RC)"
    fi
}
# expect_err NAME STATUS REGEX: exit STATUS and the error message matches REGEX (grep -E -i).
expect_err() {
    if [ $RC -eq "$2" ] && grep -Eiq -- "$3" "$W/err"; then
        ok "$1"
    else
        bad "$1 (exit $RC, wanted $2 and /$3/)"
    fi
}
port() { awk -v n="$1" '$1 == n { print $2 }' "$W/ports"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---------------------------------------------------------------------------------------------
bash "$HERE/make_certs.sh" "$W/certs" || { echo "cannot make the test certificates"; echo "0 passed, 1 failed"; exit 1; }
C=$W/certs
specs=(hang:hang proxy:proxy goodv6:https:$C/good.chain:$C/good.key)
for n in good rsa wrongname expired notyet selfsigned untrusted; do
    specs+=("$n:https:$C/$n.chain:$C/$n.key")
done
python3 "$HERE/servers.py" "$W/ports" "${specs[@]}" 2> "$W/servers.err" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$W/ports" ] && break; sleep 0.1; done
[ -s "$W/ports" ] || { cat "$W/servers.err"; echo "servers did not start"; echo "0 passed, 1 failed"; exit 1; }
CLOSED=$(free_port)
# A bundle as large as Debian's, with the test root at its end.
BUNDLE=$W/bundle.pem
{ [ -f /etc/ssl/certs/ca-certificates.crt ] && cat /etc/ssl/certs/ca-certificates.crt; cat "$C/root.pem"; } > "$BUNDLE"
printf 'garbage\n-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n' > "$W/broken.pem"

suite() {
    local b=$1 g=$2 G="--ca $C/root.pem" u n
    echo "--- backend $b ($g)"
    if [ ! -x "$g" ]; then
        FAIL=$((FAIL + 1)); echo "FAIL $b: $g not built"; return
    fi
    u=https://localhost:$(port good)

    run "$g" $G "$u/"; expect_ok "$b: good certificate (EC, with intermediate)"
    run "$g" $G "https://localhost:$(port rsa)/"; expect_ok "$b: good certificate (RSA, ECDHE_RSA)"
    run "$g" $G "https://127.0.0.1:$(port good)/"; expect_ok "$b: IP literal host matched against an IP SAN"
    run "$g" $G "https://[::1]:$(port goodv6)/"; expect_ok "$b: IPv6 literal host"
    run "$g" --ca "$BUNDLE" "$u/"; expect_ok "$b: a full CA bundle as ca_file"

    run "$g" $G "https://localhost:$(port wrongname)/"
    expect_err "$b: wrong host name" 3 'not valid for host name localhost \(it is for wrong\.example\)'
    run "$g" $G "https://127.0.0.1:$(port wrongname)/"
    expect_err "$b: wrong IP address" 3 'not valid for host name 127\.0\.0\.1'
    run "$g" $G "https://localhost:$(port expired)/"
    expect_err "$b: expired certificate" 3 'certificate .* expired on 2002-01-01'
    run "$g" $G "https://localhost:$(port notyet)/"
    expect_err "$b: not yet valid certificate" 3 'is not yet valid: valid from 2090-01-01'
    run "$g" $G "https://localhost:$(port untrusted)/"
    expect_err "$b: untrusted root" 3 'untrusted or unknown issuer \(issuer CN=acme\.c other root\)'
    run "$g" $G "https://localhost:$(port selfsigned)/"
    expect_err "$b: self-signed certificate" 3 'is self-signed and not among the trust anchors'
    # The messages really differ per cause.
    if grep -qi 'self-signed' "$W/err" && ! grep -qi 'expired\|untrusted\|host name' "$W/err"; then
        ok "$b: the self-signed message names only that cause"
    else
        bad "$b: the self-signed message names only that cause"
    fi
    run "$g" --ca "$W/missing.pem" "$u/"
    expect_err "$b: missing ca_file falls back to the built-in anchors" 3 \
        'untrusted or unknown issuer.*built-in trust anchors'
    run "$g" --ca "$W/broken.pem" "$u/"
    expect_err "$b: malformed ca_file" 7 "ca_file $W/broken.pem"

    run "$g" $G -v -n 4 "$u/len/100"
    n=$(grep -c 'TLS handshake with' "$W/err")
    if [ $RC -eq 0 ] && [ "$n" -eq 1 ] && grep -qx 'handshakes=1 requests=4' "$W/out" &&
        [ "$(grep -c 'status 200, body 100 bytes' "$W/out")" -eq 4 ]; then
        ok "$b: keep-alive: 4 requests over one TLS handshake"
    else
        bad "$b: keep-alive: 4 requests over one TLS handshake ($n handshake lines)"
    fi
    run "$g" $G -v -n 3 "$u/close/10"
    if [ $RC -eq 0 ] && grep -qx 'handshakes=3 requests=3' "$W/out" &&
        [ "$(grep -c 'status 200, body 10 bytes' "$W/out")" -eq 3 ]; then
        ok "$b: transparent reconnect after the server closed the connection"
    else
        bad "$b: transparent reconnect after the server closed the connection"
    fi
    run "$g" $G -p "$u/chunked/30000"
    if [ $RC -eq 0 ] && grep -q 'status 200, body 30000 bytes' "$W/out" &&
        [ "$(sed -n 2p "$W/out")" = "$(python3 -c 'print(("0123456789" * 3000))')" ]; then
        ok "$b: chunked body"
    else
        bad "$b: chunked body"
    fi
    run "$g" $G -p "$u/len/65536"
    if [ $RC -eq 0 ] && grep -q 'status 200, body 65536 bytes' "$W/out" &&
        [ "$(sed -n 2p "$W/out" | head -c 30)" = "012345678901234567890123456789" ]; then
        ok "$b: Content-Length body at the limit"
    else
        bad "$b: Content-Length body at the limit"
    fi
    run "$g" $G "$u/len/65537"
    expect_err "$b: body over the limit" 3 'exceeds the limit of 65536 bytes \(CONFIG_HTTP_BODY_MAX\)'

    run "$g" $G "https://localhost:$CLOSED/"
    expect_err "$b: closed port" 3 "cannot connect to localhost port $CLOSED: .*connection refused"
    run "$g" $G --timeout 2 "https://127.0.0.1:$(port hang)/"
    if [ "$SECS" -le 4 ]; then
        expect_err "$b: silent server times out in 2 s (took ${SECS}s)" 3 'timed out after 2 s'
    else
        bad "$b: silent server times out in 2 s (took ${SECS}s)"
    fi

    ACME_TEST_NOW=100 run "$g" $G "$u/"
    if [ $RC -eq 0 ] && grep -q 'earlier than this build' "$W/err"; then
        ok "$b: clock at 1970: validated at the build time, with a warning"
    else
        bad "$b: clock at 1970: validated at the build time, with a warning"
    fi
    ACME_TEST_NOW=4200000000 run "$g" $G "$u/"
    expect_err "$b: validation uses the clock (ACME_TEST_NOW in 2103)" 3 'expired on 2040-01-01'

    : > "$W/proxy.log"
    https_proxy=http://127.0.0.1:$(port proxy) run "$g" $G "$u/"
    if [ $RC -eq 0 ] && grep -qx "CONNECT localhost:$(port good) HTTP/1.1" "$W/proxy.log"; then
        ok "$b: https_proxy: CONNECT through the proxy"
    else
        bad "$b: https_proxy: CONNECT through the proxy"
    fi
    : > "$W/proxy.log"
    HTTPS_PROXY=127.0.0.1:$(port proxy) no_proxy="example.org, .localhost" run "$g" $G "$u/"
    if [ $RC -eq 0 ] && [ ! -s "$W/proxy.log" ]; then
        ok "$b: no_proxy match bypasses the proxy"
    else
        bad "$b: no_proxy match bypasses the proxy"
    fi
    https_proxy=http://127.0.0.1:$(port proxy) NO_PROXY="*" run "$g" $G "$u/"
    if [ $RC -eq 0 ] && [ ! -s "$W/proxy.log" ]; then ok "$b: no_proxy=*"; else bad "$b: no_proxy=*"; fi
    https_proxy=http://127.0.0.1:$(port proxy) run "$g" $G "https://localhost:1/"
    expect_err "$b: proxy refusing CONNECT" 3 'through proxy 127\.0\.0\.1 port [0-9]+: proxy refused CONNECT: 403'
    https_proxy=http://127.0.0.1:$CLOSED run "$g" $G "$u/"
    expect_err "$b: proxy not listening" 3 "cannot connect to proxy 127\.0\.0\.1 port $CLOSED"

    run "$g" $G --bind 127.0.0.1 "$u/"; expect_ok "$b: bind_address 127.0.0.1"
    run "$g" $G --bind ::1 "https://127.0.0.1:$(port good)/"
    expect_err "$b: bind_address of the other family" 3 'no IPv6 address to use with bind_address ::1'
}

suite bearssl "$TOOLS/httpget"
suite mbedtls "$TOOLS_MBEDTLS/httpget"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
