#!/usr/bin/env bash
# platform/buildroot/autoconf.sh (Kconfig without kconfiglib, for the OpenWrt and Buildroot
# packages) must produce the same autoconf.h as ./build.sh's kconfiglib for every defconfig
# in configs/ and some variants, under busybox awk too, and must refuse what ./build.sh
# refuses (unknown symbols, out-of-range values).
#
# Environment: ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 1
. "$ROOT/tests/integration/lib/check.sh"
W=$(mktemp -d /tmp/acme-autoconf-test.XXXXXX)
trap 'rm -rf "$W"' EXIT
. ci/lib.sh

# Some variants besides the shipped defconfigs.
printf '# CONFIG_BUILTIN_TRUST_ANCHORS is not set\n# CONFIG_RSA is not set\n' > "$W/small_defconfig"
printf 'CONFIG_TLS_MBEDTLS=y\nCONFIG_ARENA_SIZE=131072\nCONFIG_TRUST_ANCHORS_PEM="/a.pem /b.pem"\n' > "$W/mixed_defconfig"
printf '# CONFIG_HTTP01_RESPONDER is not set\nCONFIG_MAX_NAMES=10\n' > "$W/nohttp_defconfig"

AWKS=(default)
if command -v busybox >/dev/null && busybox awk 'BEGIN{}' 2>/dev/null; then
    mkdir -p "$W/bb" && ln -s "$(command -v busybox)" "$W/bb/awk" && AWKS+=(busybox)
fi
for c in configs/*defconfig "$W"/*_defconfig; do
    n=${c##*/}
    if ! (kconfig_gen "$c" "$W/kc-$n") > "$W/kc.log" 2>&1; then
        bad "$n: kconfiglib rejected it: $(tail -1 "$W/kc.log")"; continue
    fi
    for a in "${AWKS[@]}"; do
        p=$PATH; [ "$a" = busybox ] && p=$W/bb:$PATH
        if ! PATH=$p sh platform/buildroot/autoconf.sh Kconfig "$c" "$W/ac-$n-$a" > "$W/ac.log" 2>&1; then
            bad "$n ($a awk): autoconf.sh failed: $(tail -1 "$W/ac.log")"; continue
        fi
        if diff <(grep -v '^/\*' "$W/ac-$n-$a/autoconf.h") <(grep -v '^/\*' "$W/kc-$n/autoconf.h") > "$W/diff" &&
            [ -s "$W/kc-$n/autoconf.h" ]; then
            ok "$n ($a awk): autoconf.h is the same as kconfiglib's"
        else
            bad "$n ($a awk): autoconf.h differs:"; sed 's/^/    /' "$W/diff"
        fi
        # the .config lines ci/gen and build_variant read
        for s in CONFIG_TLS_MBEDTLS CONFIG_BUILTIN_TRUST_ANCHORS; do
            if [ "$(grep -x "$s=y" "$W/ac-$n-$a/.config")" != "$(grep -x "$s=y" "$W/kc-$n/.config")" ]; then
                bad "$n ($a awk): .config disagrees on $s"
            fi
        done
    done
done

# Expressions acme.c's Kconfig may grow: conditional defaults, ||, parentheses, =, !=.
X=$W/expr
mkdir -p "$X"
cat > "$X/Kconfig" <<'KC'
mainmenu "expressions"
config A
	bool "a"
	default y
config B
	bool "b"
config C
	bool "c"
	default y if A && !B
	default n
config D
	int "d"
	depends on (A || B) && !(C = n)
	default 5 if B
	default 7
config E
	string "e"
	depends on B || !A
	default "x"
config F
	bool "f"
	default y
	depends on A
	depends on C != y || B
KC
i=0
for dc in "" "CONFIG_B=y" "# CONFIG_A is not set" $'CONFIG_B=y\n# CONFIG_C is not set'; do
    i=$((i + 1))
    printf '%s\n' "$dc" > "$X/dc$i"
    if (cd "$X" && kconfig_gen "dc$i" "kc$i") > /dev/null 2>&1 &&
        (cd "$X" && sh "$ROOT/platform/buildroot/autoconf.sh" Kconfig "dc$i" "ac$i") > "$W/ac.log" 2>&1 &&
        diff <(grep -v '^/\*' "$X/ac$i/autoconf.h") <(grep -v '^/\*' "$X/kc$i/autoconf.h") > "$W/diff"; then
        ok "expressions, defconfig $i: same as kconfiglib"
    else
        bad "expressions, defconfig $i: $(cat "$W/ac.log" "$W/diff" 2>/dev/null | tr '\n' ' ')"
    fi
done

expect_refused() { # NAME DEFCONFIG-TEXT MESSAGE-PATTERN
    printf '%s\n' "$2" > "$W/bad"
    if sh platform/buildroot/autoconf.sh Kconfig "$W/bad" "$W/bad-out" > "$W/bad.log" 2>&1; then
        bad "$1: accepted"
    elif grep -q "$3" "$W/bad.log"; then
        ok "$1: refused ($(head -1 "$W/bad.log"))"
    else
        bad "$1: refused without naming the problem: $(cat "$W/bad.log")"
    fi
}
expect_refused "unknown symbol" "CONFIG_NO_SUCH_OPTION=y" "unknown symbol CONFIG_NO_SUCH_OPTION"
expect_refused "out of range" "CONFIG_ARENA_SIZE=5" "out of range"
expect_refused "not a number" "CONFIG_MAX_NAMES=lots" "not a number"
expect_refused "bad bool" "CONFIG_RSA=maybe" "not y or n"
expect_refused "dependency" $'# CONFIG_BUILTIN_TRUST_ANCHORS is not set\nCONFIG_TRUST_ANCHORS_PEM="/x.pem"' "inconsistent"

finish
