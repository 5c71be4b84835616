#!/usr/bin/env bash
# Side-by-side benchmark: the same two-name EC (P-256) certificate, from one local Pebble CA
# (PEBBLE_VA_NOSLEEP=1, nonce rejection off) on loopback, issued by
#   acme.c   built-in HTTP-01 responder
#   uacme    Debian package; a hook script writes token files that a small web server (the
#            Pebble harness's webroot server, python3 http.server) serves
#   lego     Debian package; built-in HTTP server (--http --http.port)
#   certbot  Debian package; standalone (--standalone --http-01-port)
# Every run starts from an empty state (new account key, account, order, certificate key).
# Per client it prints the median wall time, user+sys CPU and peak RSS (wait4() rusage of the
# client and the hooks it runs, as /usr/bin/time reports it; the uacme web server is not
# counted) and the on-disk footprint of the client with its shared libraries; then acme.c's
# ratios, against the targets (vs uacme: CPU <= 1/10, peak RSS <= 1/10, wall <= 1), and a
# Markdown table for the README. A benchmark: prints OK/OVER, exits 2 only when it could not
# measure. Not run by ./build.sh test.
#
#   tests/bench/peers.sh [-n RUNS] [CLIENT...]   RUNS per client (default 5), after one
#                                                warm-up; CLIENT: acme uacme lego certbot (all)
# acme.c binary: ACME_STATIC (default build/x86_64/acme, built when missing), else the glibc
# ACME_BIN / build/host/acme. uacme trusts only the test CA, like the others; with
# UACME_SYSTEM_TRUST=1 it also loads the system store, as on a real system. Missing peers are
# installed with apt-get when run as root, else skipped. Files in BENCH_OUT (build/bench/peers).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
. tests/integration/lib/pebble.sh
. tests/bench/lib/common.sh

RUNS=5
clients=()
while [ $# -gt 0 ]; do
    case "$1" in
    -n) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    acme|uacme|lego|certbot) clients+=("$1"); shift ;;
    *) bench_die "unknown argument $1" ;;
    esac
done
[ ${#clients[@]} -gt 0 ] || clients=(acme uacme lego certbot)
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || bench_die "-n needs a positive number"

WORK=$BENCH_OUT/peers
rm -rf "$WORK"
mkdir -p "$WORK" || bench_die "cannot create $WORK"
PY=/usr/bin/python3
[ -x "$PY" ] || bench_die "python3 is missing"
RUNSTAT=$BENCH_OUT/runstat
command -v gcc >/dev/null || bench_die "gcc is missing"
gcc -O2 -Wall -Wextra -o "$RUNSTAT" tests/bench/lib/runstat.c || bench_die "cannot build tests/bench/lib/runstat.c"

# --- the clients ----------------------------------------------------------------------------
ACME_LABEL="acme.c (static musl x86_64)"
if [ -n "${ACME_STATIC:-}" ]; then
    ACME=$ACME_STATIC
elif ! bench_binary ACME x86_64 x86_64; then
    ACME_LABEL="acme.c (glibc host build)"
    echo "NOTE: the static x86_64 build failed; measuring the glibc host build" >&2
    if [ -n "${ACME_BIN:-}" ]; then ACME=$ACME_BIN; else bench_binary ACME host host || bench_die "cannot build acme"; fi
fi

have_peer() {
    local pkg=$1
    command -v "$pkg" >/dev/null && return 0
    if [ "$(id -u)" = 0 ]; then
        bench_say "installing the Debian package $pkg"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >"$WORK/apt-$pkg.log" 2>&1 ||
            { echo "    apt-get install $pkg failed (see $WORK/apt-$pkg.log)" >&2; return 1; }
        command -v "$pkg" >/dev/null
    else
        echo "NOTE: $pkg is not installed and this is not root: skipping it (apt-get install $pkg)" >&2
        return 1
    fi
}
sel=()
for c in "${clients[@]}"; do
    case "$c" in
    acme) [ -x "$ACME" ] && sel+=(acme) ;;
    uacme) command -v unshare >/dev/null && have_peer uacme && sel+=(uacme) ;;
    *) have_peer "$c" && sel+=("$c") ;;
    esac
done
clients=("${sel[@]}")
[ ${#clients[@]} -gt 0 ] || bench_die "no client to measure"

# --- Pebble -----------------------------------------------------------------------------------
trap 'pebble_stop' EXIT
trap 'exit 130' INT TERM
bench_say "starting Pebble on loopback"
pebble_start --env PEBBLE_VA_NOSLEEP=1 --env PEBBLE_WFE_NONCEREJECT=0 || bench_die "Pebble did not start"
read -r -a NAMES <<<"$BENCH_NAMES"
EMAIL=bench@router.test
PORT=$PEBBLE_HTTP_PORT

# uacme (libcurl-gnutls) takes its trust anchors only from the system store (the bundle and
# every file of /etc/ssl/certs, ~1200 opened per process): it runs in a private mount
# namespace where a directory holding only the test CA (as the bundle) is bind-mounted over
# /etc/ssl/certs, so that it trusts what the other clients are given (and no more work).
# UACME_SYSTEM_TRUST=1 keeps /etc/ssl/certs and bind-mounts the test CA over the bundle file
# only: uacme then loads the whole system store, as it would on a real system.
if [ "${UACME_SYSTEM_TRUST:-0}" = 1 ]; then
    TRUST_SRC=$PEBBLE_CA_FILE TRUST_DST=/etc/ssl/certs/ca-certificates.crt
    UACME_TRUST="system store"
else
    mkdir -p "$WORK/uacme-certs"
    cp "$PEBBLE_CA_FILE" "$WORK/uacme-certs/ca-certificates.crt" || bench_die "cannot copy the test CA"
    TRUST_SRC=$WORK/uacme-certs TRUST_DST=/etc/ssl/certs
    UACME_TRUST="test CA only"
fi
WEBROOT=$WORK/uacme-webroot
mkdir -p "$WEBROOT/.well-known/acme-challenge"
cat >"$WORK/uacme-hook.sh" <<HOOK
#!/bin/sh
# uacme hook: METHOD TYPE IDENT TOKEN AUTH; HTTP-01 only, token files in the web root.
[ "\$2" = http-01 ] || exit 1
f="$WEBROOT/.well-known/acme-challenge/\$4"
case "\$1" in
begin) printf '%s' "\$5" > "\$f" ;;
done|failed) rm -f "\$f" ;;
*) exit 1 ;;
esac
HOOK
chmod 755 "$WORK/uacme-hook.sh"

# run_client CLIENT DIR STATS: one issuance with an empty state in DIR; appends the figures to
# STATS; the client's output goes to DIR.log. Returns the client's exit status.
run_client() {
    local c=$1 d=$2 stats=$3 dom=() n
    rm -rf "$d"
    mkdir -p "$d"
    case "$c" in
    acme)
        bench_conf "$d"
        "$RUNSTAT" "$stats" "$ACME" -c "$d/acme.conf" ;;
    uacme)
        # `new` then `issue`, timed together under one sh
        unshare -m sh -c 'mount --bind "$1" "$2" || exit 99; shift 2; exec "$@"' sh \
            "$TRUST_SRC" "$TRUST_DST" "$RUNSTAT" "$stats" sh -c \
            'uacme -a "$DIR" -c "$1" -t EC -b 256 -y -o new "$EMAIL" &&
             uacme -a "$DIR" -c "$1" -t EC -b 256 -y -o -h "$HOOK" issue $UACME_NAMES' sh "$d" ;;
    lego)
        for n in "${NAMES[@]}"; do dom+=(--domains "$n"); done
        LEGO_CA_CERTIFICATES=$PEBBLE_CA_FILE "$RUNSTAT" "$stats" lego --accept-tos \
            --email "$EMAIL" --server "$PEBBLE_DIR_URL" --path "$d" --key-type ec256 \
            "${dom[@]}" --http --http.port "127.0.0.1:$PORT" run ;;
    certbot)
        for n in "${NAMES[@]}"; do dom+=(-d "$n"); done
        REQUESTS_CA_BUNDLE=$PEBBLE_CA_FILE "$RUNSTAT" "$stats" certbot certonly \
            --standalone --non-interactive --agree-tos --no-eff-email -m "$EMAIL" \
            --server "$PEBBLE_DIR_URL" --http-01-port "$PORT" --http-01-address 127.0.0.1 \
            --key-type ecdsa --elliptic-curve secp256r1 --config-dir "$d/config" \
            --work-dir "$d/work" --logs-dir "$d/logs" "${dom[@]}" ;;
    esac >"$d.log" 2>&1
}
export EMAIL HOOK=$WORK/uacme-hook.sh UACME_NAMES=$BENCH_NAMES DIR=$PEBBLE_DIR_URL

# check_cert DIR: the newest leaf certificate under DIR names every name and has a P-256 key.
check_cert() {
    local f sans
    f=$(find "$1" \( -type f -o -type l \) \( -name cert.pem -o -name "${NAMES[0]}.crt" \) 2>/dev/null | head -n 1)
    [ -n "$f" ] || { echo "no certificate under $1"; return 1; }
    sans=$(openssl x509 -in "$f" -noout -ext subjectAltName 2>/dev/null)
    for n in "${NAMES[@]}"; do
        grep -q "DNS:$n\b" <<<"$sans" || { echo "$f does not name $n"; return 1; }
    done
    openssl x509 -in "$f" -noout -text 2>/dev/null | grep -q 'prime256v1' || { echo "$f has no P-256 key"; return 1; }
}

declare -A WALL CPU RSS FOOT FILES LABEL
for c in "${clients[@]}"; do
    case "$c" in
    acme) LABEL[$c]=$ACME_LABEL ;;
    uacme) LABEL[$c]="uacme $(dpkg-query -W -f='${Version}' uacme) (hook + web server; $UACME_TRUST)" ;;
    lego) LABEL[$c]="lego $(dpkg-query -W -f='${Version}' lego) (built-in HTTP server)" ;;
    certbot) LABEL[$c]="certbot $(dpkg-query -W -f='${Version}' certbot) (standalone)" ;;
    esac
    if [ "$c" = uacme ]; then
        webroot_server_start "$WEBROOT" || bench_die "the web server for uacme did not start"
    fi
    bench_say "${LABEL[$c]}: 1 warm-up + $RUNS runs"
    stats=$WORK/$c.stats
    : >"$stats"
    mkdir -p "$WORK/$c"
    for i in $(seq 0 "$RUNS"); do
        d=$WORK/$c/run$i
        [ "$i" = 0 ] && s=$WORK/$c.warmup || s=$stats
        if ! run_client "$c" "$d" "$s"; then
            echo "    $c run $i failed; last lines of $d.log:" >&2
            tail -n 8 "$d.log" | sed 's/^/      /' >&2
            bench_die "$c could not issue the certificate"
        fi
        why=$(check_cert "$d") || bench_die "$c run $i: $why"
    done
    [ "$c" = uacme ] && webroot_server_stop
    # shellcheck disable=SC2046 # (one number per word)
    WALL[$c]=$(median $(awk '{ print $1 }' "$stats"))
    # shellcheck disable=SC2046
    CPU[$c]=$(median $(awk '{ print $2 }' "$stats"))
    # shellcheck disable=SC2046
    RSS[$c]=$(median $(awk '{ print $3 }' "$stats"))
    case "$c" in
    acme) fp=$("$PY" tests/bench/lib/footprint.py files "$ACME") ;;
    uacme) fp=$("$PY" tests/bench/lib/footprint.py files "$(command -v uacme)") ;;
    lego) fp=$("$PY" tests/bench/lib/footprint.py files "$(command -v lego)") ;;
    certbot) fp=$("$PY" tests/bench/lib/footprint.py debs certbot python3-certbot python3-acme) ;;
    esac
    read -r "FOOT[$c]" "FILES[$c]" <<<"$fp"
    printf '    medians: wall %.3f s, CPU %.3f s, peak RSS %s KiB\n' "${WALL[$c]}" "${CPU[$c]}" "${RSS[$c]}"
done

# --- report -----------------------------------------------------------------------------------
ms() { awk -v v="$1" 'BEGIN { printf "%.1f", v * 1000 }'; }
mib() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
machine="$(nproc) CPUs, ${model:-unknown CPU}, $(uname -sr)"
when=$(date -u '+%Y-%m-%d %H:%M UTC')
ver=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')

echo
echo "=== side by side: one P-256 certificate for ${NAMES[*]}, new account every run"
echo "    medians of $RUNS runs against Pebble on loopback; $machine; $when; acme.c $ver"
printf '%-50s %9s %9s %9s %9s %6s\n' client "wall ms" "CPU ms" "RSS KiB" "disk MiB" files
for c in "${clients[@]}"; do
    printf '%-50s %9s %9s %9s %9s %6s\n' "${LABEL[$c]}" "$(ms "${WALL[$c]}")" "$(ms "${CPU[$c]}")" \
        "${RSS[$c]}" "$(mib "${FOOT[$c]}")" "${FILES[$c]}"
done

if [ -n "${WALL[acme]:-}" ]; then
    echo
    echo "acme.c's ratios (acme.c / peer; lower is better):"
    for c in "${clients[@]}"; do
        [ "$c" = acme ] && continue
        printf '    vs %-8s wall %-7s CPU %-7s peak RSS %-7s disk %s\n' "$c" \
            "$(ratio "${WALL[acme]}" "${WALL[$c]}")" "$(ratio "${CPU[acme]}" "${CPU[$c]}")" \
            "$(ratio "${RSS[acme]}" "${RSS[$c]}")" "$(ratio "${FOOT[acme]}" "${FOOT[$c]}")"
    done
    if [ -n "${WALL[uacme]:-}" ]; then
        echo "targets against uacme:"
        r=$(ratio "${CPU[acme]}" "${CPU[uacme]}")
        printf '    %-10s %-7s (<= 0.1): %s\n' "CPU" "$r" "$(ok_over "$r" 0.1)"
        r=$(ratio "${RSS[acme]}" "${RSS[uacme]}")
        printf '    %-10s %-7s (<= 0.1): %s\n' "peak RSS" "$r" "$(ok_over "$r" 0.1)"
        r=$(ratio "${WALL[acme]}" "${WALL[uacme]}")
        printf '    %-10s %-7s (<= 1):   %s\n' "wall time" "$r" "$(ok_over "$r" 1)"
    fi
fi

echo
echo "Markdown (for the README):"
echo
echo "| client | wall (ms) | CPU user+sys (ms) | peak RSS (KiB) | on disk with libraries (MiB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
for c in "${clients[@]}"; do
    echo "| ${LABEL[$c]} | $(ms "${WALL[$c]}") | $(ms "${CPU[$c]}") | ${RSS[$c]} | $(mib "${FOOT[$c]}") |"
done
echo
echo "Medians of $RUNS runs each (\`tests/bench/peers.sh -n $RUNS\`): one P-256 certificate for two"
echo "names from a local Pebble CA (no validation sleeps), new account every run; CPU and peak RSS"
echo "include hooks the client runs. $machine; $when."
echo "files: $WORK"
exit 0
