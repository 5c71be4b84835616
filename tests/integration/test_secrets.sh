#!/usr/bin/env bash
# No secret in any output (issue 8): a full issuance with -vvv against a Pebble that requires
# External Account Binding, a forced renewal, the `challenges`-free paths, and a run with a
# wrong EAB key; the whole output (stdout + stderr) is searched for every private key in
# state_dir (each PEM body line, and the DER in hex), the EAB MAC key (base64url, base64,
# hex) and the key authorization of every token seen (token "." account thumbprint).
#
# Environment: ACME_BIN (default build/host/acme), ACME_TOOLS (default: tools/ next to the
# binary, for cryptotool), ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
TOOLS=${ACME_TOOLS:-$(dirname "$BIN")/tools}
. "$ROOT/tests/integration/lib/check.sh"

for c in pebble pebble-challtestsrv openssl python3; do
    command -v $c >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$TOOLS/cryptotool" ] || { echo "no cryptotool in $TOOLS"; echo "0 passed, 1 failed"; exit 1; }
. "$ROOT/tests/integration/lib/pebble.sh"

W=$(mktemp -d /tmp/acme-secrets-test.XXXXXX)
cleanup() { pebble_stop; rm -rf "$W"; }
trap cleanup EXIT

pebble_start --eab || { echo "pebble did not start"; echo "0 passed, 1 failed"; exit 1; }
conf() { # NAME HMAC [lines...]
    local n=$1 key=$2; shift 2
    {
        echo "directory = $PEBBLE_DIR_URL"
        echo "email = admin@example.org"
        echo "agree_tos = yes"
        echo "ca_file = $PEBBLE_CA_FILE"
        echo "state_dir = $W/$n"
        echo "http_listen = 127.0.0.1:$PEBBLE_HTTP_PORT"
        echo "domains = secret1.example.org secret2.example.org"
        echo "eab_kid = $PEBBLE_EAB_KID"
        echo "eab_hmac_key = $key"
        echo "timeout = 20"
        local l; for l in "$@"; do echo "$l"; done
    } > "$W/$n.conf"
}

# The secrets of one state_dir and EAB key, one per line, into FILE.
secrets() { # STATE_DIR HMAC FILE OUTPUT...
    local dir=$1 key=$2 out=$3 f tp; shift 3
    : > "$out"
    while IFS= read -r f; do
        # every base64 line of the PEM body (the BEGIN/END lines are public)
        grep -v -- '-----' "$f" | awk 'length($0) >= 16' >> "$out"
        # the DER in hex, in 32-digit pieces, both cases
        openssl pkey -in "$f" -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n' |
            fold -w 32 | awk 'length($0) == 32 { print; print toupper($0) }' >> "$out"
    done < <(grep -rl 'PRIVATE KEY' "$dir" 2>/dev/null)
    # the EAB MAC key: as configured, as standard base64, and decoded (hex, both cases)
    echo "$key" >> "$out"
    python3 - "$key" >> "$out" <<'PY'
import base64, sys
k = sys.argv[1]; raw = base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))
print(base64.b64encode(raw).decode().rstrip("="))
h = raw.hex()
for i in range(0, len(h) - 31, 16):
    print(h[i:i + 32]); print(h[i:i + 32].upper())
PY
    # key authorizations of every token any output mentions
    if [ -f "$dir/account.key" ] && tp=$("$TOOLS/cryptotool" thumbprint "$dir/account.key" 2>/dev/null); then
        grep -ohE 'acme-challenge/[A-Za-z0-9_-]{16,}|"token": *"[A-Za-z0-9_-]+"' "$@" $(pebble_logs_file) 2>/dev/null |
            grep -oE '[A-Za-z0-9_-]{16,}' | sort -u | sed "s/\$/.$tp/" >> "$out"
        echo "$tp" > "$W/thumbprint"
    fi
}
pebble_logs_file() { ls "$PEBBLE_WORK"/*.log 2>/dev/null; }

# leaks OUTPUT SECRETS: the secrets found in OUTPUT (none: returns 1)
leaks() { grep -F -f "$2" "$1" | head -5; }

# 1. A full issuance with EAB and -vvv, then a forced renewal (the account exists now).
conf a "$PEBBLE_EAB_HMAC_KEY"
timeout 120 "$BIN" -vvv -c "$W/a.conf" > "$W/a1.out" 2>&1; rc=$?
[ $rc -eq 0 ] && [ -s "$W/a/cert.pem" ] && ok "issuance with EAB at -vvv (exit 0)" || { bad "issuance: exit $rc"; tail -20 "$W/a1.out"; }
timeout 120 "$BIN" -vvv -f -c "$W/a.conf" > "$W/a2.out" 2>&1; rc=$?
[ $rc -eq 0 ] && ok "forced renewal at -vvv (exit 0)" || { bad "renewal: exit $rc"; tail -20 "$W/a2.out"; }
"$BIN" -vvv -c "$W/a.conf" status > "$W/a3.out" 2>&1
cat "$W/a1.out" "$W/a2.out" "$W/a3.out" > "$W/all.out"
secrets "$W/a" "$PEBBLE_EAB_HMAC_KEY" "$W/a.secrets" "$W/all.out"
nkeys=$(grep -rl 'PRIVATE KEY' "$W/a" | wc -l)
nka=$(grep -c "\.$(cat "$W/thumbprint" 2>/dev/null)\$" "$W/a.secrets")
echo "    searched $(wc -l < "$W/all.out") output lines for $(wc -l < "$W/a.secrets") secret strings: $nkeys private key file(s), the EAB key, $nka key authorization(s)"
[ "$nkeys" -ge 3 ] && ok "the search covers $nkeys private keys (account, certificate keys)" || bad "only $nkeys private key files found"
[ "$nka" -ge 2 ] && ok "the search covers $nka key authorizations" || bad "only $nka key authorizations to look for"
grep -q "POST" "$W/all.out" && ok "the output is verbose (-vvv shows the requests)" || bad "-vvv output without requests"
l=$(leaks "$W/all.out" "$W/a.secrets")
[ -z "$l" ] && ok "no private key, EAB key or key authorization in the -vvv output" || { bad "secrets in the output:"; echo "$l" | cut -c1-120 | sed 's/^/    | /'; }

# 2. A wrong EAB key: refused by the CA, and neither key appears.
WRONG=b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH
conf b "$WRONG"
timeout 120 "$BIN" -vvv -c "$W/b.conf" > "$W/b.out" 2>&1; rc=$?
[ $rc -ne 0 ] && ok "a wrong EAB key fails (exit $rc)" || bad "a wrong EAB key succeeded"
secrets "$W/b" "$WRONG" "$W/b.secrets" "$W/b.out"
secrets "$W/b" "$PEBBLE_EAB_HMAC_KEY" "$W/b2.secrets" "$W/b.out"
cat "$W/b2.secrets" >> "$W/b.secrets"
l=$(leaks "$W/b.out" "$W/b.secrets")
[ -z "$l" ] && ok "no secret in the output of the failing run ($(wc -l < "$W/b.secrets") strings)" || { bad "secrets in the failing run's output:"; echo "$l" | cut -c1-120 | sed 's/^/    | /'; }
finish
