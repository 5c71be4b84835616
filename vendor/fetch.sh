#!/usr/bin/env bash
# Fetches and unpacks the pinned third-party sources described by vendor/*.recipe.
#
#   vendor/fetch.sh [NAME...]     (default: every recipe; NAME = recipe file name without .recipe)
#
# Debian source packages: `apt-get source --download-only PKG=VERSION` into vendor/src/dl/, the
# SHA-256 of every downloaded file is checked against the recipe (a mismatch stops with an
# error), then `dpkg-source -x` unpacks (and patches) the tree into vendor/src/DIR/.
# gcc-softfp: the listed members of the tarball that Debian's gcc-12-source package installs,
# after the same SHA-256 check. A tree that was unpacked from the pinned version is reused.
# Needs a deb-src entry for bookworm: added (with apt-get update) when apt knows no sources.
set -euo pipefail
VENDOR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$VENDOR/src
DL=$SRC/dl
export DEBIAN_FRONTEND=noninteractive

fail() { echo "vendor/fetch.sh: error: $*" >&2; exit 1; }

# Lines "HASH  FILE" of the recipe's SHA256 variable, checked in directory $1.
verify() {
    local dir=$1 out
    if ! out=$(cd "$dir" && printf '%s\n' "$SHA256" | sed '/^[[:space:]]*$/d' | sha256sum -c --strict - 2>&1); then
        echo "$out" >&2
        fail "$PKG $VERSION: SHA-256 mismatch or missing file in $dir (pinned in vendor/$NAME.recipe)"
    fi
}

ensure_deb_src() {
    apt-cache showsrc "$PKG" 2>/dev/null | grep -qx "Version: $VERSION" && return 0
    local f=/etc/apt/sources.list.d/debsrc-bookworm.sources
    if [ ! -f "$f" ]; then
        [ "$(id -u)" = 0 ] || fail "no deb-src entry for bookworm: as root, create $f (see vendor/fetch.sh)"
        cat > "$f" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    apt-get update -qq >/dev/null 2>&1 || apt-get update || true
    apt-cache showsrc "$PKG" 2>/dev/null | grep -qx "Version: $VERSION" ||
        fail "apt knows no source package $PKG=$VERSION (apt-cache showsrc $PKG)"
}

fetch_debian_source() {
    local stamp=$SRC/$DIR/.vendor-version
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PKG $VERSION" ] && return 0
    mkdir -p "$DL"
    local dsc=${PKG}_${VERSION#*:}.dsc
    if ! (cd "$DL" && printf '%s\n' "$SHA256" | sed '/^[[:space:]]*$/d' | sha256sum -c --strict --quiet - >/dev/null 2>&1); then
        ensure_deb_src
        (cd "$DL" && apt-get source -qq --download-only "$PKG=$VERSION" >download.log 2>&1) ||
            { cat "$DL/download.log" >&2; fail "apt-get source --download-only $PKG=$VERSION failed"; }
    fi
    verify "$DL"
    rm -rf "${SRC:?}/$DIR"
    dpkg-source -x "$DL/$dsc" "$SRC/$DIR" > "$DL/$PKG.unpack.log" 2>&1 ||
        { cat "$DL/$PKG.unpack.log" >&2; fail "dpkg-source -x $dsc failed"; }
    rm -f "$SRC"/*.orig.tar.* # dpkg-source leaves a copy of the orig tarball beside the tree
    echo "$PKG $VERSION" > "$stamp"
    echo "vendor: unpacked $PKG $VERSION into vendor/src/$DIR"
}

fetch_tarball_members() {
    local stamp=$SRC/$DIR/.vendor-version
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PKG $VERSION" ] && return 0
    if [ ! -f "$TARBALL" ]; then
        [ "$(id -u)" = 0 ] || fail "$TARBALL missing: apt-get install $PKG"
        apt-get install -y -qq --no-install-recommends "$PKG" >/dev/null || fail "apt-get install $PKG failed"
    fi
    verify "$(dirname "$TARBALL")"
    rm -rf "${SRC:?}/$DIR"; mkdir -p "$SRC"
    # shellcheck disable=SC2086 # MEMBERS is a list of patterns
    tar -C "$SRC" -xJf "$TARBALL" --wildcards $MEMBERS || fail "unpacking $TARBALL failed"
    echo "$PKG $VERSION" > "$stamp"
    echo "vendor: unpacked libgcc soft-fp from $PKG $VERSION into vendor/src/$DIR"
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for r in "$VENDOR"/*.recipe; do n=${r##*/}; names+=("${n%.recipe}"); done
fi
mkdir -p "$SRC"
exec 9>"$SRC/.fetch.lock"
flock 9
for NAME in "${names[@]}"; do
    [ -f "$VENDOR/$NAME.recipe" ] || fail "no recipe vendor/$NAME.recipe"
    PKG="" VERSION="" DIR="" SHA256="" TARBALL="" MEMBERS=""
    # shellcheck disable=SC1090
    . "$VENDOR/$NAME.recipe"
    if [ -n "$TARBALL" ]; then fetch_tarball_members; else fetch_debian_source; fi
done
