#!/usr/bin/env bash
# Builds the third-party libraries a static cross target needs into vendor/sysroot/TARGET/.
#
#   vendor/build.sh [--quiet] [--mbedtls] [--mips16] TARGET   build what is missing or out of date
#   vendor/build.sh --env [--mips16] TARGET                    print the CROSS_* shell assignments
#
# TARGET: x86_64 mipsel mips armhf aarch64, or host (gcc + glibc; BearSSL only, for the size
# comparison in tests/bench/size.sh). Per target, each component has its own folder and a
# .stamp holding what it was built from (version + compiler + flags); a component whose stamp
# differs is rebuilt, anything else is reused:
#   musl/     musl 1.2.3 built -Os with printf without floating point, and a musl-gcc wrapper;
#             mips, mipsel: -msoft-float (router SoCs have no FPU) with libsoftfp.a
#             (libgcc/soft-fp) linked before libgcc.a
#   bearssl/  include/ + lib/libbearssl.a (bearssl-mips16/ with --mips16)
#   cmocka/   include/ + lib/libcmocka.a (src/cmocka.c, no cmake)
#   mbedtls/  include/ + lib/libmbed{tls,x509,crypto}.a (only with --mbedtls)
# --mips16 (mips, mipsel; ignored elsewhere): BearSSL and CROSS_CFLAGS generate MIPS16e code
# (CONFIG_MIPS16); musl, mbedTLS and cmocka stay MIPS32 (interlinked).
# Logs go to vendor/sysroot/TARGET/logs/; --quiet prints nothing unless a step fails.
set -euo pipefail
VENDOR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$VENDOR/src
SYSROOT=$VENDOR/sysroot
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

fail() { echo "vendor/build.sh: error: $*" >&2; exit 1; }

# Size-oriented code generation for everything linked into the router binaries.
SMALL_CFLAGS="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie"
# -z norelro and a small common page size: a static musl binary applies no RELRO anyway, and
# without them the data segment starts on a new 4 KiB page in the file (1-3 KiB of padding).
# --sort-section=alignment: input sections by alignment, less padding between them.
SMALL_LDFLAGS="-static -no-pie -Wl,--gc-sections -Wl,--sort-section=alignment -Wl,--build-id=none -Wl,-z,noseparate-code
 -Wl,-z,norelro -Wl,-z,common-page-size=16 -s"
SMALL_LDFLAGS=${SMALL_LDFLAGS//$'\n'/}
# acme.c's own code only (not BearSSL, whose speed matters): measured -4 KiB on x86_64, -2 KiB
# armhf, about 0 on mipsel (MIPS16e); no effect on behaviour. max-inline-insns-auto=5: a
# function not declared inline is inlined only when it is tiny (or called once); functions
# declared inline keep -Oz's limit (against -finline-limit=10, which lowered both limits and
# left small inline helpers out of line: -190 B x86_64, -150 B armhf, -240 B mipsel).
OWN_CFLAGS="-Oz -fno-optimize-sibling-calls -fno-jump-tables --param=max-inline-insns-auto=5"
# Link-time optimisation of acme.c and BearSSL together in the static binaries (measured: armhf
# -4.2 KiB, x86_64 -4.8 KiB): calls across files inline, unused arguments and branches go.
# Fat objects also hold ordinary code, which the unit tests link without LTO (much faster).
LTO_CFLAGS="-flto=auto -ffat-lto-objects"
# ... and when linking the program: one partition, so that the whole program is compiled as
# one unit (-700 B x86_64, -50 B armhf, -130 B mipsel; link in one process, a few seconds).
LTO_BIN_LDFLAGS="-flto-partition=one"
# The config.h macros cmocka.c tests for; all hold on musl and glibc.
CMOCKA_DEFS="-DHAVE_SIGNAL_H -DHAVE_STRINGS_H -DHAVE_INTTYPES_H -DHAVE_SIGLONGJMP -DHAVE_STRSIGNAL
 -DHAVE_STRUCT_TIMESPEC -DHAVE_CLOCK_REALTIME -DHAVE_GCC_THREAD_LOCAL_STORAGE"
SOFTFP_FUNCS="addsf3 subsf3 mulsf3 divsf3 negsf2 eqsf2 gesf2 lesf2 unordsf2 adddf3 subdf3 muldf3
 divdf3 negdf2 eqdf2 gedf2 ledf2 unorddf2 extendsfdf2 truncdfsf2 fixsfsi fixsfdi fixunssfsi
 fixunssfdi fixdfsi fixdfdi fixunsdfsi fixunsdfdi floatsisf floatdisf floatunsisf floatundisf
 floatsidf floatdidf floatunsidf floatundidf"

# Target table: sets CC AR STRIP OBJDUMP NM QEMU TFLAGS (extra code-generation flags),
# TLDFLAGS (extra link flags), PROGFLAGS (extra flags for the program's own objects and its
# link only, not for the tests and tools built against them), CMOCKA_EXTRA (macros cmocka.h
# needs), MUSL_SRC (y: own musl).
target_info() {
    local pfx=""
    TFLAGS="" TLDFLAGS="" PROGFLAGS="" MUSL_SRC=y SOFTFLOAT=n QEMU="" FLAV="" LTO=y
    # cmocka 1.1.5's cmocka.h typedefs uintptr_t itself unless told it exists (musl)
    CMOCKA_EXTRA="-D_UINTPTR_T_DEFINED"
    case "$1" in
    x86_64) pfx=x86_64-linux-gnu-
        # arrays get the psABI's alignment (16 bytes), not 32 from 32 bytes up: less padding
        # between the tables of acme.c, BearSSL and musl (-0.6 KiB)
        TFLAGS="-malign-data=abi"
        # acme.c is integer code: without SSE registers its varargs functions (log, err_set,
        # fmt) no longer save XMM registers in their prologues (measured -830 B). The test tools
        # use double, so the flag stays out of their objects.
        PROGFLAGS="-mgeneral-regs-only" ;;
    mipsel|mips)
        pfx=$1-linux-gnu-; SOFTFLOAT=y
        # -mplt: a static executable needs no PIC; with it, calls and data go direct instead of
        # through the GOT (same abicalls ABI, so it links with Debian's libgcc.a): ~10% smaller.
        TFLAGS="-msoft-float -mplt"; QEMU="qemu-$1 -cpu 24Kc"  # 24Kc: MIPS32r2 without FPU
        # platform/runtime_div.c replaces libgcc's 64-bit division (4.6 KiB); -u loads it from
        # libacme.a up front, as nothing refers to it before link-time optimisation is done.
        TLDFLAGS="-Wl,-u,__divdi3 -Wl,-u,__udivdi3 -Wl,-u,__moddi3 -Wl,-u,__umoddi3" ;;
    armhf) pfx=arm-linux-gnueabihf-; QEMU=qemu-arm
        # platform/runtime_div.c replaces libgcc's 32-bit division helpers (as for mips above)
        TLDFLAGS="-Wl,-u,__aeabi_uidiv -Wl,-u,__aeabi_uidivmod -Wl,-u,__aeabi_idiv -Wl,-u,__aeabi_idivmod" ;;
    aarch64)
        pfx=aarch64-linux-gnu-; QEMU=qemu-aarch64
        # binutils default to 64 KiB pages for aarch64 (file padding); routers use 4 KiB
        TLDFLAGS="-Wl,-z,max-page-size=4096"
        # ... and cmocka.h guesses __WORDSIZE=32 when the libc does not define it
        CMOCKA_EXTRA="$CMOCKA_EXTRA -D__WORDSIZE=64" ;;
    host) CC=gcc; CMOCKA_EXTRA="" MUSL_SRC=n LTO=""
        TFLAGS="-fPIE" ;; # like the host build: Debian's gcc links PIE by default
    *) fail "unknown target '$1' (x86_64 mipsel mips armhf aarch64 host)" ;;
    esac
    AR=${pfx}ar STRIP=${pfx}strip OBJDUMP=${pfx}objdump NM=${pfx}nm GCC=${pfx}gcc
    [ "$MUSL_SRC" = y ] && CC=$SYSROOT/$1/musl/bin/musl-gcc
    # code flags for acme.c and the TLS libraries (TFLAGS alone: musl, cmocka)
    CODEFLAGS="$TFLAGS${LTO:+ $LTO_CFLAGS}"
    if [ "$MIPS16" = y ] && [ "$SOFTFLOAT" = y ]; then # mips, mipsel
        CODEFLAGS="$CODEFLAGS -mips16 -minterlink-mips16"; FLAV=-mips16
    fi
}

# up_to_date DIR KEY: DIR/.stamp says DIR was built from KEY.
up_to_date() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }

# run LOGNAME CMD...: runs CMD with its output in the log; on failure shows the log's tail.
run() {
    local log=$LOGS/$1.log; shift
    if ! "$@" >>"$log" 2>&1; then
        echo "vendor/build.sh: $T: failed: $*" >&2
        tail -n 40 "$log" | sed 's/^/    | /' >&2
        fail "$T: see $log"
    fi
}

say() { [ "$QUIET" = y ] || echo "vendor: $T: $*"; }

# shellcheck disable=SC1090 # recipes are found at run time
recipe_version() { (. "$VENDOR/$1.recipe"; echo "$PKG $VERSION"); }
# shellcheck disable=SC1090
recipe_dir() { (. "$VENDOR/$1.recipe"; echo "$SRC/$DIR"); }

build_musl() {
    local D=$SYSROOT/$T/musl musl_src key
    musl_src=$(recipe_dir musl)
    key="$(recipe_version musl) $(recipe_version gcc-softfp) cc=$GCC $TFLAGS -Os softfloat=$SOFTFLOAT softfp=$(echo "$SOFTFP_FUNCS" | cksum) libgcc-sf=2 printf-nofloat=1 prefix=$D"
    up_to_date "$D" "$key" && return 0
    bash "$VENDOR/fetch.sh" musl gcc-softfp >/dev/null
    say "building musl$([ "$SOFTFLOAT" = y ] && echo " (soft-float)") ..."
    local B=$SYSROOT/$T/.build-musl
    rm -rf "$D" "$B"; mkdir -p "$B" "$LOGS"; : > "$LOGS/musl.log"
    # printf without floating point: acme.c formats no float, and musl's vfprintf otherwise
    # links fmt_fp() and, soft-float, ~11 KiB of libgcc soft-fp arithmetic (%e %f %g %a now
    # fail with EINVAL). Patched in a copy of the source tree.
    cp -a "$musl_src" "$B/src"; musl_src=$B/src
    local vf=$musl_src/src/stdio/vfprintf.c
    grep -q '^			l = fmt_fp(f, arg.f, w, p, fl, t);$' "$vf" || fail "$T: musl vfprintf.c: fmt_fp call not found"
    sed -i -e 's/^			l = fmt_fp(f, arg.f, w, p, fl, t);$/			goto inval; \/\* acme.c: no floating point \*\//' \
        -e 's/^static int fmt_fp(/static __attribute__((unused)) int fmt_fp(/' "$vf"
    grep -q 'acme.c: no floating point' "$vf" || fail "$T: could not patch musl vfprintf.c"
    (cd "$B" && run musl "$musl_src/configure" --target="${GCC%-gcc}" CROSS_COMPILE="${GCC%gcc}" \
        CC="$GCC $TFLAGS" CFLAGS="-Os" --prefix="$D" --syslibdir="$D/lib" \
        --disable-shared --enable-wrapper=gcc)
    if [ "$SOFTFLOAT" = y ]; then
        grep -q '^SUBARCH = .*sf' "$B/config.mak" || fail "$T: musl did not configure as soft-float"
    fi
    run musl make -C "$B" -j"$JOBS"
    run musl make -C "$B" install
    [ "$SOFTFLOAT" = y ] && build_softfp "$D" "$B"
    # musl's own wrapper quotes "CC -msoft-float" as one word: write a working one
    printf '#!/bin/sh\nexec %s %s "$@" -specs "%s"\n' "$GCC" "$TFLAGS" "$D/lib/musl-gcc.specs" \
        > "$D/bin/musl-gcc"
    chmod +x "$D/bin/musl-gcc"
    rm -rf "$B"
    echo "$key" > "$D/.stamp"
}

# build_softfp D B: libsoftfp.a and FPU-free copies of libgcc for a soft-float musl in D.
build_softfp() {
    local D=$1 B=$2
    # Soft-float code calls __adddf3 & co.; Debian's cross libgcc.a has hard-float versions
    # of them (FPU instructions, wrong ABI). Build them from libgcc/soft-fp instead.
    local G O f
    G=$(recipe_dir gcc-softfp)/libgcc; O=$B/softfp; mkdir -p "$O"
    for f in $SOFTFP_FUNCS; do echo "$f"; done |
        xargs -P "$JOBS" -I{} "$GCC" $TFLAGS -Os -fno-pie -ffunction-sections \
            -I"$G/config/mips" -I"$G/soft-fp" -I"$G" -I"$G/../include" -c "$G/soft-fp/{}.c" -o "$O/{}.o" \
            >>"$LOGS/musl.log" 2>&1 || { tail -n 40 "$LOGS/musl.log" >&2; fail "$T: soft-fp build failed"; }
    run musl "$AR" rcs "$D/lib/libsoftfp.a" "$O"/*.o
    # Soft-float copies of gcc's libgcc.a, libgcc_eh.a and crt files: members that use FPU
    # registers are removed (a soft-float program that needs one fails to link instead of
    # getting FPU code), and the float-ABI tags are dropped from the rest (integer-only code)
    # so that ld does not warn about mixing hard- and soft-float objects on every link.
    local gdir m
    gdir=$(dirname "$("$GCC" -print-libgcc-file-name)")
    mkdir -p "$D/lib/gcc"
    for f in libgcc.a libgcc_eh.a crtbeginS.o crtendS.o; do
        cp "$gdir/$f" "$D/lib/gcc/$f"
        case "$f" in
        *.a) m=$("$OBJDUMP" -d "$D/lib/gcc/$f" | awk '/^[^ ].*:[ \t]+file format/ { m = $1; sub(/:$/, "", m) }
                 /\$f([0-9]|[12][0-9]|3[01])([^0-9]|$)/ { print m }' | sort -u)
             # shellcheck disable=SC2086
             [ -z "$m" ] || run musl "$AR" d "$D/lib/gcc/$f" $m ;;
        esac
        run musl "${GCC%gcc}objcopy" -R .gnu.attributes -R .MIPS.abiflags "$D/lib/gcc/$f"
    done
    # libsoftfp.a goes before libgcc.a wherever the specs link libgcc
    sed -i -e "s#^libgcc.a%s#$D/lib/libsoftfp.a $D/lib/gcc/libgcc.a#" \
        -e "s#libgcc_eh.a%s#$D/lib/gcc/libgcc_eh.a#" -e "s#crtbeginS.o%s#$D/lib/gcc/crtbeginS.o#" \
        -e "s#crtendS.o%s#$D/lib/gcc/crtendS.o#" "$D/lib/musl-gcc.specs"
    grep -q libsoftfp.a "$D/lib/musl-gcc.specs" || fail "$T: could not add libsoftfp.a to the specs"
    ! grep -q '%s' <(grep -A1 -E '^\*(libgcc|startfile|endfile):' "$D/lib/musl-gcc.specs") ||
        fail "$T: specs still refer to gcc's hard-float libgcc/crt files"
}

# Stamps of libraries built with our own musl include the musl stamp: a new musl rebuilds them.
libc_key() { if [ "$MUSL_SRC" = y ]; then cat "$SYSROOT/$T/musl/.stamp"; else "$CC" -dumpversion; fi; }

build_bearssl() {
    local D=$SYSROOT/$T/bearssl$FLAV src key
    src=$(recipe_dir bearssl)
    key="$(recipe_version bearssl) cc=$CC $SMALL_CFLAGS $CODEFLAGS libc=$(libc_key)"
    up_to_date "$D" "$key" && return 0
    bash "$VENDOR/fetch.sh" bearssl >/dev/null
    say "building BearSSL$FLAV ..."
    local B=$SYSROOT/$T/.build-bearssl$FLAV
    rm -rf "$D" "$B"; mkdir -p "$D/lib" "$D/include" "$LOGS"; : > "$LOGS/bearssl.log"
    # BearSSL's Makefile takes everything on the command line; only the static library is built.
    run bearssl make -C "$src" -j"$JOBS" lib CONF=Unix BUILD="$B" CC="$CC" AR="$AR" \
        CFLAGS="-W -Wall $SMALL_CFLAGS $CODEFLAGS"
    cp "$B/libbearssl.a" "$D/lib/"
    cp "$src"/inc/*.h "$D/include/"
    rm -rf "$B"
    echo "$key" > "$D/.stamp"
}

build_cmocka() {
    local D=$SYSROOT/$T/cmocka src key
    src=$(recipe_dir cmocka)
    key="$(recipe_version cmocka) cc=$CC $SMALL_CFLAGS $TFLAGS $CMOCKA_DEFS $CMOCKA_EXTRA libc=$(libc_key)"
    up_to_date "$D" "$key" && return 0
    bash "$VENDOR/fetch.sh" cmocka >/dev/null
    say "building cmocka ..."
    rm -rf "$D"; mkdir -p "$D/lib" "$D/include" "$LOGS"; : > "$LOGS/cmocka.log"
    # shellcheck disable=SC2086
    run cmocka "$CC" $SMALL_CFLAGS $TFLAGS $CMOCKA_DEFS $CMOCKA_EXTRA -I"$src/include" \
        -c "$src/src/cmocka.c" -o "$D/lib/cmocka.o"
    run cmocka "$AR" rcs "$D/lib/libcmocka.a" "$D/lib/cmocka.o"
    rm -f "$D/lib/cmocka.o"
    cp "$src/include/cmocka.h" "$src/include/cmocka_pbc.h" "$D/include/"
    echo "$key" > "$D/.stamp"
}

build_mbedtls() {
    # MIPS32 even with --mips16: bignum's MIPS inline assembly has no MIPS16 form
    local D=$SYSROOT/$T/mbedtls src key
    src=$(recipe_dir mbedtls)
    key="$(recipe_version mbedtls) cc=$CC $SMALL_CFLAGS $TFLAGS libc=$(libc_key)"
    up_to_date "$D" "$key" && return 0
    bash "$VENDOR/fetch.sh" mbedtls >/dev/null
    say "building mbedTLS ..."
    local B=$SYSROOT/$T/.build-mbedtls
    rm -rf "$D" "$B"; mkdir -p "$D/lib" "$LOGS"; : > "$LOGS/mbedtls.log"
    # mbedTLS builds in its tree: one copy per target. Upstream default configuration.
    cp -a "$src" "$B"
    run mbedtls make -C "$B/library" -j"$JOBS" static CC="$CC" AR="$AR" CFLAGS="$SMALL_CFLAGS $TFLAGS"
    cp "$B"/library/libmbedtls.a "$B"/library/libmbedx509.a "$B"/library/libmbedcrypto.a "$D/lib/"
    cp -a "$B/include" "$D/include"
    rm -rf "$B"
    echo "$key" > "$D/.stamp"
}

print_env() {
    local R=$SYSROOT/$T
    q() { printf '%s=%q\n' "$1" "$2"; }
    q CROSS_CC "$CC"
    q CROSS_AR "$AR"
    q CROSS_STRIP "$STRIP"
    q CROSS_OBJDUMP "$OBJDUMP"
    q CROSS_NM "$NM"
    q CROSS_CFLAGS "$SMALL_CFLAGS $OWN_CFLAGS${CODEFLAGS:+ $CODEFLAGS}"
    q CROSS_LDFLAGS "$SMALL_LDFLAGS${TLDFLAGS:+ $TLDFLAGS}"
    # Only for linking the program and the test tools: with LTO, the link re-runs GCC's flow
    # analysis across files, and its maybe-uninitialized guesses (every file already passed it
    # on its own) include false positives in BearSSL's code and ours.
    q CROSS_BIN_LDFLAGS "${LTO:+-Wno-maybe-uninitialized $LTO_BIN_LDFLAGS}"
    q CROSS_PROG_CFLAGS "$PROGFLAGS"
    local B=$R/bearssl$FLAV M=$R/mbedtls
    q CROSS_BR_INC "-I$B/include"
    q CROSS_BR_LIB "$B/lib/libbearssl.a"
    q CROSS_MB_INC "-I$M/include"
    q CROSS_MB_LIBS "$M/lib/libmbedtls.a $M/lib/libmbedx509.a $M/lib/libmbedcrypto.a"
    q CROSS_TEST_CFLAGS "-I$R/cmocka/include${CMOCKA_EXTRA:+ $CMOCKA_EXTRA}${LTO:+ -fno-lto}"
    q CROSS_TEST_LIBS "$R/cmocka/lib/libcmocka.a"
    q CROSS_QEMU "$QEMU"
}

QUIET=n MBED=n ENV=n MIPS16=n T=""
while [ $# -gt 0 ]; do
    case "$1" in
    --quiet) QUIET=y ;;
    --mbedtls) MBED=y ;;
    --env) ENV=y ;;
    --mips16) MIPS16=y ;;
    -*) fail "unknown option $1" ;;
    *) T=$1 ;;
    esac
    shift
done
[ -n "$T" ] || fail "usage: vendor/build.sh [--quiet] [--mbedtls] [--mips16] [--env] TARGET"
target_info "$T"
if [ "$ENV" = y ]; then print_env; exit 0; fi

LOGS=$SYSROOT/$T/logs
mkdir -p "$SYSROOT/$T"
exec 9>"$SYSROOT/$T/.lock"
flock 9
for tool in "${CC##*/}" "$AR"; do
    [ "$MUSL_SRC" = y ] && [ "$tool" = musl-gcc ] && tool=$GCC
    command -v "$tool" >/dev/null || fail "$T: $tool not found (./build.sh deps installs the cross packages)"
done
[ "$MUSL_SRC" = y ] && build_musl
build_bearssl
[ "$T" = host ] && exit 0
build_cmocka
[ "$MBED" = y ] && build_mbedtls
exit 0
