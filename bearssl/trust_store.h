/* BearSSL trust anchors from ca_file or the built-in certificates, decoded once into static
 * storage (CONFIG_TRUST_ANCHORS_MAX anchors, CONFIG_TRUST_STORE_SIZE bytes of names and
 * keys). */
#ifndef ACME_BEARSSL_TRUST_STORE_H
#define ACME_BEARSSL_TRUST_STORE_H

#include <bearssl.h>
#include <stddef.h>

/* Loads the anchors for ca_file (NULL: the default) unless they are loaded already. 0 with
 * the anchors and a description of their source for messages, or -1 with an error. */
int trust_store_load(const char *ca_file, const br_x509_trust_anchor **anchors, size_t *n,
                     const char **source);

#endif
