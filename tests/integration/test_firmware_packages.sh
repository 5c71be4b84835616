#!/usr/bin/env bash
# The OpenWrt package (platform/openwrt/Makefile) and the Buildroot package
# (platform/buildroot/acme.mk) driven by minimal stand-ins for OpenWrt's rules.mk/package.mk
# and Buildroot's package infrastructure, with the mipsel soft-float musl toolchain of
# vendor/ (the OpenWrt-like target; else Debian's mipsel cross gcc, else host gcc) and a BearSSL 0.6 source
# tarball made from vendor/src (Debian's repack of the release; the real packages download
# bearssl-0.6.tar.gz and check its hash, which cannot be done offline). The binaries must run
# (under qemu-mipsel -cpu 24Kc) and make a self-signed certificate that openssl accepts; the
# packages must install the files they promise. The shell scripts of platform/openwrt and
# platform/initramfs must be POSIX (dash -n, checkbashisms when installed).
#
# Environment: ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 1
. "$ROOT/tests/integration/lib/check.sh"
skip() { echo "skip $*"; }
W=$(mktemp -d /tmp/acme-fwpkg-test.XXXXXX)
trap 'rm -rf "$W"' EXIT

# --- POSIX shell scripts (busybox ash on the target)
for f in platform/openwrt/files/hook.sh platform/openwrt/files/uci-defaults-acme-c \
    platform/initramfs/S50acme platform/initramfs/acme-status.sh \
    platform/buildroot/autoconf.sh platform/buildroot/build-acme.sh; do
    if dash -n "$f" 2>"$W/dash.log"; then ok "$f: dash -n"; else bad "$f: dash -n: $(cat "$W/dash.log")"; fi
    if command -v checkbashisms >/dev/null; then
        if checkbashisms "$f" > "$W/cb.log" 2>&1; then ok "$f: checkbashisms"; else bad "$f: checkbashisms:"; sed 's/^/    /' "$W/cb.log"; fi
    fi
done

# --- toolchain and BearSSL tarball
CC=gcc AR=ar CFLAGS="-Os" LDFLAGS="" RUN=() TARGET=host
if envs=$(bash vendor/build.sh --env mipsel 2>/dev/null) && eval "$envs" && [ -x "${CROSS_CC:-}" ] &&
    command -v qemu-mipsel >/dev/null; then
    CC=$CROSS_CC AR=$CROSS_AR CFLAGS=$CROSS_CFLAGS LDFLAGS=$CROSS_LDFLAGS
    RUN=(qemu-mipsel -cpu 24Kc) TARGET=mipsel-musl-softfloat
elif command -v mipsel-linux-gnu-gcc >/dev/null && command -v qemu-mipsel >/dev/null; then
    # vendor's sysroot not prepared: Debian's (hard-float, glibc) cross compiler, static;
    # qemu's default CPU has the FPU it needs
    CC=mipsel-linux-gnu-gcc AR=mipsel-linux-gnu-ar CFLAGS="-Os" LDFLAGS="-static"
    RUN=(qemu-mipsel) TARGET=mipsel-glibc
fi
echo "target: $TARGET ($CC)"
BR_SRC=$(ls -d vendor/src/bearssl-0.6* 2>/dev/null | head -1)
if [ -z "$BR_SRC" ]; then
    bash vendor/fetch.sh bearssl >/dev/null 2>&1
    BR_SRC=$(ls -d vendor/src/bearssl-0.6* 2>/dev/null | head -1)
fi
if [ -z "$BR_SRC" ]; then
    bad "no BearSSL source in vendor/src (bash vendor/fetch.sh bearssl)"
    finish
fi
mkdir -p "$W/dl" "$W/tar/bearssl-0.6"
cp -a "$BR_SRC"/. "$W/tar/bearssl-0.6/"
tar -czf "$W/dl/bearssl-0.6.tar.gz" -C "$W/tar" bearssl-0.6
rm -rf "$W/tar"

# run_binary NAME BIN: --version, and selfsign into a temp dir; the certificate must parse
# and match its key.
run_binary() {
    local n=$1 bin=$2 d=$W/$1-selfsign
    if "${RUN[@]}" "$bin" --version > "$W/$n.version" 2>&1 && grep -q "^acme.c " "$W/$n.version"; then
        ok "$n: $(cat "$W/$n.version") runs ($TARGET)"
    else
        bad "$n: --version: $(cat "$W/$n.version")"; return
    fi
    if "${RUN[@]}" "$bin" -q -o domains=router.test -o "state_dir=$d" selfsign > "$W/$n.ss" 2>&1 &&
        openssl x509 -in "$d/cert.pem" -noout -ext subjectAltName 2>/dev/null | grep -q "DNS:router.test" &&
        [ "$(openssl x509 -in "$d/cert.pem" -noout -pubkey | md5sum)" = "$(openssl pkey -in "$d/key.pem" -pubout | md5sum)" ]; then
        ok "$n: selfsign makes a certificate openssl accepts"
    else
        bad "$n: selfsign: $(cat "$W/$n.ss")"
    fi
}

# --- OpenWrt: rules.mk / package.mk stand-ins, just enough for the package's Makefile
T=$W/openwrt
mkdir -p "$T/include" "$T/package"
ln -s "$ROOT/platform/openwrt" "$T/package/acme-c"
cat > "$T/rules.mk" <<EOF
TAR:=tar
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_DATA:=install -m0644
BUILD_DIR:=$T/build_dir
DL_DIR:=$W/dl
INCLUDE_DIR:=$T/include
TARGET_CC:=$CC
TARGET_AR:=$AR
TARGET_CFLAGS:=$CFLAGS
TARGET_CPPFLAGS:=
TARGET_LDFLAGS:=$LDFLAGS
SOURCE_DATE_EPOCH:=1700000000
EOF
cat > "$T/include/package.mk" <<'EOF'
PKG_BUILD_DIR ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_JOBS ?= -j4
.PHONY: compile
compile:
	rm -rf $(PKG_BUILD_DIR) && mkdir -p $(PKG_BUILD_DIR)
	$(Build/Prepare)
	$(Build/Configure)
	$(Build/Compile)
define BuildPackage
install-$(1): compile
	mkdir -p $(TOPDIR)/ipkg/$(1)
	$$(call Package/$(1)/install,$(TOPDIR)/ipkg/$(1))
endef
EOF
if make -s -C "$T/package/acme-c" TOPDIR="$T" CONFIG_ACME_C_RSA=y CONFIG_ACME_C_HTTP01_RESPONDER=y \
    CONFIG_ACME_C_TLSALPN01_RESPONDER=y \
    install-acme-c install-acme-acmec > "$T.log" 2>&1; then
    ok "openwrt: Makefile prepares, configures, compiles and installs both packages"
else
    bad "openwrt: make failed:"; tail -20 "$T.log" | sed 's/^/    /'
fi
[ -x "$T/ipkg/acme-c/usr/sbin/acme" ] && ok "openwrt: acme-c installs /usr/sbin/acme" || bad "openwrt: no /usr/sbin/acme"
[ -x "$T/ipkg/acme-acmec/usr/lib/acme/hook" ] && cmp -s "$T/ipkg/acme-acmec/usr/lib/acme/hook" platform/openwrt/files/hook.sh &&
    ok "openwrt: acme-acmec installs /usr/lib/acme/hook" || bad "openwrt: no /usr/lib/acme/hook"
if grep -qx "# CONFIG_BUILTIN_TRUST_ANCHORS is not set" "$T"/build_dir/acme-c-*/openwrt_defconfig 2>/dev/null &&
    grep -qx "CONFIG_RSA=y" "$T"/build_dir/acme-c-*/openwrt_defconfig; then
    ok "openwrt: defconfig from the package options"
else
    bad "openwrt: defconfig: $(cat "$T"/build_dir/acme-c-*/openwrt_defconfig 2>/dev/null | tr '\n' ';')"
fi
if grep -q '^PKG_HASH:=[0-9a-f]\{64\}$' platform/openwrt/Makefile &&
    grep -q "^PKG_SOURCE_URL:=https://bearssl.org/" platform/openwrt/Makefile; then
    ok "openwrt: BearSSL download pinned by a SHA-256 PKG_HASH"
else
    bad "openwrt: PKG_SOURCE_URL/PKG_HASH"
fi
[ -x "$T/ipkg/acme-c/usr/sbin/acme" ] && run_binary openwrt "$T/ipkg/acme-c/usr/sbin/acme"

# --- Buildroot: the package infrastructure's inner-generic-package, reduced to its commands
B=$W/buildroot
mkdir -p "$B/target"
cat > "$B/Makefile" <<EOF
BR2_EXTERNAL_ACME_C_PATH := $ROOT/platform/buildroot
TARGET_DIR := $B/target
DL_DIR := $W/dl
TAR := tar
INSTALL := install
TARGET_CC := $CC
TARGET_AR := $AR
TARGET_CFLAGS := $CFLAGS
TARGET_LDFLAGS := $LDFLAGS
TARGET_MAKE_ENV := PATH="\$(PATH)"
MAKE1 := \$(MAKE) -j1
PARALLEL_JOBS := 4
BR2_PACKAGE_ACME_C := y
BR2_PACKAGE_ACME_C_RSA :=
BR2_PACKAGE_ACME_C_HTTP01_RESPONDER := y
BR2_PACKAGE_ACME_C_TLSALPN01_RESPONDER :=
BR2_PACKAGE_ACME_C_FIRST_BOOT := y
define inner-generic-package
\$(2)_DL_DIR := \$(DL_DIR)
all: $B/src/\$(1)/.stamp
$B/src/\$(1)/.stamp:
	rm -rf \$\$(@D) && mkdir -p \$\$(@D)
	(cd \$(\$(2)_SITE) && tar --exclude=./build --exclude=./vendor --exclude=./.git -cf - .) | tar -xf - -C \$\$(@D)
	\$\$(\$(2)_CONFIGURE_CMDS)
	\$\$(\$(2)_BUILD_CMDS)
	\$\$(\$(2)_INSTALL_TARGET_CMDS)
	\$\$(ACME_C_INSTALL_FIRST_BOOT)
	\$\$(\$(2)_INSTALL_INIT_SYSV)
	touch \$\$@
endef
include \$(BR2_EXTERNAL_ACME_C_PATH)/external.mk
EOF
if make -s -C "$B" > "$B.log" 2>&1; then
    ok "buildroot: acme.mk configures, builds and installs"
    for f in usr/sbin/acme etc/init.d/S50acme usr/share/acme/acme-status.sh usr/share/acme/crontab; do
        [ -e "$B/target/$f" ] && ok "buildroot: installs /$f" || bad "buildroot: no /$f"
    done
    if grep -qx "# CONFIG_RSA is not set" "$B/src/acme-c/buildroot_defconfig" &&
        grep -qx "# CONFIG_TLSALPN01_RESPONDER is not set" "$B/src/acme-c/buildroot_defconfig"; then
        ok "buildroot: options turned off reach the defconfig"
    else
        bad "buildroot: defconfig: $(tr '\n' ';' < "$B/src/acme-c/buildroot_defconfig")"
    fi
    run_binary buildroot "$B/target/usr/sbin/acme"
else
    bad "buildroot: make failed:"; tail -20 "$B.log" | sed 's/^/    /'
fi
if grep -q "^sha256  [0-9a-f]\{64\}  bearssl-0.6.tar.gz$" platform/buildroot/acme-c.hash; then
    ok "buildroot: acme-c.hash pins bearssl-0.6.tar.gz"
else
    bad "buildroot: acme-c.hash"
fi

finish
