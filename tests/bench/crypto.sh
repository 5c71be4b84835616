#!/usr/bin/env bash
# Key generation and JWS signing times per key type: on the host, and for a mipsel build
# under qemu-mipsel when one exists (emulated: only the ratios between key types mean much).
#
#   tests/bench/crypto.sh [ROUNDS]
# Environment: ACME_TOOLS (host cryptotool directory, default build/host/tools; built when
# missing), MIPSEL_TOOLS (default build/mipsel/tools), BENCH_TYPES (default: all six types),
# BENCH_EMU_TYPES (default: all but rsa-3072/rsa-4096, whose generation takes many minutes
# under emulation).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
ROUNDS=${1:-5}
HOST_TOOLS=${ACME_TOOLS:-build/host/tools}
MIPSEL_TOOLS=${MIPSEL_TOOLS:-build/mipsel/tools}
TYPES=${BENCH_TYPES:-ec-256 ec-384 ec-521 rsa-2048 rsa-3072 rsa-4096}
EMU_TYPES=${BENCH_EMU_TYPES:-ec-256 ec-384 ec-521 rsa-2048}

if [ ! -x "$HOST_TOOLS/cryptotool" ]; then
    echo "building $HOST_TOOLS/cryptotool"
    . ci/lib.sh
    build_variant host host configs/defconfig tools || { echo "cannot build cryptotool"; exit 1; }
    HOST_TOOLS=build/host/tools
fi

echo "== host ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'))," \
    "$ROUNDS rounds; RSA keys generated once (times vary a lot: prime search is random)"
# shellcheck disable=SC2086
"$HOST_TOOLS/cryptotool" bench "$ROUNDS" $TYPES || exit 1

if [ -x "$MIPSEL_TOOLS/cryptotool" ] && command -v qemu-mipsel > /dev/null; then
    echo
    echo "== mipsel under qemu-mipsel (EMULATED: not the speed of a router), $ROUNDS rounds"
    # shellcheck disable=SC2086
    qemu-mipsel "$MIPSEL_TOOLS/cryptotool" bench "$ROUNDS" $EMU_TYPES || exit 1
else
    echo
    echo "== mipsel: skipped ($MIPSEL_TOOLS/cryptotool not built or qemu-mipsel missing; build it with"
    echo "   bash -c '. ci/lib.sh; build_variant mipsel mipsel configs/defconfig tools')"
fi
