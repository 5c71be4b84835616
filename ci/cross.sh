# Static musl cross builds for the router targets. Sourced by ci/lib.sh (functions only).
# shellcheck shell=bash disable=SC2034 # sets variables for ci/lib.sh
#
# Targets: x86_64 mipsel mips armhf aarch64. musl is built from its Debian source package for
# each (-Os, printf without floating point); mips and mipsel are soft-float (FPU-less router
# SoCs) with libgcc's soft-fp built from source too. BearSSL, cmocka (and mbedTLS when a build
# needs it) are built from pinned Debian source packages with the target compiler and size flags. All of
# that lives in vendor/ (recipes, fetch.sh, build.sh) and is cached in vendor/sysroot/TARGET/.

cross_test_targets() { echo "mips armhf"; }
cross_all_targets() { echo "x86_64 mipsel mips armhf aarch64"; }

cross__root() { (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); }

cross__known() {
    case " $(cross_all_targets) " in *" $1 "*) return 0 ;; esac
    echo "build.sh: error: unknown target '$1' (known: $(cross_all_targets))" >&2
    return 1
}

# cross_env T [OUTDIR]: builds (once) what target T needs and sets CROSS_CC CROSS_AR
# CROSS_STRIP CROSS_OBJDUMP CROSS_NM CROSS_CFLAGS CROSS_LDFLAGS CROSS_BR_INC CROSS_BR_LIB
# CROSS_MB_LIBS CROSS_TEST_CFLAGS CROSS_TEST_LIBS CROSS_QEMU, and MB_INC when mbedTLS is needed.
# OUTDIR's .config (default: build_variant's `out`, by bash scoping) decides mbedTLS
# (CONFIG_TLS_MBEDTLS, or CROSS_WANT_MBEDTLS=1) and MIPS16e code (CONFIG_MIPS16, mips/mipsel).
# CROSS_CFLAGS_EXTRA and CROSS_LDFLAGS_EXTRA (for experiments) are appended to CROSS_CFLAGS
# and CROSS_LDFLAGS. On failure the compiler is set to a name that makes the build fail loudly.
cross_env() {
    local t=$1 cfg=${2:-${out:-}} root opts=() want_mb=n
    root=$(cross__root)
    cross__known "$t" || return 1
    if [ "${CROSS_WANT_MBEDTLS:-0}" = 1 ] || { [ -n "$cfg" ] && config_has "$cfg" CONFIG_TLS_MBEDTLS; }; then
        want_mb=y; opts+=(--mbedtls)
    fi
    if [ -n "$cfg" ] && config_has "$cfg" CONFIG_MIPS16; then opts+=(--mips16); fi
    local envs
    if ! bash "$root/vendor/build.sh" --quiet "${opts[@]}" "$t" ||
        ! envs=$(bash "$root/vendor/build.sh" --env "${opts[@]}" "$t"); then
        echo "build.sh: error: preparing the $t toolchain and libraries failed (see above)" >&2
        CROSS_CC="cross-toolchain-for-$t-failed" CROSS_AR=false CROSS_STRIP=false CROSS_CFLAGS=""
        CROSS_LDFLAGS="" CROSS_BIN_LDFLAGS="" CROSS_BR_INC="" CROSS_BR_LIB="" CROSS_MB_LIBS="" CROSS_TEST_CFLAGS=""
        CROSS_TEST_LIBS="" CROSS_QEMU=false CROSS_OBJDUMP=false CROSS_NM=false
        return 1
    fi
    eval "$envs"
    CROSS_CFLAGS="$CROSS_CFLAGS${CROSS_CFLAGS_EXTRA:+ $CROSS_CFLAGS_EXTRA}"
    CROSS_LDFLAGS="$CROSS_LDFLAGS${CROSS_LDFLAGS_EXTRA:+ $CROSS_LDFLAGS_EXTRA}"
    # MB_INC is read by build_variant for every kind: set it only for a cross mbedTLS build and
    # take it back afterwards so that it does not leak into a later host build.
    if [ $want_mb = y ]; then
        # shellcheck disable=SC2153 # CROSS_MB_INC comes from vendor/build.sh --env
        MB_INC=$CROSS_MB_INC; CROSS__SET_MB_INC=1
    elif [ "${CROSS__SET_MB_INC:-0}" = 1 ]; then
        unset MB_INC; CROSS__SET_MB_INC=0
    fi
    return 0
}

# cross_unit_tests T: builds the unit tests for T and runs each under qemu from the repo root.
cross_unit_tests() {
    local t=$1 root f rc=0 n=0
    root=$(cross__root)
    cross__known "$t" || return 1
    (cd "$root" && build_variant "$t" "$t" configs/defconfig bin tests) || return 1
    cross_env "$t" "$root/build/$t" || return 1
    for f in "$root/build/$t"/tests/test_*; do
        [ -x "$f" ] || continue
        n=$((n + 1))
        echo "### ${f##*/} ($t, ${CROSS_QEMU:-native})"
        # shellcheck disable=SC2086 # CROSS_QEMU is a command with arguments
        (cd "$root" && CMOCKA_MESSAGE_OUTPUT=stdout timeout 600 $CROSS_QEMU "$f") ||
            { echo "### ${f##*/} exited $?"; rc=1; }
    done
    [ $n -gt 0 ] || { echo "no unit tests were built in build/$t/tests"; rc=1; }
    return $rc
}

# cross_link_unstripped T [MAP [FLAG...]]: links build/T/acme.unstripped from the objects of
# build/T/acme with the same flags but without -s (and with a linker map when MAP is given;
# FLAGs are added last, e.g. -fno-lto). Needs cross_env.
cross_link_unstripped() {
    local t=$1 map=${2:-} root f ld=() libs
    shift; [ $# -gt 0 ] && shift
    root=$(cross__root)
    for f in $CROSS_LDFLAGS; do [ "$f" = -s ] || ld+=("$f"); done
    [ -n "$map" ] && ld+=("-Wl,-Map=$map")
    ld+=("$@")
    libs=$CROSS_BR_LIB
    config_has "$root/build/$t" CONFIG_TLS_MBEDTLS && libs="$CROSS_MB_LIBS $libs"
    # shellcheck disable=SC2086 # flag lists
    $CROSS_CC $CROSS_CFLAGS "${ld[@]}" $CROSS_BIN_LDFLAGS -o "$root/build/$t/acme.unstripped" \
        "$root/build/$t/obj/acme.o" "$root/build/$t/libacme.a" $libs
}

# Check results for cross_static_check (its locals t, pass and fail, by bash scoping).
cross__ok() { echo "ok   $t: $1"; pass=$((pass + 1)); }
cross__bad() { echo "FAIL $t: $1"; fail=$((fail + 1)); }

# cross_static_check T: builds build/T/acme and checks it is a static, stripped binary that
# runs under qemu (and, for MIPS, uses no FPU instruction).
cross_static_check() {
    local t=$1 root bin pass=0 fail=0 desc out
    root=$(cross__root)
    cross__known "$t" || return 1
    (cd "$root" && build_variant "$t" "$t" configs/defconfig bin) || { echo "0 passed, 1 failed"; return 1; }
    cross_env "$t" "$root/build/$t" || { echo "0 passed, 1 failed"; return 1; }
    bin=$root/build/$t/acme
    desc=$(file -b "$bin")
    echo "file: $desc"
    case "$desc" in *"statically linked"*) cross__ok "statically linked" ;; *) cross__bad "not statically linked" ;; esac
    # ci/sstrip.py leaves no section headers at all ("no section header"), as OpenWrt's sstrip
    case "$desc" in
    *", no section header"*) cross__ok "stripped, section headers dropped" ;;
    *", stripped"*) cross__ok "stripped" ;;
    *) cross__bad "not stripped" ;;
    esac
    local arg
    for arg in --version --help; do
        # shellcheck disable=SC2086
        if out=$(cd "$root" && timeout 60 $CROSS_QEMU "$bin" "$arg" 2>&1); then
            cross__ok "acme $arg under ${CROSS_QEMU:-native}: $(echo "$out" | head -n 1)"
        else
            cross__bad "acme $arg under ${CROSS_QEMU:-native} exited $?: $(echo "$out" | head -n 3)"
        fi
    done
    case "$t" in
    mips|mipsel)
        # MIPS16e code only disassembles right with symbols: check an unstripped relink that
        # strips to exactly the shipped binary.
        local fpu_re nfpu
        # shellcheck disable=SC2016 # a literal $: MIPS FPU registers are $f0..$f31
        fpu_re='\$f([0-9]|[12][0-9]|3[01])\b'
        if cross_link_unstripped "$t" && "$CROSS_STRIP" -o "$bin.restripped" "$bin.unstripped" &&
            (cd "$root" && python3 ci/sstrip.py "$bin.restripped") && cmp -s "$bin.restripped" "$bin"; then
            nfpu=$("$CROSS_OBJDUMP" -d "$bin.unstripped" | grep -cE "$fpu_re" || true)
            if [ "$nfpu" -eq 0 ]; then
                cross__ok "no FPU register in the code (soft-float)"
            else
                cross__bad "$nfpu instructions use FPU registers"
                "$CROSS_OBJDUMP" -d "$bin.unstripped" | grep -E "$fpu_re" | head -n 5
            fi
        else
            cross__bad "could not disassemble: the unstripped relink differs from build/$t/acme"
        fi
        rm -f "$bin.restripped" ;;
    esac
    echo "size $t: $(stat -c %s "$bin") bytes"
    echo "$pass passed, $fail failed"
    [ $fail -eq 0 ]
}

# build_all_targets: every target's static binary, then a size table.
build_all_targets() {
    local root t rc=0 sizes=()
    root=$(cross__root)
    for t in $(cross_all_targets); do
        echo "==> building $t"
        if (cd "$root" && build_variant "$t" "$t" configs/defconfig bin); then
            sizes+=("$t $(stat -c %s "$root/build/$t/acme")")
        else
            sizes+=("$t FAILED"); rc=1
        fi
    done
    printf '\n%-8s %10s %8s  %s\n' target bytes KiB binary
    local line b
    for line in "${sizes[@]}"; do
        t=${line%% *} b=${line#* }
        if [ "$b" = FAILED ]; then printf '%-8s %10s %8s\n' "$t" FAILED -; continue; fi
        printf '%-8s %10s %8s  build/%s/acme\n' "$t" "$b" "$(awk -v b="$b" 'BEGIN{printf "%.1f", b/1024}')" "$t"
    done
    return $rc
}
