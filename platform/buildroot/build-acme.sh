#!/bin/sh
# Builds acme.c with a firmware build system's cross toolchain: the static BearSSL library from
# a BearSSL source tree, the Kconfig header, the generated sources, then the binary. Used by
# the Buildroot package (acme.mk) and the OpenWrt package (platform/openwrt/Makefile), which
# pass their compiler and flags; needs make, awk, bash and python3 on the build host (both
# systems require them), not python3-kconfiglib.
#
#   CC=... AR=... CFLAGS=... LDFLAGS=... \
#   platform/buildroot/build-acme.sh ACME_SRC BEARSSL_SRC OUT [DEFCONFIG]
#
# ACME_SRC: the acme.c tree; BEARSSL_SRC: an unpacked BearSSL release (bearssl-0.6); OUT: the
# build directory (the binary is OUT/acme, not stripped); DEFCONFIG: default
# ACME_SRC/configs/defconfig. MAKE (a command, possibly with options, such as Buildroot's
# "make -j1") and JOBS are honoured.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 ACME_SRC BEARSSL_SRC OUT [DEFCONFIG]" >&2; exit 2; }
src=$(cd "$1" && pwd)
bearssl=$(cd "$2" && pwd)
mkdir -p "$3"
out=$(cd "$3" && pwd)
defconfig=${4:-$src/configs/defconfig}
: "${CC:=cc}" "${AR:=ar}" "${CFLAGS:=-Os}" "${LDFLAGS:=}" "${MAKE:=make}" "${JOBS:=1}"

# BearSSL: only the static library, with the target compiler and flags.
if [ ! -f "$out/bearssl/libbearssl.a" ]; then
	# shellcheck disable=SC2086 # MAKE may carry options
	$MAKE -C "$bearssl" -j"$JOBS" lib CONF=Unix BUILD="$out/bearssl" CC="$CC" AR="$AR" \
		CFLAGS="-W -Wall $CFLAGS"
fi

# Kconfig -> OUT/.config and OUT/autoconf.h; then OUT/gen/*.c.
sh "$src/platform/buildroot/autoconf.sh" "$src/Kconfig" "$defconfig" "$out"
if grep -qx "CONFIG_TLS_MBEDTLS=y" "$out/.config"; then
	echo "build-acme.sh: $defconfig selects mbedTLS; this script builds the BearSSL transport" >&2
	exit 1
fi
mkdir -p "$out/gen"
for g in "$src"/ci/gen/*.sh; do
	[ -f "$g" ] || continue
	(cd "$src" && bash "$g" "$out")
done

# The project's warnings stay on, but not -Werror: a newer compiler than the one CI uses must
# not break a firmware build.
cd "$src"
# shellcheck disable=SC2086 # MAKE may carry options
$MAKE -j"$JOBS" -f ci/acme.mk OUT="$out" CC="$CC" AR="$AR" MBEDTLS=n \
	CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra $CFLAGS -I$bearssl/inc" \
	LDFLAGS="$LDFLAGS" LIBS="$out/bearssl/libbearssl.a" bin
echo "built $out/acme"
