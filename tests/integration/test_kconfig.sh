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
for d in configs/*defconfig; do
    if ./build.sh --config "$d" --out kconfig-test > "$W/ok.out" 2>&1; then ok "$d builds"; else
        bad "$d: $(tail -3 "$W/ok.out" | tr '\n' ' ')"; fi
done
finish
