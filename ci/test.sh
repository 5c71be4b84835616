#!/usr/bin/env bash
# Everything `./build.sh test` runs, in order. Each step's output goes to build/logs/STEP.log;
# a failing step prints its log's tail and the run goes on, so one run shows every failure.
# The last line is "tests: N passed, N failed" where N counts unit test cases (cmocka),
# integration checks and the other steps' checks.
#
# Environment: FUZZ_SMOKE_SECS (default 4) seconds per fuzz target; SKIP_CROSS=1 skips the
# cross builds and qemu runs; ONLY=regex runs only the steps whose name matches.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. ci/lib.sh

LOGS=build/logs
mkdir -p "$LOGS"
PASSED=0 FAILED=0 FAILED_STEPS=()
T0=$(date +%s)

# Counts from a log: cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)", and the
# plain "N passed, N failed" line of the project's shell suites.
count_log() {
    local log=$1 p f
    p=$(grep -aoE '^\[  PASSED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
    f=$(grep -aoE '^\[  FAILED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
    local sp sf
    sp=$(grep -aoE '^(checks: )?[0-9]+ passed, [0-9]+ failed' "$log" | grep -oE '^[a-z: ]*[0-9]+' | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
    sf=$(grep -aoE '^(checks: )?[0-9]+ passed, [0-9]+ failed' "$log" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
    echo "$(( ${p:-0} + ${sp:-0} )) $(( ${f:-0} + ${sf:-0} ))"
}

# step NAME COMMAND...: runs COMMAND, logs it, counts what it reports.
step() {
    local name=$1; shift
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return 0; fi
    local log=$LOGS/$name.log t=$(date +%s) rc
    printf '%-28s ' "$name"
    "$@" > "$log" 2>&1
    rc=$?
    read -r p f < <(count_log "$log")
    if [ $rc -eq 0 ] && [ "$f" -eq 0 ]; then
        [ "$p" -eq 0 ] && p=1
        PASSED=$((PASSED + p))
        echo "ok   ($p passed, $(( $(date +%s) - t ))s)"
    else
        [ "$f" -eq 0 ] && f=1
        PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); FAILED_STEPS+=("$name")
        echo "FAIL ($p passed, $f failed, exit $rc, $(( $(date +%s) - t ))s) -- last lines of $log:"
        tail -n 60 "$log" | sed 's/^/    | /'
    fi
    grep -aE '^\[  (PASSED|FAILED)  \]|^[a-z]*:? ?[0-9]+ passed, [0-9]+ failed|^fuzz .*: |^size ' "$log" | sed 's/^/    /' | head -40
}

# Runs every unit test binary in DIR (optionally through a runner such as qemu).
run_unit_tests() {
    local dir=$1; shift
    local t rc=0
    for t in "$dir"/test_*; do
        [ -x "$t" ] || continue
        echo "### ${t##*/}"
        CMOCKA_MESSAGE_OUTPUT=stdout timeout 300 "$@" "$t" || { echo "### ${t##*/} exited $?"; rc=1; }
    done
    return $rc
}

unit_host() { build_variant host host configs/defconfig bin tests tools && run_unit_tests build/host/tests; }
unit_clang() { build_variant clang clang configs/defconfig bin tests; }
unit_asan() {
    build_variant asan asan configs/defconfig bin tests &&
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 run_unit_tests build/asan/tests
}
build_mbedtls() { build_variant host host-mbedtls configs/mbedtls_defconfig bin tests tools && run_unit_tests build/host-mbedtls/tests; }
fuzz_smoke() { run_fuzzers "${FUZZ_SMOKE_SECS:-4}"; }

integration() {
    local s=$1
    ACME_ROOT=$ROOT ACME_TOOLS=$ROOT/build/host/tools ACME_BIN=$ROOT/build/host/acme ACME_BIN_MBEDTLS=$ROOT/build/host-mbedtls/acme \
        timeout 1200 bash "$s"
}

# Static checks: the tree is clang-formatted, and cppcheck finds nothing.
C_SOURCES="acme.c core/*.[ch] platform/*.[ch] bearssl/*.[ch] mbedtls/*.c tests/unit/*.c tests/unit/support/*.[ch] tests/fuzz/*.c tests/tools/*.c"
format_check() {
    # shellcheck disable=SC2086
    clang-format --dry-run --Werror $C_SOURCES && echo "clang-format: $(echo $C_SOURCES | wc -w) patterns clean"
}
cppcheck_run() {
    build_variant host host configs/defconfig bin &&
        cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 -D__linux__ \
            -Ibuild/host -Icore --suppress=missingIncludeSystem --inline-suppr \
            core platform bearssl acme.c && echo "cppcheck: no findings"
}

step format format_check
step cppcheck cppcheck_run
step unit-gcc unit_host
step build-clang unit_clang
step unit-asan-ubsan unit_asan
step unit-mbedtls build_mbedtls
step fuzz-smoke fuzz_smoke
if [ "${SKIP_CROSS:-0}" != 1 ] && [ -f ci/cross.sh ]; then
    for t in $(cross_test_targets); do step "cross-unit-$t" cross_unit_tests "$t"; done
    for t in $(cross_all_targets); do step "static-$t" cross_static_check "$t"; done
fi
for s in tests/integration/test_*.sh; do
    [ -f "$s" ] || continue
    n=${s##*/test_}; n=${n%.sh}
    step "integration-$n" integration "$s"
done

echo
echo "time: $(( $(date +%s) - T0 ))s"
[ ${#FAILED_STEPS[@]} -gt 0 ] && echo "failed steps: ${FAILED_STEPS[*]}"
echo "tests: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
