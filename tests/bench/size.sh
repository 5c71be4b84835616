#!/usr/bin/env bash
# Binary size benchmark: the static, stripped acme per target against the size budgets, the
# largest contributors (from a linker map and `nm --size-sort` of an unstripped link of the
# same objects), and the host binary linked with Debian's prebuilt libbearssl.a versus the
# BearSSL built from source with size flags. A benchmark: it reports OVER, it does not fail.
#
#   tests/bench/size.sh [TARGET...]     (default: every cross target; TOP=N rows per list)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
. ci/lib.sh

TOP=${TOP:-12}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<<"$(cross_all_targets)"
# Budgets in KiB (stripped static binary); targets without one are reported only.
budget_kib() { case "$1" in mipsel) echo 192 ;; armhf) echo 160 ;; x86_64) echo 192 ;; *) echo "" ;; esac; }

# cross_size_file F: text + data of an ELF file (what ends up in it, without .bss)
cross_size_file() { "${CROSS_NM%nm}size" "$1" | awk 'NR == 2 { print $1 + $2 }'; }

kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

# map_contributors MAP: "bytes<TAB>library<TAB>object" for every input section that ends up
# in the file (code, read-only and initialised data; not .bss, debug or note sections).
map_contributors() {
    awk '
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    /^\.[^ \t]+/ { out = $1; pend = "" }     # output section header
    function take(sz, file,    lib, obj) {
        if (out ~ /^\.(bss|sbss|tbss|comment|debug|note|gnu\.attributes|MIPS\.abiflags|reginfo|pdr|mdebug|stab)/) return
        sz = strtonum(sz); if (sz == 0) return
        if (match(file, /\(([^)]*)\)$/)) { obj = substr(file, RSTART + 1, RLENGTH - 2); lib = substr(file, 1, RSTART - 1) }
        else { obj = file; lib = file }
        sub(/.*\//, "", lib); sub(/.*\//, "", obj)
        printf "%d\t%s\t%s\n", sz, lib, obj
    }
    /^ [._A-Za-z]/ && NF == 1 { pend = $1; next }          # long section name, rest on next line
    pend != "" && /^[ \t]+0x/ && NF >= 3 { take($2, $3); pend = ""; next }
    /^ [._A-Za-z]/ && NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/ { take($3, $4); next }
    { pend = "" }' "$1"
}

group_of() { # library file name -> component
    case "$1" in
    libacme.a|acme.o) echo "acme.c" ;;
    libbearssl.a) echo "BearSSL" ;;
    libmbed*.a) echo "mbedTLS" ;;
    libc.a|crt*.o|Scrt1.o|rcrt1.o) echo "musl libc" ;;
    libgcc*.a|libsoftfp.a) echo "libgcc+soft-fp" ;;
    *) echo "other" ;;
    esac
}

declare -A SIZE
echo "=== building: ${targets[*]}"
for t in "${targets[@]}"; do
    if ! build_variant "$t" "$t" configs/defconfig bin; then echo "size $t: BUILD FAILED"; continue; fi
    SIZE[$t]=$(stat -c %s "build/$t/acme")
    # unstripped relink of the same objects, with a linker map
    cross_env "$t" "build/$t" || continue
    # With link-time optimisation, code from every file ends up in the same few LTO partitions:
    # the per-library attribution comes from a map of a link without LTO (the fat objects hold
    # ordinary code too), the symbol lists from the LTO link itself.
    cross_link_unstripped "$t" "build/$t/acme.map" -fno-lto &&
        mv "build/$t/acme.unstripped" "build/$t/acme.nolto.unstripped" &&
        cross_link_unstripped "$t" || echo "size $t: unstripped relink failed"
done

echo
echo "=== stripped static binaries against the budgets"
printf '%-8s %10s %8s %8s  %s\n' target bytes KiB budget verdict
for t in "${targets[@]}"; do
    [ -n "${SIZE[$t]:-}" ] || { printf '%-8s %10s\n' "$t" FAILED; continue; }
    b=$(budget_kib "$t") v="-"
    if [ -n "$b" ]; then
        if [ "${SIZE[$t]}" -le $((b * 1024)) ]; then v=OK; else v="OVER by $(kib $((SIZE[$t] - b * 1024))) KiB"; fi
    fi
    printf '%-8s %10s %8s %8s  %s\n' "$t" "${SIZE[$t]}" "$(kib "${SIZE[$t]}")" "${b:--}" "$v"
    echo "size $t: ${SIZE[$t]} bytes"
done

for t in "${targets[@]}"; do
    [ -f "build/$t/acme.map" ] || continue
    cross_env "$t" "build/$t" || continue
    echo
    nolto=$(cross_size_file "build/$t/acme.nolto.unstripped") lto=$(cross_size_file "build/$t/acme.unstripped")
    echo "=== $t: contributors (linker map of a link without LTO: $nolto bytes of sections; LTO makes them $lto, $((nolto - lto)) less)"
    map_contributors "build/$t/acme.map" > "build/$t/acme.contrib.tsv"
    while IFS=$'\t' read -r sz lib _; do printf '%s\t%s\n' "$sz" "$(group_of "$lib")"; done \
        < "build/$t/acme.contrib.tsv" |
        awk -F'\t' '{ s[$2] += $1; tot += $1 } END { for (g in s) printf "%d\t%s\t%.1f\n", s[g], g, 100 * s[g] / tot }' |
        sort -nr | awk -F'\t' '{ printf "  %-16s %8d bytes %6.1f KiB %5.1f%%\n", $2, $1, $1 / 1024, $3 }'
    echo "  largest objects:"
    awk -F'\t' '{ s[$2 "(" $3 ")"] += $1 } END { for (o in s) printf "  %8d  %s\n", s[o], o }' \
        "build/$t/acme.contrib.tsv" | sort -nr | head -n "$TOP"
    echo "  largest symbols in the file (nm --size-sort; code and data, not .bss):"
    "$CROSS_NM" --size-sort -S -r --radix=d "build/$t/acme.unstripped" 2>/dev/null |
        awk -v n="$TOP" '$3 !~ /^[bBsS]$/ && k++ < n { printf "  %8d  %s %s\n", $2, $3, $4 }'
    echo "  largest .bss (RAM at run time, not in the file):"
    "$CROSS_NM" --size-sort -S -r --radix=d "build/$t/acme.unstripped" 2>/dev/null |
        awk -v n=5 '$3 ~ /^[bBsS]$/ && k++ < n { printf "  %8d  %s %s\n", $2, $3, $4 }'
    "${CROSS_NM%nm}size" "build/$t/acme.unstripped" | awk 'NR == 2 { printf "  sections: text %d, data %d, bss %d bytes\n", $1, $2, $3 }'
done

# What each Kconfig feature switch costs: the default configuration with that one switch off,
# and with all of them off (the floor a vendor can cut to). CUTS=0 skips; CUTS_TARGET=T.
cuts_t=${CUTS_TARGET:-${targets[0]}}
if [ "${CUTS:-1}" != 0 ] && [ -n "${SIZE[$cuts_t]:-}" ]; then
    echo
    echo "=== $cuts_t: Kconfig feature switches (stripped static binary)"
    printf '  %-36s %10s %10s\n' configuration bytes "vs default"
    printf '  %-36s %10s %10s\n' default "${SIZE[$cuts_t]}" 0
    all=""
    for sym in RSA TLSALPN01_RESPONDER HTTP01_RESPONDER DNS01_HOOK SELFSIGN; do
        grep -q "^config $sym\$" Kconfig || continue
        all="$all $sym"
        cfg=build/size-cut-$sym.defconfig
        { grep -v "^CONFIG_$sym=" configs/defconfig; echo "# CONFIG_$sym is not set"; } > "$cfg"
        if build_variant "$cuts_t" "$cuts_t-no-$sym" "$cfg" bin >/dev/null 2>&1; then
            s=$(stat -c %s "build/$cuts_t-no-$sym/acme")
            printf '  %-36s %10s %10s\n' "CONFIG_$sym=n" "$s" "$((s - SIZE[$cuts_t]))"
        else
            printf '  %-36s %10s\n' "CONFIG_$sym=n" "BUILD FAILED"
        fi
    done
    cfg=build/size-cut-all.defconfig
    cp configs/defconfig "$cfg"
    for sym in $all; do
        sed -i "/^CONFIG_$sym=/d" "$cfg"; echo "# CONFIG_$sym is not set" >> "$cfg"
    done
    if build_variant "$cuts_t" "$cuts_t-no-features" "$cfg" bin >/dev/null 2>&1; then
        s=$(stat -c %s "build/$cuts_t-no-features/acme")
        printf '  %-36s %10s %10s\n' "all of them off" "$s" "$((s - SIZE[$cuts_t]))"
        echo "size $cuts_t-no-features: $s bytes"
    fi
    # and the one switch that adds code: BearSSL's P-256-specific arithmetic on 32-bit targets
    if grep -q '^config P256_M31$' Kconfig; then
        cfg=build/size-add-P256_M31.defconfig
        { grep -v '^CONFIG_P256_M31=' configs/defconfig; echo 'CONFIG_P256_M31=y'; } > "$cfg"
        if build_variant "$cuts_t" "$cuts_t-with-P256_M31" "$cfg" bin >/dev/null 2>&1; then
            s=$(stat -c %s "build/$cuts_t-with-P256_M31/acme")
            printf '  %-36s %10s %10s
' "CONFIG_P256_M31=y" "$s" "+$((s - SIZE[$cuts_t]))"
        fi
    fi
fi

echo
echo "=== host binary (gcc, glibc): Debian's prebuilt libbearssl.a vs BearSSL built from source"
if build_variant host size-host configs/defconfig bin && bash vendor/build.sh --quiet host; then
    eval "$(bash vendor/build.sh --env host)"
    o=build/size-host
    for which in debian source; do
        lib=/usr/lib/$HOST_TRIPLET/libbearssl.a
        [ $which = source ] && lib=$CROSS_BR_LIB
        if gcc -Wl,--gc-sections -s -o "$o/acme.$which-bearssl" "$o/obj/acme.o" "$o/libacme.a" "$lib"; then
            s=$(stat -c %s "$o/acme.$which-bearssl")
            printf '  %-44s %8d bytes %6s KiB  (%s)\n' "$which libbearssl.a" "$s" "$(kib "$s")" "$lib"
        else
            echo "  link with $which libbearssl.a failed"
        fi
    done
    echo "  (host objects: -O2 -g as build.sh builds them; binaries stripped, dynamically linked to glibc)"
else
    echo "  host build failed"
fi
exit 0
