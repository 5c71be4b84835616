#!/usr/bin/env bash
# Memory benchmark: one full issuance of two names (new account, order, two HTTP-01
# validations with the built-in responder, finalize, download) against a local Pebble CA.
#   - peak RSS of the static musl x86_64 build (/usr/bin/time -v), budget <= 1 MiB
#   - heap of the glibc host build: allocation calls and peak heap, from an LD_PRELOAD
#     counting shim (tests/bench/lib/malloc_count.c) and, when valgrind is there, DHAT stacks
#     that tell acme's own calls (target: zero) from libc's (none expected: no stdio, no libc resolver)
#   - the arena high-water mark, when the binary reports it at -vv
# A benchmark: it prints OK/OVER and does not fail on a budget miss; it exits 2 only when it
# could not measure. Not run by ./build.sh test.
#
#   tests/bench/memory.sh [-n RUNS]      (RSS: the largest of RUNS issuances, default 3)
# Binaries: ACME_STATIC (default build/x86_64/acme) and ACME_BIN (default build/host/acme),
# built when missing. Output files in BENCH_OUT (default build/bench/memory).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
. tests/integration/lib/pebble.sh
. tests/bench/lib/common.sh

RUNS=3
while [ $# -gt 0 ]; do
    case "$1" in
    -n) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) bench_die "unknown argument $1" ;;
    esac
done
RSS_BUDGET_KIB=1024

WORK=$BENCH_OUT/memory
mkdir -p "$WORK" || bench_die "cannot create $WORK"
[ -x /usr/bin/time ] || bench_die "/usr/bin/time is missing (apt-get install time)"
command -v gcc >/dev/null || bench_die "gcc is missing"

if [ -n "${ACME_STATIC:-}" ]; then
    STATIC=$ACME_STATIC
elif ! bench_binary STATIC x86_64 x86_64; then
    STATIC=""
fi
if [ -n "${ACME_BIN:-}" ]; then
    GLIBC=$ACME_BIN
else
    bench_binary GLIBC host host || bench_die "cannot build build/host/acme"
fi
[ -x "$GLIBC" ] || bench_die "$GLIBC is missing"
RSS_BIN=$STATIC RSS_NOTE="static musl x86_64"
if [ -z "$STATIC" ] || [ ! -x "$STATIC" ]; then
    echo "NOTE: no static x86_64 build; measuring peak RSS of the glibc build $GLIBC instead" >&2
    RSS_BIN=$GLIBC RSS_NOTE="glibc host build (static x86_64 build unavailable)"
fi

SHIM=$BENCH_OUT/malloc_count.so
gcc -O2 -Wall -Wextra -shared -fPIC -o "$SHIM" tests/bench/lib/malloc_count.c -ldl ||
    bench_die "cannot build the malloc counting shim"

trap 'pebble_stop' EXIT
trap 'exit 130' INT TERM
bench_say "starting Pebble on loopback"
pebble_start || bench_die "Pebble did not start"

# issue_with DIR WRAPPER...: one issuance with a fresh state dir; acme's output in DIR/acme.log.
issue_with() {
    local dir=$1 rc
    shift
    bench_conf "$dir"
    "$@" -c "$dir/acme.conf" -vv >"$dir/acme.log" 2>&1
    rc=$?
    if [ $rc -ne 0 ] || [ ! -s "$dir/state/cert.pem" ]; then
        echo "    issuance failed (exit $rc), last lines of $dir/acme.log:" >&2
        tail -n 5 "$dir/acme.log" | sed 's/^/      /' >&2
        return 1
    fi
}

# --- peak RSS -------------------------------------------------------------------------------
bench_say "peak RSS: $RUNS issuance(s) of '$BENCH_NAMES' with $RSS_BIN"
rss_all=()
for i in $(seq 1 "$RUNS"); do
    issue_with "$WORK/rss$i" /usr/bin/time -v -o "$WORK/rss$i.time" "$RSS_BIN" || bench_die "issuance $i failed"
    rss_all+=("$(time_field "$WORK/rss$i.time" "Maximum resident set size (kbytes)")")
done
rss_max=$(printf '%s\n' "${rss_all[@]}" | sort -n | tail -n 1)
echo "    max RSS per run (KiB): ${rss_all[*]}"

# --- arena high-water mark (if reported at -vv) ----------------------------------------------
arena_line=$(grep -i -m 1 -E 'arena' "$WORK/rss1/acme.log" || true)
[ -n "$arena_line" ] || arena_line="n/a (acme does not report it at -vv)"

# --- heap: counting shim ---------------------------------------------------------------------
bench_say "heap: LD_PRELOAD counting shim on $GLIBC"
rm -f "$WORK/shim.out"
issue_with "$WORK/shim" env LD_PRELOAD="$SHIM" MALLOC_COUNT_OUT="$WORK/shim.out" "$GLIBC" ||
    bench_die "issuance under the shim failed"
shim_line=$(grep " exe=$(readlink -f "$GLIBC") " "$WORK/shim.out" | tail -n 1)
[ -n "$shim_line" ] || bench_die "the shim wrote no line for $GLIBC (see $WORK/shim.out)"
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$shim_line"; }
shim_exe=$(field malloc_exe) shim_lib=$(field malloc_lib) shim_peak=$(field peak_bytes) shim_total=$(field total_bytes)

# --- heap: DHAT stacks -----------------------------------------------------------------------
dhat=""
if command -v valgrind >/dev/null; then
    bench_say "heap: valgrind DHAT on $GLIBC (allocation sites by stack)"
    if issue_with "$WORK/dhat" valgrind --tool=dhat --dhat-out-file="$WORK/dhat.json" "$GLIBC"; then
        dhat=$(/usr/bin/python3 tests/bench/lib/dhat_sites.py "$WORK/dhat.json" "$ROOT") || dhat=""
    fi
    [ -n "$dhat" ] || echo "    DHAT run failed; see $WORK/dhat/acme.log" >&2
else
    echo "    valgrind is not installed: no per-site attribution (apt-get install valgrind)"
fi
dfield() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$dhat" | head -n 1; }

# --- report ----------------------------------------------------------------------------------
echo
echo "=== memory of one issuance of two names (acme.c $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'))"
printf '%-44s %s\n' "peak RSS, $RSS_NOTE" "$rss_max KiB (budget $RSS_BUDGET_KIB KiB): $(ok_over "$rss_max" "$RSS_BUDGET_KIB")"
printf '%-44s %s\n' "malloc calls from acme's own code (shim)" "$shim_exe (target 0): $(ok_over "$shim_exe" 0)"
printf '%-44s %s\n' "malloc calls from libc internals (shim)" "$shim_lib"
printf '%-44s %s\n' "peak heap (shim, usable sizes)" "$shim_peak bytes (allocated in total: $shim_total bytes)"
if [ -n "$dhat" ]; then
    printf '%-44s %s\n' "DHAT: calls from acme's own code" "$(dfield dhat_acme_calls) ($(dfield dhat_acme_bytes) bytes)"
    printf '%-44s %s\n' "DHAT: calls from libc on acme's behalf" "$(dfield dhat_libc_calls) ($(dfield dhat_libc_bytes) bytes)"
    printf '%-44s %s\n' "DHAT: peak heap (live at the global maximum)" "$(dfield dhat_peak_bytes) bytes"
    echo "DHAT allocation sites (calls, bytes, where):"
    grep '^site ' <<<"$dhat" | sed 's/^site /    /'
fi
printf '%-44s %s\n' "arena high-water mark (-vv)" "$arena_line"
echo "files: $WORK"
exit 0
