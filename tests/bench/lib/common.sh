# Shared helpers of the benchmarks tests/bench/{memory,notdue,peers}.sh. Sourced after
# tests/integration/lib/pebble.sh, from the repository root.
# shellcheck shell=bash

BENCH_OUT=${BENCH_OUT:-$ROOT/build/bench}
BENCH_NAMES=${BENCH_NAMES:-"router.test www.router.test"}

bench_say() { echo "==> $*"; }
bench_die() {
    echo "${0##*/}: cannot measure: $*" >&2
    exit 2
}

# bench_binary VAR OUT TARGET: sets VAR to build/OUT/acme, building it (build_variant TARGET)
# only when it is missing. Fails when the build fails.
bench_binary() {
    local var=$1 out=$2 target=$3
    if [ ! -x "$ROOT/build/$out/acme" ]; then
        bench_say "building build/$out/acme (target $target)"
        (. "$ROOT/ci/lib.sh" && build_variant "$target" "$out" configs/defconfig bin) >"$BENCH_OUT/build-$out.log" 2>&1 ||
            { echo "    build failed, see $BENCH_OUT/build-$out.log" >&2; return 1; }
    fi
    printf -v "$var" '%s' "$ROOT/build/$out/acme"
}

# bench_conf DIR: writes DIR/acme.conf for one issuance of BENCH_NAMES against the running
# Pebble with acme's built-in HTTP-01 responder; state in DIR/state (removed first).
bench_conf() {
    local dir=$1
    rm -rf "$dir/state"
    mkdir -p "$dir"
    cat >"$dir/acme.conf" <<EOC
directory = $PEBBLE_DIR_URL
ca_file = $PEBBLE_CA_FILE
email = bench@router.test
agree_tos = yes
domains = $BENCH_NAMES
challenge = http-01
http_listen = 127.0.0.1:$PEBBLE_HTTP_PORT
state_dir = $dir/state
EOC
}

# time_field FILE NAME: a field of `/usr/bin/time -v` output ("Maximum resident set size (kbytes)").
time_field() { sed -n "s/^[[:space:]]*$2: //p" "$1" | head -n 1; }

# median N...: the median (lower middle for an even count) of numbers.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# ok_over VALUE LIMIT: OK when VALUE <= LIMIT (numbers, may be decimal), else OVER.
ok_over() { awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 <= l + 0) ? "OK" : "OVER" }'; }

# now_ns: wall clock in nanoseconds.
now_ns() { date +%s%N; }
