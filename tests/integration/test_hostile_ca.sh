#!/usr/bin/env bash
# Hostile CA (issue 8): the real client against the scripted test CA
# (tests/integration/lib/fakeca.py) misbehaving case by case, at the step where it matters.
# A happy-path run first installs a key/certificate pair; its state directory is saved and
# restored before every case, and each case is a forced run (-f) that must:
#   - exit with the documented status (table below; "3|6" = either is acceptable),
#   - print a message naming what was wrong (case-insensitive extended regex),
#   - finish in bounded time (LIMIT seconds: timeout = 5 plus margin, measured),
#   - not crash (exit status < 128, no sanitizer report),
#   - leave key.pem, cert.pem, chain.pem and fullchain.pem byte for byte as they were.
# The cases run again with the ASan build when it exists (ACME_BIN_ASAN, default
# build/asan/acme; HOSTILE_ASAN=0 skips it).
#
# Exit statuses (issue 5): 3 temporary (network, timeout, CA 5xx, malformed or oversized
# responses, nonce retries exhausted), 4 validation failed, 5 rate limited, 6 refused.
# A CA answer that is well-formed HTTP but semantically wrong (a chain that is not PEM, a
# leaf for another key or missing a name, a Location on another host, a directory without
# newAccount/newOrder) is something a retry may fix or not; 3 or 6 are both accepted there.
# A forced run that recovers (badNonce a few times) must install a new matching pair.
#
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT, HOSTILE_ONLY=regex (case@step),
# HOSTILE_KEEP=1 keeps the work directory (one output file per run).
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
BIN_ASAN=${ACME_BIN_ASAN:-$ROOT/build/asan/acme}
TIMEOUT=5
# Seconds a failing run may take at most: one timeout (a stalled request is not re-sent, and
# polling is bounded by timeout overall), plus the order's own steps.
LIMIT=$((TIMEOUT + 4))
. "$ROOT/tests/integration/lib/check.sh"
known=0

#   case                  step         expected  keyword (ERE, case-insensitive)
CASES='
malformed-json          directory    3       json|malformed|parse|syntax|directory
malformed-json          newOrder     3       json|malformed|parse|syntax
malformed-json          finalize     3       json|malformed|parse|syntax
truncated-json          directory    3       json|truncat|parse|syntax|end
truncated-json          newAccount   3       json|truncat|parse|syntax|end
truncated-json          authz        3       json|truncat|parse|syntax|end
truncated-json          order        3       json|truncat|parse|syntax|end
huge-body               directory    3       large|limit|too|size|big|long
huge-body               newOrder     3       large|limit|too|size|big|long
huge-body               certificate  3       large|limit|too|size|big|long
endless-chunked         directory    3       large|limit|too|size|big|long|chunk
endless-chunked         certificate  3       large|limit|too|size|big|long|chunk
wrong-content-type      directory    3       content-type|text/html|json
wrong-content-type      newOrder     3       content-type|text/html|json
wrong-content-type      certificate  3       content-type|text/html|pem
dir-missing             directory    3|6      newOrder|newAccount|directory
http500                 newOrder     3       500|serverInternal
http500-retry-after     finalize     3       500|serverInternal
http503                 directory    3       503|unavailable
http503-retry-after     newAccount   3       503|unavailable
http503-retry-after     challenge    3       503|unavailable
rate-limited            newOrder     5       rate|too many
rate-limited            finalize     5       rate|too many
bad-nonce               newOrder     3       nonce
bad-nonce               certificate  3       nonce
rejected-identifier     newOrder     6       rejectedIdentifier|policy
location-other-host     newOrder     3|6     location|host|127\.0\.0\.2|connect|refused|origin
order-never-ready       order        3       time|ready|pending|limit
order-retry-after-huge  order        3       time|ready|pending|limit|retry
processing-forever      finalize     3       time|processing
validation-fails        challenge    4       invalid response|404|unauthorized|validat
chain-not-pem           certificate  3|6     pem|certificate|chain
leaf-wrong-key          certificate  3|6     key|match
leaf-missing-name       certificate  3|6     name|b\.fakeca\.test|cover|missing
close-mid-body          directory    3       clos|eof|short|connection|incomplete|truncat|end
close-mid-body          newOrder     3       clos|eof|short|connection|incomplete|truncat|end
close-mid-body          certificate  3       clos|eof|short|connection|incomplete|truncat|end
stall                   directory    3       time
stall                   newOrder     3       time
stall                   certificate  3       time
stall-tls               -            3       time|handshake|tls
'
# Cases the client still gets wrong (case@step): reported as "known failing", not counted.
# Each entry is a client bug to fix in core/ (see the report of this suite), then remove.
# Found 2026-11-22 and fixed the same day: huge-body and endless-chunked (an oversized answer
# is now exit 3), truncated-json and http503-retry-after at newAccount (the lookup with
# onlyReturnExisting kept its error), order-never-ready and processing-forever (polling is
# bounded by timeout), wrong-content-type@certificate (the Content-Type is named), and a stall
# on a reused connection (no longer re-sent, so it takes one timeout, not two).
KNOWN_FAILING=''
KNOWN_FAILING=${KNOWN_FAILING//$'\n'/ }
# The ASan pass leaves these out (known failing ones already reported; one stall is enough).
ASAN_SKIP='stall@newOrder stall@certificate stall-tls@-'


for c in openssl python3 cmp timeout; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
. "$ROOT/tests/integration/lib/fakeca.sh"

W=$(mktemp -d /tmp/acme-hostile.XXXXXX)
cleanup() { fakeca_cleanup; if [ "${HOSTILE_KEEP:-0}" = 1 ]; then echo "kept $W"; else rm -rf "$W"; fi; }
trap cleanup EXIT
trap 'exit 143' TERM INT
mkdir -p "$W/webroot"

fakeca_start --validate-webroot "$W/webroot" --max-seconds 400 || { echo "fakeca did not start"; echo "0 passed, 1 failed"; exit 1; }
fakeca_config "$W/acme.conf" "state_dir=$W/state" "webroot=$W/webroot" "timeout=$TIMEOUT"

# The pair every case must leave alone.
if timeout 60 "$BIN" -c "$W/acme.conf" > "$W/happy.out" 2>&1 && [ -s "$W/state/cert.pem" ]; then
    ok "happy path: a certificate is installed from the test CA"
else
    bad "happy path (exit $?):"; sed 's/^/    | /' "$W/happy.out"; tail -5 "$FAKECA_LOG"
    finish
fi
cp -a "$W/state" "$W/saved"
FILES="key.pem cert.pem chain.pem fullchain.pem"

now_ms() { date +%s%3N; }

# one_case BIN LABEL CASE STEP EXPECTED KEYWORD
one_case() {
    local bin=$1 label=$2 case=$3 step=$4 want=$5 kw=$6 id="$3@$4" t0 ms rc why="" f out msg hard
    out=$W/out.$label.$case.$step
    rm -rf "$W/state" && cp -a "$W/saved" "$W/state"
    # no cached account: the run has to go through newAccount (onlyReturnExisting)
    [ "$step" = newAccount ] && rm -f "$W/state/state"
    fakeca_set_case "$case" "$([ "$step" = - ] || echo "$step")" || { bad "$label $id: cannot set the case"; return; }
    # a run past LIMIT fails anyway: known hangs are cut sooner to keep the suite short
    hard=$((LIMIT + 4))
    [[ " $KNOWN_FAILING " == *" $id "* ]] && hard=$((LIMIT + 1))
    t0=$(now_ms)
    timeout $hard "$bin" -f -v -c "$W/acme.conf" > "$out" 2>&1
    rc=$?
    ms=$(( $(now_ms) - t0 ))
    fakeca_set_case none
    if [ $rc -ge 124 ]; then why="$why crash-or-hang(exit $rc)"; fi
    if ! [[ "|$want|" == *"|$rc|"* ]]; then why="$why exit=$rc(want $want)"; fi
    # the keyword must be in the error message itself, not in the -v progress lines
    msg=$(grep -a -m1 -E '^acme: error' "$out" | cut -c1-200)
    if ! grep -qiE -- "$kw" <<< "${msg#acme: error}"; then why="$why no-message(/$kw/)"; fi
    if [ "$ms" -gt $((LIMIT * 1000)) ]; then why="$why slow(${ms}ms>${LIMIT}s)"; fi
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$out"; then why="$why sanitizer-report"; fi
    for f in $FILES; do
        cmp -s "$W/saved/$f" "$W/state/$f" || why="$why $f-changed"
    done
    if [ -z "$why" ]; then
        if [[ " $KNOWN_FAILING " == *" $id "* ]]; then
            ok "$label $id: exit $rc, ${ms}ms (listed in KNOWN_FAILING but passes now: remove it): ${msg#acme: error: }"
        else
            ok "$label $id: exit $rc, ${ms}ms: ${msg#acme: error: }"
        fi
        return
    fi
    if [[ " $KNOWN_FAILING " == *" $id "* ]]; then
        known=$((known + 1))
        echo "known failing $label $id:$why (${ms}ms)"
    else
        bad "$label $id:$why (${ms}ms)"
    fi
    grep -vE '^acme: (POST|GET|connecting|connected|TLS handshake|[0-9]+ trust anchors)' "$out" | tail -n 4 | sed 's/^/    | /'
}

run_all() {
    local bin=$1 label=$2 skip=${3:-} case step want kw
    while read -r case step want kw; do
        [ -n "$case" ] || continue
        [[ " $skip " == *" $case@$step "* ]] && continue
        if [ -n "${HOSTILE_ONLY:-}" ] && ! [[ "$case@$step" =~ $HOSTILE_ONLY ]]; then continue; fi
        one_case "$bin" "$label" "$case" "$step" "$want" "$kw"
    done <<< "$CASES"
}

# Recoverable hiccups (issue 5: badNonce is retried at least 3 times): the run succeeds and
# installs a new, matching pair.   case  step  count
RECOVERABLE='
bad-nonce               newOrder     3
bad-nonce               finalize     3
bad-nonce               certificate  3
'
recoverable() {
    local case step count rc out kpub cpub
    while read -r case step count; do
        [ -n "$case" ] || continue
        if [ -n "${HOSTILE_ONLY:-}" ] && ! [[ "$case@$step" =~ $HOSTILE_ONLY ]]; then continue; fi
        out=$W/out.recover.$case.$step
        rm -rf "$W/state" && cp -a "$W/saved" "$W/state"
        fakeca_set_case "$case" "$step" "$count"
        timeout $((LIMIT + 4)) "$BIN" -f -c "$W/acme.conf" > "$out" 2>&1
        rc=$?
        fakeca_set_case none
        kpub=$(openssl pkey -in "$W/state/key.pem" -pubout 2>/dev/null)
        cpub=$(openssl x509 -in "$W/state/cert.pem" -noout -pubkey 2>/dev/null)
        if [ $rc -eq 0 ] && ! cmp -s "$W/saved/cert.pem" "$W/state/cert.pem" &&
            [ -n "$kpub" ] && [ "$kpub" = "$cpub" ]; then
            ok "recovers from $count x $case at $step: new matching pair installed"
        else
            bad "recovers from $count x $case at $step (exit $rc)"
            tail -n 3 "$out" | sed 's/^/    | /'
        fi
    done <<< "$RECOVERABLE"
}

T0=$(date +%s)
recoverable
run_all "$BIN" bin
if [ "${HOSTILE_ASAN:-1}" != 0 ] && [ -x "$BIN_ASAN" ]; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        run_all "$BIN_ASAN" asan "$KNOWN_FAILING $ASAN_SKIP"
elif [ "${HOSTILE_ASAN:-1}" != 0 ]; then
    echo "note: no ASan build at $BIN_ASAN: the ASan pass is skipped"
fi

# After all of that the CA behaves again and the client still gets a certificate.
rm -rf "$W/state" && cp -a "$W/saved" "$W/state"
if timeout 60 "$BIN" -f -c "$W/acme.conf" > "$W/final.out" 2>&1 && ! cmp -s "$W/saved/cert.pem" "$W/state/cert.pem"; then
    ok "a forced run after the hostile cases installs a new certificate"
else
    bad "final forced run (exit $?)"; tail -n 5 "$W/final.out" | sed 's/^/    | /'
fi
echo "time: $(( $(date +%s) - T0 ))s, known failing: $known"
finish
