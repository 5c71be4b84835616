#!/usr/bin/env bash
# Kconfig front door: unknown, out-of-range and inconsistent options fail ./build.sh with a
# message naming the file and the option; the shipped defconfigs are accepted.
set -u
ROOT=${ACME_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
W=$(mktemp -d)
trap 'rm -rf "$W" build/kconfig-test' EXIT
. "$ROOT/tests/integration/lib/check.sh"

# reject NAME CONTENT REGEX: the build must stop with exit 2 and a message matching REGEX.
reject() {
    printf '%b' "$2" > "$W/$1"
    ./build.sh --config "$W/$1" --out kconfig-test > "$W/$1.out" 2>&1
    local rc=$?
    if [ $rc = 2 ] && grep -Eq "$3" "$W/$1.out"; then ok "$1: rejected (exit 2) naming it"; else
        bad "$1: exit $rc, output: $(tail -3 "$W/$1.out" | tr '\n' ' ')"; fi
}
reject unknown 'CONFIG_TLS_BEARSSL=y\nCONFIG_BOGUS=y\n' "$W/unknown.*undefined symbol BOGUS"
reject range 'CONFIG_ARENA_SIZE=100\n' "CONFIG_ARENA_SIZE=100 is outside its range 16384\.\.16777216"
reject both-tls 'CONFIG_TLS_BEARSSL=y\nCONFIG_TLS_MBEDTLS=y\n' "CONFIG_TLS_BEARSSL=y is inconsistent"
reject arena-vs-body 'CONFIG_ARENA_SIZE=16384\nCONFIG_HTTP_BODY_MAX=65536\n' "ARENA_SIZE must be at least twice"
# Features a vendor can leave out (default y): the build works, the binary is smaller, and a
# key or command that needs the feature is refused (exit 2) with a message naming its option.
textsize() { size "$1" 2>/dev/null | awk 'NR == 2 { print $1 + $2 }'; }
./build.sh --out kconfig-test > "$W/full.out" 2>&1 || bad "defconfig: $(tail -3 "$W/full.out" | tr '\n' ' ')"
full=$(textsize build/kconfig-test/acme)
printf 'domains = a.example\nstate_dir = %s/state\n' "$W" > "$W/a.conf"
printf 'domains = a.example\nchallenge = dns-01\ndns_hook = /bin/true\n' > "$W/dns.conf"
# refused OPTION WHAT REGEX CONF ARGS...: the feature-less binary exits 2 naming OPTION
refused() {
    local opt=$1 what=$2 re=$3 conf=$4; shift 4
    build/kconfig-test/acme -c "$conf" "$@" > "$W/run.out" 2>&1
    local rc=$?
    if [ $rc = 2 ] && grep -Eq -e "$re" "$W/run.out"; then ok "$opt off: $what refused (exit 2) naming it"; else
        bad "$opt off: $what: exit $rc, output: $(head -3 "$W/run.out" | tr '\n' ' ')"; fi
}
without() {
    printf '# CONFIG_%s is not set\n' "$1" > "$W/no_$1"
    if ./build.sh --config "$W/no_$1" --out kconfig-test > "$W/no_$1.out" 2>&1; then
        local s; s=$(textsize build/kconfig-test/acme)
        if [ -n "$full" ] && [ -n "$s" ] && [ "$s" -lt "$full" ]; then ok "without CONFIG_$1: builds, $((full - s)) bytes smaller"; else
            bad "without CONFIG_$1: not smaller ($s vs $full bytes)"; fi
    else
        bad "without CONFIG_$1: $(tail -3 "$W/no_$1.out" | tr '\n' ' ')"
    fi
}
# the control: the default build takes them (status: exit 1, no certificate yet)
build/kconfig-test/acme -c "$W/dns.conf" -o selfsign_fallback=yes status > "$W/run.out" 2>&1
rc=$?; if [ $rc = 1 ]; then ok "defconfig: dns-01, dns_hook and selfsign_fallback accepted"; else
    bad "defconfig: dns.conf status: exit $rc: $(head -3 "$W/run.out" | tr '\n' ' ')"; fi
without DNS01_HOOK
refused DNS01_HOOK "challenge = dns-01" "dns\.conf:2: challenge: dns-01: this acme was built without the DNS-01 hook \(CONFIG_DNS01_HOOK\)" "$W/dns.conf" status
refused DNS01_HOOK "dns_hook" "^acme: error: -o dns_hook: this acme was built without the DNS-01 hook \(CONFIG_DNS01_HOOK\)" "$W/a.conf" -o dns_hook=/bin/true status
without SELFSIGN
refused SELFSIGN "acme selfsign" "selfsign: this acme was built without self-signed certificates \(CONFIG_SELFSIGN\)" "$W/a.conf" selfsign
refused SELFSIGN "selfsign_fallback = yes" "^acme: error: -o selfsign_fallback: this acme was built without self-signed certificates \(CONFIG_SELFSIGN\)" "$W/a.conf" -o selfsign_fallback=yes status
[ ! -e "$W/state/key.pem" ] || bad "SELFSIGN off: acme selfsign still wrote $W/state/key.pem"

for d in configs/*defconfig; do
    if ./build.sh --config "$d" --out kconfig-test > "$W/ok.out" 2>&1; then ok "$d builds"; else
        bad "$d: $(tail -3 "$W/ok.out" | tr '\n' ' ')"; fi
done
finish
