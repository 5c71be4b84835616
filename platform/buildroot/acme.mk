################################################################################
#
# acme-c: acme.c, a small ACME client, with BearSSL from its release tarball
#
# A Buildroot external tree (external.desc, Config.in, external.mk include this file):
#   make BR2_EXTERNAL=/path/to/acme.c/platform/buildroot menuconfig
# The acme.c sources come from the tree this directory is in (site method "local"); the
# BearSSL release is an extra download checked against acme-c.hash.
#
################################################################################

ACME_C_VERSION = 0.1.0
ACME_C_SITE = $(BR2_EXTERNAL_ACME_C_PATH)/../..
ACME_C_SITE_METHOD = local
# BearSSL is MIT; add acme.c's own licence here when the project declares one.
ACME_C_LICENSE = MIT (BearSSL)
ACME_C_DEPENDENCIES = ca-certificates
# the tree's own build outputs and vendored sources are not needed (and large)
ACME_C_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = --exclude build --exclude vendor

ACME_C_BEARSSL_VERSION = 0.6
ACME_C_BEARSSL_SOURCE = bearssl-$(ACME_C_BEARSSL_VERSION).tar.gz
ACME_C_EXTRA_DOWNLOADS = https://bearssl.org/$(ACME_C_BEARSSL_SOURCE)

# The Kconfig choices of this package. Trust anchors come from ca-certificates at run time
# (ca_file), so none are compiled in and the build host's certificates do not matter.
define ACME_C_CONFIGURE_CMDS
	( echo "CONFIG_TLS_BEARSSL=y"; \
	  echo "# CONFIG_BUILTIN_TRUST_ANCHORS is not set"; \
	  $(if $(BR2_PACKAGE_ACME_C_RSA),echo "CONFIG_RSA=y",echo "# CONFIG_RSA is not set"); \
	  $(if $(BR2_PACKAGE_ACME_C_HTTP01_RESPONDER),echo "CONFIG_HTTP01_RESPONDER=y",echo "# CONFIG_HTTP01_RESPONDER is not set"); \
	  $(if $(BR2_PACKAGE_ACME_C_TLSALPN01_RESPONDER),echo "CONFIG_TLSALPN01_RESPONDER=y",echo "# CONFIG_TLSALPN01_RESPONDER is not set"); \
	) > $(@D)/buildroot_defconfig
endef

define ACME_C_BUILD_CMDS
	rm -rf $(@D)/bearssl-src $(@D)/br-out
	mkdir -p $(@D)/bearssl-src
	$(TAR) -xzf $(ACME_C_DL_DIR)/$(ACME_C_BEARSSL_SOURCE) -C $(@D)/bearssl-src --strip-components=1
	$(TARGET_MAKE_ENV) CC="$(TARGET_CC)" AR="$(TARGET_AR)" MAKE="$(MAKE1)" JOBS="$(PARALLEL_JOBS)" \
		CFLAGS="$(TARGET_CFLAGS) -ffunction-sections -fdata-sections" \
		LDFLAGS="$(TARGET_LDFLAGS) -Wl,--gc-sections" \
		sh $(@D)/platform/buildroot/build-acme.sh $(@D) $(@D)/bearssl-src $(@D)/br-out \
			$(@D)/buildroot_defconfig
endef

define ACME_C_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/br-out/acme $(TARGET_DIR)/usr/sbin/acme
	$(INSTALL) -d -m 0700 $(TARGET_DIR)/etc/acme
endef

ifeq ($(BR2_PACKAGE_ACME_C_FIRST_BOOT),y)
define ACME_C_INSTALL_FIRST_BOOT
	$(INSTALL) -D -m 0644 $(@D)/platform/initramfs/acme-status.sh \
		$(TARGET_DIR)/usr/share/acme/acme-status.sh
	$(INSTALL) -D -m 0644 $(@D)/platform/initramfs/crontab $(TARGET_DIR)/usr/share/acme/crontab
	$(INSTALL) -D -m 0644 $(@D)/platform/initramfs/acme.conf.example \
		$(TARGET_DIR)/usr/share/acme/acme.conf.example
endef
ACME_C_POST_INSTALL_TARGET_HOOKS += ACME_C_INSTALL_FIRST_BOOT

define ACME_C_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/platform/initramfs/S50acme $(TARGET_DIR)/etc/init.d/S50acme
endef
endif

# generic-package names a package after its directory ("buildroot" here), so the inner macro
# is called with the package's own name.
$(eval $(call inner-generic-package,acme-c,ACME_C,ACME_C,target))
