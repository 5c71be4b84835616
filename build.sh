#!/usr/bin/env bash
# acme.c build driver.
#
#   ./build.sh                       build the host binary: build/host/acme
#   ./build.sh --target T            static musl binary for T (x86_64 mipsel mips armhf aarch64):
#                                    build/T/acme
#   ./build.sh targets               every target, then a size table
#   ./build.sh test                  build and run every test (what CI runs)
#   ./build.sh demo                  build, then get a certificate from a local Pebble CA
#   ./build.sh fuzz [SECONDS]        run every fuzz target for SECONDS each (default 60)
#   ./build.sh unit [REGEX]          build the unit tests (host, or --target) and run those
#                                    whose name matches REGEX (developers: use --out NAME)
#   ./build.sh deps                  install the Debian packages the build and tests need
#   ./build.sh clean                 remove build/
# Options (before or after the command): --config FILE (a defconfig, default configs/defconfig),
# --out NAME (build/NAME).
# Missing Debian packages are installed with apt-get when run as root; otherwise the exact
# apt-get command is printed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
. ci/lib.sh

cmd=build seen_cmd=n target=host defconfig=configs/defconfig out="" args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --target) target=$2; shift 2 ;;
    --target=*) target=${1#*=}; shift ;;
    --config) defconfig=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    build|test|demo|fuzz|targets|unit|deps|clean)
        [ "$seen_cmd" = n ] || die "two commands: '$cmd' and '$1' (see ./build.sh --help)"
        cmd=$1 seen_cmd=y; shift ;;
    -*) die "unknown option '$1' (see ./build.sh --help)" ;;
    *) [ "$seen_cmd" = y ] || die "unknown argument '$1' (see ./build.sh --help)"
       args+=("$1"); shift ;;
    esac
done

case "$cmd" in
build|targets|deps|clean)
    [ ${#args[@]} -eq 0 ] || die "'$cmd' takes no argument ('${args[0]}'; see ./build.sh --help)" ;;
esac

case "$cmd" in
build)
    need_deps host
    [ "$target" = host ] || need_deps cross
    build_variant "$target" "${out:-$target}" "$defconfig"
    report_binary "build/${out:-$target}/acme"
    ;;
targets) need_deps host cross; build_all_targets ;;
test) need_deps host cross test; exec bash ci/test.sh "${args[@]}" ;;
demo) need_deps host test; build_variant host host configs/defconfig; exec bash ci/demo.sh "${args[@]}" ;;
fuzz) need_deps host test; run_fuzzers "${args[0]:-60}" ;;
unit)
    need_deps host test
    o=build/${out:-$target}
    build_variant "$target" "${out:-$target}" "$defconfig" bin tests
    [ "$target" = host ] && CROSS_QEMU=""   # cross builds run under the target's qemu
    rc=0
    for t in "$o"/tests/test_*; do
        [[ ${t##*/} =~ ${args[0]:-.} ]] || continue
        CMOCKA_MESSAGE_OUTPUT=stdout ${CROSS_QEMU:-} "$t" "${args[@]:1}" || rc=1
    done
    exit $rc ;;
deps) need_deps host cross test ;;
clean) rm -rf build ;;
esac
