#!/usr/bin/env bash
# Oracle test for bearssl/ (keys, signatures, CSRs, certificates) and core/jws.c, with the
# openssl CLI as the judge, driven through $ACME_TOOLS/cryptotool:
#   - every key type we generate loads in `openssl pkey` and has the public key we print;
#   - keys openssl makes (PKCS#8, SEC1 with an EC PARAMETERS block, PKCS#1) load here with the
#     same public key; encrypted keys are refused naming the file;
#   - `openssl req -verify` accepts every CSR and shows the CN, SANs and TLS Feature we asked for;
#   - self-signed and CA-signed certificates pass `openssl verify -x509_strict`, and a wrong CA
#     does not;
#   - JWS signatures (ES256/384/512 raw r||s, converted to DER here; RS256) verify with
#     `openssl dgst -verify`, flattened JWS objects too, and RFC 7638 thumbprints match a JWK
#     built here from openssl's view of the public key.
# RSA-4096 is generated once. Environment: ACME_TOOLS (default build/host/tools).
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CT=${ACME_TOOLS:-$ROOT/build/host/tools}/cryptotool
. "$ROOT/tests/integration/lib/check.sh"

[ -x "$CT" ] || { echo "cryptotool not found at $CT (build the tools first)"; echo "0 passed, 1 failed"; exit 1; }
for c in openssl python3; do
    command -v $c >/dev/null || { echo "$c not found"; echo "0 passed, 1 failed"; exit 1; }
done

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0; shows its output otherwise.
check() {
    local d=$1; shift
    if "$@" > "$W/check.out" 2>&1; then ok "$d"; else bad "$d"; sed 's/^/    | /' "$W/check.out" | head -20; fi
}
# grep_in DESCRIPTION FILE REGEX...: every extended regex must match a line of FILE.
grep_in() {
    local d=$1 f=$2 r; shift 2
    for r in "$@"; do
        if ! grep -qE -- "$r" "$f"; then bad "$d: no match for '$r'"; sed 's/^/    | /' "$f" | head -40; return; fi
    done
    ok "$d"
}

# Raw ECDSA r||s (JWS) to the DER SEQUENCE openssl wants; fails unless the length is even.
cat > "$W/raw2der.py" <<'PY'
import sys
raw = open(sys.argv[1], 'rb').read()
want = int(sys.argv[2])
if len(raw) != 2 * want:
    sys.exit("raw signature is %d bytes, want %d" % (len(raw), 2 * want))
def ln(n):
    return bytes([n]) if n < 128 else bytes([0x81, n])
def integer(b):
    b = b.lstrip(b'\0') or b'\0'
    if b[0] & 0x80:
        b = b'\0' + b
    return b'\x02' + ln(len(b)) + b
body = integer(raw[:want]) + integer(raw[want:])
sys.stdout.buffer.write(b'\x30' + ln(len(body)) + body)
PY

# RFC 7638 thumbprint from `openssl pkey -pubin -text` (an independent JWK).
cat > "$W/thumb.py" <<'PY'
import base64, hashlib, re, sys
t = open(sys.argv[1]).read()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
def hexblock(name):
    m = re.search(name + r':\s*\n((?:\s+[0-9a-f:]+\n)+)', t)
    return bytes.fromhex(re.sub(r'[\s:]', '', m.group(1)))
if 'NIST CURVE' in t:
    crv = re.search(r'NIST CURVE: (P-\d+)', t).group(1)
    q = hexblock('pub')
    assert q[0] == 4
    c = (len(q) - 1) // 2
    jwk = '{"crv":"%s","kty":"EC","x":"%s","y":"%s"}' % (crv, b64(q[1:1 + c]), b64(q[1 + c:]))
else:
    n = hexblock('Modulus').lstrip(b'\0')
    e = int(re.search(r'Exponent: (\d+)', t).group(1))
    eb = e.to_bytes((e.bit_length() + 7) // 8, 'big')
    jwk = '{"e":"%s","kty":"RSA","n":"%s"}' % (b64(eb), b64(n))
print(b64(hashlib.sha256(jwk.encode()).digest()))
PY

# Splits a flattened JWS: writes the signing input and the raw signature, prints the header.
cat > "$W/jws.py" <<'PY'
import base64, json, sys
j = json.load(open(sys.argv[1]))
assert sorted(j) == ['payload', 'protected', 'signature'], sorted(j)
d = lambda s: base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
open(sys.argv[2], 'w').write(j['protected'] + '.' + j['payload'])
open(sys.argv[3], 'wb').write(d(j['signature']))
h = json.loads(d(j['protected']))
print(json.dumps(h, sort_keys=True))
print('payload=' + d(j['payload']).decode())
PY

coord() { case $1 in ec-256) echo 32 ;; ec-384) echo 48 ;; ec-521) echo 66 ;; *) echo 0 ;; esac; }
dgst() { case $1 in ec-384) echo -sha384 ;; ec-521) echo -sha512 ;; *) echo -sha256 ;; esac; }

same_pub() { # KEYFILE: our SPKI equals openssl's
    "$CT" loadkey "$1" spki > "$W/ours.pub" && openssl pkey -in "$1" -pubout > "$W/theirs.pub" &&
        cmp "$W/ours.pub" "$W/theirs.pub"
}

# --- keys we generate --------------------------------------------------------------------------
TYPES="ec-256 ec-384 ec-521 rsa-2048 rsa-3072 rsa-4096"
for t in $TYPES; do
    if "$CT" genkey "$t" "$W/$t.key" 2> "$W/gen.err"; then
        check "$t: generated key passes openssl pkey -check" openssl pkey -in "$W/$t.key" -check -noout
        check "$t: openssl sees the public key we print" same_pub "$W/$t.key"
        check "$t: written as PKCS#8" grep -q -- '-----BEGIN PRIVATE KEY-----' "$W/$t.key"
    else
        bad "$t: genkey failed: $(cat "$W/gen.err")"
    fi
done
grep_in "rsa-4096: one line says it can take minutes" "$W/gen.err" 'generating rsa-4096 key; this can take minutes'

# --- keys openssl makes ------------------------------------------------------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/o-p256-pkcs8.key" 2>/dev/null
openssl ecparam -name secp384r1 -genkey -out "$W/o-p384-sec1.key" 2>/dev/null   # with EC PARAMETERS
openssl ecparam -name secp521r1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$W/o-p521-pkcs8.key"
openssl ecparam -name prime256v1 -genkey -noout -out "$W/o-p256-sec1.key" 2>/dev/null
openssl genrsa -traditional -out "$W/o-rsa2048-pkcs1.key" 2048 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$W/o-rsa3072-pkcs8.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3 -out "$W/o-rsa2048-e3.key" 2>/dev/null
for k in o-p256-pkcs8 o-p384-sec1 o-p521-pkcs8 o-p256-sec1 o-rsa2048-pkcs1 o-rsa3072-pkcs8 o-rsa2048-e3; do
    check "$k: openssl key loads with the same public key" same_pub "$W/$k.key"
    if "$CT" loadkey "$W/$k.key" pem > "$W/$k.re.key" 2> "$W/check.out"; then
        check "$k: re-written PKCS#8 is the same key for openssl" \
            cmp <(openssl pkey -in "$W/$k.key" -outform DER) <(openssl pkey -in "$W/$k.re.key" -outform DER)
    else
        bad "$k: loadkey pem failed: $(cat "$W/check.out")"
    fi
    openssl pkey -in "$W/$k.key" -pubout 2>/dev/null | openssl pkey -pubin -noout -text > "$W/$k.txt" 2>/dev/null
    check "$k: RFC 7638 thumbprint matches a JWK built from openssl's view" \
        cmp <("$CT" thumbprint "$W/$k.key") <(python3 "$W/thumb.py" "$W/$k.txt")
done
grep_in "SEC1 file has an EC PARAMETERS block first" "$W/o-p384-sec1.key" 'BEGIN EC PARAMETERS' 'BEGIN EC PRIVATE KEY'
grep_in "PKCS#1 file is traditional" "$W/o-rsa2048-pkcs1.key" 'BEGIN RSA PRIVATE KEY'

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:secret -out "$W/enc-pkcs8.key" 2>/dev/null
openssl ec -in "$W/o-p256-sec1.key" -aes128 -passout pass:secret -out "$W/enc-sec1.key" 2>/dev/null
openssl rsa -in "$W/o-rsa2048-pkcs1.key" -traditional -aes128 -passout pass:secret -out "$W/enc-pkcs1.key" 2>/dev/null
for k in enc-pkcs8 enc-sec1 enc-pkcs1; do
    if "$CT" loadkey "$W/$k.key" > /dev/null 2> "$W/enc.err"; then
        bad "$k: encrypted key was accepted"
    else
        grep_in "$k: encrypted key refused, naming the file" "$W/enc.err" "$W/$k.key" 'encrypted'
    fi
done
grep_in "traditional encrypted keys carry Proc-Type" "$W/enc-sec1.key" 'Proc-Type: 4,ENCRYPTED'
printf -- '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n' > "$W/nokey.pem"
if "$CT" loadkey "$W/nokey.pem" > /dev/null 2> "$W/nokey.err"; then bad "a file without a key was accepted"
else grep_in "a file without a key is refused, naming it" "$W/nokey.err" "$W/nokey.pem"; fi

# --- CSRs --------------------------------------------------------------------------------------
for t in ec-256 ec-384 ec-521 rsa-2048 rsa-4096; do
    [ -f "$W/$t.key" ] || continue
    if "$CT" csr "$W/$t.key" a.example '*.b.example' 192.0.2.7 2001:db8::1 > "$W/$t.csr" 2> "$W/check.out"; then
        check "$t: openssl req -verify accepts the CSR" openssl req -in "$W/$t.csr" -verify -noout
        openssl req -in "$W/$t.csr" -noout -text -nameopt RFC2253 > "$W/$t.csr.txt" 2>&1
        grep_in "$t: CSR shows CN and SANs" "$W/$t.csr.txt" 'Subject: CN=a\.example$' \
            'DNS:a\.example, DNS:\*\.b\.example, IP Address:192\.0\.2\.7, IP Address:2001:DB8:0:0:0:0:0:1'
        if grep -q 'TLS Feature' "$W/$t.csr.txt"; then bad "$t: TLS Feature without must-staple"; else ok "$t: no TLS Feature unless asked"; fi
    else
        bad "$t: csr failed: $(cat "$W/check.out")"
    fi
done
"$CT" csr "$W/ec-256.key" --must-staple --no-cn m.example n.example > "$W/ms.csr"
check "must-staple, no CN: openssl req -verify accepts the CSR" openssl req -in "$W/ms.csr" -verify -noout
openssl req -in "$W/ms.csr" -noout -text > "$W/ms.txt" 2>&1
grep_in "must-staple CSR has TLS Feature status_request and the SANs" "$W/ms.txt" 'TLS Feature' 'status_request' \
    'DNS:m\.example, DNS:n\.example' 'X509v3 Subject Alternative Name: critical'
if grep -q 'CN' "$W/ms.txt"; then bad "--no-cn CSR has a CN"; else ok "--no-cn CSR has no CN"; fi
"$CT" csr "$W/ec-256.key" 198.51.100.1 c.example > "$W/ip.csr"
openssl req -in "$W/ip.csr" -noout -text > "$W/ip.txt" 2>&1
if grep -q 'CN' "$W/ip.txt"; then bad "IP-first CSR has a CN"; else ok "IP-first CSR has no CN"; fi
check "IP-first CSR verifies" openssl req -in "$W/ip.csr" -verify -noout
names=$(for i in $(seq 1 101); do printf 'n%d.example ' "$i"; done)
# shellcheck disable=SC2086
if "$CT" csr "$W/ec-256.key" $names > /dev/null 2> "$W/lim.err"; then bad "101 names accepted"
else grep_in "101 names: an error naming CONFIG_MAX_NAMES" "$W/lim.err" 'CONFIG_MAX_NAMES'; fi

# --- certificates ------------------------------------------------------------------------------
"$CT" selfsign "$W/ec-256.key" 30 --cn self.example self.example 10.1.2.3 > "$W/self.pem"
check "self-signed leaf passes openssl verify -x509_strict" openssl verify -x509_strict -CAfile "$W/self.pem" "$W/self.pem"
openssl x509 -in "$W/self.pem" -noout -text > "$W/self.txt"
grep_in "self-signed leaf shows the extensions" "$W/self.txt" 'Version: 3' 'Subject: CN *= *self\.example' \
    'X509v3 Basic Constraints: critical' 'CA:FALSE' 'X509v3 Key Usage: critical' 'Digital Signature' \
    'TLS Web Server Authentication' 'X509v3 Subject Key Identifier' 'X509v3 Authority Key Identifier' \
    'DNS:self\.example, IP Address:10\.1\.2\.3' 'ecdsa-with-SHA256'
"$CT" selfsign "$W/ec-256.key" 30 nocn.example > "$W/nocn.pem"
check "self-signed without CN passes openssl verify" openssl verify -CAfile "$W/nocn.pem" "$W/nocn.pem"
openssl x509 -in "$W/nocn.pem" -noout -text > "$W/nocn.txt"
grep_in "certificate without CN has a critical SAN" "$W/nocn.txt" 'X509v3 Subject Alternative Name: critical' 'DNS:nocn\.example'

for ca in rsa-2048 ec-384; do
    for leaf in ec-256 rsa-2048 ec-521; do
        [ "$ca" = "$leaf" ] && continue
        "$CT" selfsign "$W/$ca.key" 365 --ca --cn "Test CA $ca" > "$W/ca-$ca.pem"
        "$CT" casign "$W/$ca.key" "$W/ca-$ca.pem" "$W/$leaf.key" 30 --cn leaf.example leaf.example > "$W/leaf-$ca-$leaf.pem"
        check "CA $ca signs $leaf: openssl verify -x509_strict" \
            openssl verify -x509_strict -CAfile "$W/ca-$ca.pem" "$W/leaf-$ca-$leaf.pem"
    done
    openssl x509 -in "$W/ca-$ca.pem" -noout -text > "$W/ca-$ca.txt"
    grep_in "CA $ca certificate: CA:TRUE and Certificate Sign" "$W/ca-$ca.txt" 'CA:TRUE' 'Certificate Sign'
done
openssl x509 -in "$W/leaf-ec-384-ec-256.pem" -noout -text > "$W/leaf.txt"
grep_in "CA-signed leaf: issuer, signature algorithm, SAN" "$W/leaf.txt" 'Issuer: CN *= *Test CA ec-384' \
    'ecdsa-with-SHA384' 'DNS:leaf\.example'
openssl x509 -in "$W/leaf-rsa-2048-ec-256.pem" -noout -text > "$W/leaf2.txt"
grep_in "RSA CA signs with sha256WithRSAEncryption" "$W/leaf2.txt" 'sha256WithRSAEncryption'
if openssl verify -CAfile "$W/ca-rsa-2048.pem" "$W/leaf-ec-384-ec-256.pem" > /dev/null 2>&1; then
    bad "a leaf verified against the wrong CA"
else
    ok "a leaf does not verify against the wrong CA"
fi

# --- JWS signatures ----------------------------------------------------------------------------
printf 'eyJhbGciOiJFUzI1NiIsIm5vbmNlIjoiYWJjIn0.eyJ0ZXN0Ijp0cnVlfQ' > "$W/msg"
printf 'eyJhbGciOiJFUzI1NiIsIm5vbmNlIjoiYWJjIn0.eyJ0ZXN0Ijp0cnVlfR' > "$W/msg2"
for t in ec-256 ec-384 ec-521 rsa-2048 rsa-4096; do
    [ -f "$W/$t.key" ] || continue
    openssl pkey -in "$W/$t.key" -pubout -out "$W/$t.pub" 2>/dev/null
    "$CT" sign "$W/$t.key" "$W/msg" > "$W/$t.sig"
    if [ "$(coord $t)" != 0 ]; then
        check "$t: raw signature is r||s of $((2 * $(coord $t))) bytes" python3 "$W/raw2der.py" "$W/$t.sig" "$(coord $t)"
        python3 "$W/raw2der.py" "$W/$t.sig" "$(coord $t)" > "$W/$t.sig.der" 2>/dev/null
    else
        cp "$W/$t.sig" "$W/$t.sig.der"
    fi
    check "$t: openssl dgst -verify accepts the JWS signature" \
        openssl dgst "$(dgst $t)" -verify "$W/$t.pub" -signature "$W/$t.sig.der" "$W/msg"
    if openssl dgst "$(dgst $t)" -verify "$W/$t.pub" -signature "$W/$t.sig.der" "$W/msg2" > /dev/null 2>&1; then
        bad "$t: signature verified for a different message"
    else
        ok "$t: signature does not verify for a different message"
    fi
done

# Flattened JWS: header members, payload, and the signature over protected.payload.
for t in ec-256 rsa-2048; do
    "$CT" jws "$W/$t.key" https://ca.example/acme/new-order nonce-XYZ '{"identifiers":[]}' > "$W/$t.jws"
    if python3 "$W/jws.py" "$W/$t.jws" "$W/$t.input" "$W/$t.jsig" > "$W/$t.hdr" 2>&1; then
        alg=RS256; [ $t = ec-256 ] && alg=ES256
        grep_in "$t: JWS header has alg, jwk, nonce, url and the payload" "$W/$t.hdr" "\"alg\": \"$alg\"" \
            '"jwk": \{' '"nonce": "nonce-XYZ"' '"url": "https://ca.example/acme/new-order"' \
            '^payload=\{"identifiers":\[\]\}$'
        if [ $t = ec-256 ]; then
            python3 "$W/raw2der.py" "$W/$t.jsig" 32 > "$W/$t.jsig.der"
        else
            cp "$W/$t.jsig" "$W/$t.jsig.der"
        fi
        check "$t: openssl verifies the flattened JWS signature" \
            openssl dgst -sha256 -verify "$W/$t.pub" -signature "$W/$t.jsig.der" "$W/$t.input"
    else
        bad "$t: JWS did not parse: $(cat "$W/$t.hdr")"
    fi
done
"$CT" jws "$W/ec-256.key" https://ca.example/acme/order/1 n1 '' https://ca.example/acme/acct/7 > "$W/pag.jws"
python3 "$W/jws.py" "$W/pag.jws" "$W/pag.input" "$W/pag.sig" > "$W/pag.hdr" 2>&1
grep_in "POST-as-GET JWS: kid, no jwk, empty payload" "$W/pag.hdr" '"kid": "https://ca.example/acme/acct/7"' '^payload=$'
if grep -q '"jwk"' "$W/pag.hdr"; then bad "kid JWS also carries a jwk"; else ok "kid JWS carries no jwk"; fi

finish
