/* Build-time configuration: the autoconf.h generated from Kconfig by build.sh, plus checks of
 * combinations Kconfig cannot express. */
#ifndef ACME_BUILD_CONFIG_H
#define ACME_BUILD_CONFIG_H

#include "autoconf.h"

#if !defined(CONFIG_TLS_BEARSSL) && !defined(CONFIG_TLS_MBEDTLS)
#error "Kconfig: choose a TLS backend (CONFIG_TLS_BEARSSL or CONFIG_TLS_MBEDTLS)"
#endif
#if CONFIG_HTTP_BODY_MAX * 2 > CONFIG_ARENA_SIZE
#error "Kconfig: CONFIG_ARENA_SIZE must be at least twice CONFIG_HTTP_BODY_MAX"
#endif

/* What a key or command that needs a feature left out of this build says (exit 2). */
#define ACME_NO_DNS01 "this acme was built without the DNS-01 hook (CONFIG_DNS01_HOOK)"
#define ACME_NO_SELFSIGN "this acme was built without self-signed certificates (CONFIG_SELFSIGN)"

#ifndef ACME_VERSION
#define ACME_VERSION "0.1.0"
#endif

#endif
