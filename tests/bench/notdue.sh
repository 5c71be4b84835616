#!/usr/bin/env bash
# Not-due cron run benchmark: a certificate for two names is issued from a local Pebble CA,
# then `acme -q -c CONF` runs again as cron would and must exit 1 (not due). Reports for that
# run: instructions (valgrind --tool=callgrind, deterministic), wall time (median of RUNS, with
# hyperfine when installed, else a date +%s%N loop), and the sockets it creates
# (strace -f -e trace=network; expected 0). A benchmark: prints figures, exits 2 only when it
# could not measure. Not run by ./build.sh test.
#
#   tests/bench/notdue.sh [-n RUNS]      (default 20)
# Binaries: ACME_STATIC (default build/x86_64/acme) and ACME_BIN (default build/host/acme),
# built when missing; each one found is measured. Files in BENCH_OUT (default build/bench/notdue).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
. tests/integration/lib/pebble.sh
. tests/bench/lib/common.sh

RUNS=20
while [ $# -gt 0 ]; do
    case "$1" in
    -n) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) bench_die "unknown argument $1" ;;
    esac
done

WORK=$BENCH_OUT/notdue
mkdir -p "$WORK" || bench_die "cannot create $WORK"
command -v valgrind >/dev/null || bench_die "valgrind is missing (apt-get install valgrind)"
command -v strace >/dev/null || bench_die "strace is missing (apt-get install strace)"

bins=() labels=()
if [ -n "${ACME_STATIC:-}" ]; then
    bins+=("$ACME_STATIC") labels+=("static musl x86_64")
elif bench_binary s x86_64 x86_64; then
    bins+=("$s") labels+=("static musl x86_64")
else
    echo "NOTE: the static x86_64 build failed; measuring the glibc build only" >&2
fi
if [ -n "${ACME_BIN:-}" ]; then
    bins+=("$ACME_BIN") labels+=("glibc host")
elif bench_binary g host host; then
    bins+=("$g") labels+=("glibc host")
fi
[ ${#bins[@]} -gt 0 ] || bench_die "no acme binary"

trap 'pebble_stop' EXIT
trap 'exit 130' INT TERM
bench_say "starting Pebble on loopback"
pebble_start || bench_die "Pebble did not start"

results=()
for k in "${!bins[@]}"; do
    bin=${bins[$k]} label=${labels[$k]} dir=$WORK/$k
    bench_say "$label ($bin): issuing the certificate first"
    bench_conf "$dir"
    "$bin" -c "$dir/acme.conf" >"$dir/issue.log" 2>&1 || bench_die "the issuance failed (see $dir/issue.log)"
    run=("$bin" -q -c "$dir/acme.conf")
    "${run[@]}" >"$dir/notdue.log" 2>&1
    rc=$?
    [ $rc -eq 1 ] || bench_die "the second run exited $rc, not 1 (not due); see $dir/notdue.log"

    bench_say "callgrind"
    valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" "${run[@]}" >"$dir/callgrind.log" 2>&1
    instr=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$dir/callgrind.out" | head -n 1)
    [ -n "$instr" ] || bench_die "no callgrind summary (see $dir/callgrind.log)"

    bench_say "wall time, $RUNS runs"
    if command -v hyperfine >/dev/null; then
        hyperfine -N -i --warmup 3 --runs "$RUNS" --export-json "$dir/hyperfine.json" "${run[*]}" >"$dir/hyperfine.log" 2>&1 ||
            bench_die "hyperfine failed (see $dir/hyperfine.log)"
        wall_ms=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f" % (r["median"] * 1000))' "$dir/hyperfine.json")
        how="hyperfine median"
    else
        t=()
        for i in $(seq 1 "$RUNS"); do
            a=$(now_ns)
            "${run[@]}" >/dev/null 2>&1
            b=$(now_ns)
            t+=($((b - a)))
        done
        wall_ms=$(awk -v n="$(median "${t[@]}")" 'BEGIN { printf "%.3f", n / 1e6 }')
        how="median of a date +%s%N loop (includes fork+exec)"
    fi

    bench_say "strace -f -e trace=network"
    strace -f -e trace=network -o "$dir/strace.out" "${run[@]}" >/dev/null 2>&1
    sockets=$(grep -c -E '(^|[[:space:]])socket\(' "$dir/strace.out")
    netcalls=$(grep -c -E '^[0-9]+ +[a-z_]+\(|^[a-z_]+\(' "$dir/strace.out")
    results+=("$(printf '%s|%s|%s|%s|%s|%s' "$label" "$instr" "$wall_ms" "$how" "$sockets" "$netcalls")")
done

echo
echo "=== not-due cron run (acme -q -c CONF, exit 1) of acme.c $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
for r in "${results[@]}"; do
    IFS='|' read -r label instr wall how sockets netcalls <<<"$r"
    echo "$label:"
    printf '    %-28s %s\n' "instructions (callgrind)" "$instr"
    printf '    %-28s %s ms (%s, %s runs)\n' "wall time" "$wall" "$how" "$RUNS"
    printf '    %-28s %s (network syscalls: %s): %s\n' "sockets created (strace)" "$sockets" "$netcalls" "$(ok_over "$sockets" 0)"
done
echo "files: $WORK"
exit 0
