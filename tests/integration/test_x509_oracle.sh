#!/usr/bin/env bash
# Oracle test for core/x509.c: every certificate of the system CA bundle, and certificates made
# here with openssl (EC and RSA, SAN DNS and IP names, UTCTime/GeneralizedTime boundaries, leap
# days, a v1 certificate without extensions, a serial with the sign bit set), is read with
# $ACME_TOOLS/x509dump and with `openssl x509`; the normalised outputs must be equal.
#
# Environment: ACME_TOOLS (default build/host/tools), X509_BUNDLE (default Debian's bundle).
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DUMP=${ACME_TOOLS:-$ROOT/build/host/tools}/x509dump
BUNDLE=${X509_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
passed=0 failed=0

case $DUMP in /*) ;; *) DUMP=$PWD/$DUMP ;; esac
[ -x "$DUMP" ] || { echo "x509dump not found at $DUMP (build the tools first)"; echo "0 passed, 1 failed"; exit 1; }
command -v openssl >/dev/null || { echo "openssl not found"; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- openssl's view, normalised to x509dump's lines -----------------------------------------
# IPv6 "IP Address:" values are full upper-case groups in openssl; x509dump prints RFC 5952
# (as core/ipaddr.c writes it: IPv4-mapped addresses in hex too, e.g. ::ffff:c633:6407).
normalise_openssl() {
    awk '
    function rfc5952(s,    g, n, i, best, bestlen, run, out) {
        n = split(s, g, ":")
        if (n != 8) return s
        for (i = 1; i <= 8; i++) { g[i] = tolower(g[i]); sub(/^0+/, "", g[i]); if (g[i] == "") g[i] = "0" }
        best = 0; bestlen = 1; run = 0
        for (i = 1; i <= 8; i++) {
            run = (g[i] == "0") ? run + 1 : 0
            if (run > bestlen) { bestlen = run; best = i - run + 1 }
        }
        out = ""
        for (i = 1; i <= 8; i++) {
            if (i == best) { out = out "::"; i += bestlen - 1; continue }
            if (i > 1 && i != best + bestlen) out = out ":"
            out = out g[i]
        }
        return out
    }
    /^notBefore=|^notAfter=|^serial=/ { print; next }
    /^X509v3 Subject Alternative Name:/ { ext = "san"; next }
    /^X509v3 Authority Key Identifier:/ { ext = "aki"; next }
    /^X509v3 Subject Key Identifier:/ { ext = "ski"; next }
    /^X509v3 Basic Constraints:/ { ext = "bc"; next }
    /^[^ ]/ { ext = ""; next }
    ext == "san" {
        sub(/^ +/, ""); n = split($0, item, ", "); out = ""
        for (i = 1; i <= n; i++) {
            if (item[i] ~ /^DNS:/) v = item[i]
            else if (item[i] ~ /^IP Address:/) {
                v = substr(item[i], 12)
                if (v ~ /:/) v = rfc5952(v)
                v = "IP:" v
            } else continue
            out = out (out == "" ? "" : ", ") v
        }
        if (out != "") print "san=" out
        next
    }
    ext == "aki" {
        sub(/^ +/, ""); sub(/^keyid:/, "")
        if ($0 ~ /^[0-9A-F][0-9A-F](:[0-9A-F][0-9A-F])*$/) print "aki=" $0
        next
    }
    ext == "ski" { sub(/^ +/, ""); print "ski=" $0; next }
    ext == "bc" { if ($0 ~ /CA:TRUE/) bc_ca = 1; next }
    END { print "ca=" (bc_ca ? 1 : 0) }'
}

# Dates as epoch seconds via date -d (x509dump prints epoch seconds).
dates_to_epoch() {
    local line k v
    while IFS= read -r line; do
        case $line in
        notBefore=* | notAfter=*)
            k=${line%%=*} v=${line#*=}
            echo "$k=$(date -u -d "$v" +%s 2>/dev/null || echo "unparseable:$v")" ;;
        *) echo "$line" ;;
        esac
    done
}

expected() {
    local pem=$1
    {
        openssl x509 -in "$pem" -noout -dates -serial \
            -ext subjectAltName,authorityKeyIdentifier,subjectKeyIdentifier,basicConstraints 2>&1 |
            normalise_openssl | dates_to_epoch
        # First commonName of issuer and subject, as UTF-8 without escapes.
        local which
        for which in issuer subject; do
            echo "${which}_cn=$(openssl x509 -in "$pem" -noout "-$which" -nameopt multiline,utf8,-esc_msb 2>&1 |
                sed -n 's/^ *commonName *= //p' | head -n1)"
        done
    } | sort
}

actual() {
    "$DUMP" "$1" 2>&1 | grep -v '^cert=' | sort
}

check() {
    local pem=$1 what=$2 want got
    want=$(expected "$pem")
    got=$(actual "$pem")
    if [ "$want" = "$got" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what"
        diff <(echo "$want") <(echo "$got") | sed 's/^</  openssl:/; s/^>/  x509dump:/'
        cat "$pem"
    fi
}

# --- the CA bundle ---------------------------------------------------------------------------
if [ -f "$BUNDLE" ]; then
    mkdir -p "$work/bundle"
    awk -v dir="$work/bundle" '
        /-----BEGIN CERTIFICATE-----/ { n++; f = sprintf("%s/%04d.pem", dir, n); inblk = 1 }
        inblk { print > f }
        /-----END CERTIFICATE-----/ { inblk = 0; close(f) }' "$BUNDLE"
    for pem in "$work"/bundle/*.pem; do
        [ -f "$pem" ] || continue
        check "$pem" "$BUNDLE certificate ${pem##*/}"
    done
    # The whole bundle at once: the same number of certificates, none rejected.
    n=$(ls "$work"/bundle/*.pem 2>/dev/null | wc -l)
    got=$("$DUMP" "$BUNDLE" | grep -c '^cert=')
    if [ "$n" -gt 0 ] && [ "$got" = "$n" ] && "$DUMP" "$BUNDLE" >/dev/null; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); echo "FAIL: whole bundle: $got of $n certificates read"
    fi
else
    echo "note: no CA bundle at $BUNDLE; only generated certificates are checked"
fi

# --- certificates made here ------------------------------------------------------------------
cd "$work" || exit 1
SAN="subjectAltName=DNS:a.example,DNS:*.wild.example,email:x@a.example,IP:192.0.2.1,IP:2001:db8::1,IP:::1,IP:fe80::,IP:2001:db8:0:0:1:0:0:1,IP:1:0:0:0:0:0:0:0,IP:::ffff:198.51.100.7,URI:https://a.example/"
gen() { # name keyopts... -- extra req args
    local name=$1; shift
    local keyargs=()
    while [ "$1" != -- ]; do keyargs+=("$1"); shift; done
    shift
    if ! openssl req -x509 -newkey "${keyargs[@]}" -nodes -keyout "$name.key" -out "$name.pem" \
        -subj "/O=acme.c test/CN=$name" "$@" 2>"$name.err"; then
        failed=$((failed + 1)); echo "FAIL: openssl req for $name"; cat "$name.err"; return 1
    fi
    check "$name.pem" "generated $name"
}
gen ec-p256 ec -pkeyopt ec_paramgen_curve:P-256 -- -days 20000 -addext "$SAN"
gen ec-p384 ec -pkeyopt ec_paramgen_curve:P-384 -- -days 30 -addext "subjectAltName=DNS:only.example"
gen rsa-2048 rsa:2048 -- -days 40000 -addext "$SAN" -set_serial 0x80112233445566778899aabbccddeeff00112233
gen rsa-serial0 rsa:2048 -- -days 2 -set_serial 0

# openssl ca sets exact start and end dates (and writes v1 without an extensions section).
mkdir -p ca/new
: >ca/index.txt
echo 01 >ca/serial
cat >ca.cnf <<EOF
[ca]
default_ca = test
[test]
dir = $work/ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
[anything]
commonName = supplied
[ext]
subjectAltName = DNS:ca-signed.example,IP:10.0.0.1,IP:2001:db8:1::
authorityKeyIdentifier = keyid
subjectKeyIdentifier = hash
basicConstraints = critical,CA:FALSE
EOF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
    -subj /CN=leaf -out leaf.csr 2>/dev/null
ca_sign() { # name start end [ca options...]
    local name=$1 start=$2 end=$3; shift 3
    if ! openssl ca -batch -config ca.cnf -cert ec-p256.pem -keyfile ec-p256.key -in leaf.csr \
        -startdate "$start" -enddate "$end" -notext -out "$name.pem" "$@" >"$name.err" 2>&1; then
        failed=$((failed + 1)); echo "FAIL: openssl ca for $name"; cat "$name.err"; return 1
    fi
    check "$name.pem" "generated $name ($start - $end)"
}
ca_sign utc-bounds 19500101000000Z 20491231235959Z -extensions ext
ca_sign gen-bounds 20500101000000Z 99991231235959Z -extensions ext
ca_sign leap-days 20240229120000Z 20960229000000Z -extensions ext
ca_sign v1-no-ext 20000229000000Z 20500301000000Z
if ! grep -q 'Version: 1' <(openssl x509 -in v1-no-ext.pem -noout -text 2>/dev/null); then
    echo "note: openssl ca did not write a v1 certificate"
fi

# A file with several certificates and text around them: the same count comes back.
{ echo "leading text"; cat ec-p256.pem; echo "between"; cat rsa-2048.pem leap-days.pem; echo "trailing"; } >multi.pem
if [ "$("$DUMP" multi.pem | grep -c '^cert=')" = 3 ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: multi.pem did not give 3 certificates"; "$DUMP" multi.pem
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
