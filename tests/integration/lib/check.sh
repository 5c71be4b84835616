# Shared pass/fail helpers for the integration suites (tests/integration/test_*.sh).
# Source after ROOT is set: . "$ROOT/tests/integration/lib/check.sh"
#   ok MSG            count a pass and print "ok   MSG"
#   bad MSG           count a failure and print "FAIL MSG"
#   check MSG CMD...  ok when CMD exits 0 (its output is discarded), else bad
#   finish            print "N passed, N failed" and exit non-zero on any failure
# shellcheck shell=bash

passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@" > /dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
