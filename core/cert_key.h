/* The certificate key and CSR of an issuance (the renewal run and `acme challenges --finish`):
 * the installed key when reuse_key is set and the key file exists, else a new cfg->key_type
 * key. */
#ifndef ACME_CERT_KEY_H
#define ACME_CERT_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct acme_config;
struct arena;

#define CERT_KEY_PEM_MAX 8192
#define CERT_CSR_MAX 8192

/* Fills k and the CSR for cfg's names (csr: CERT_CSR_MAX bytes). *pem is the new key's PEM to
 * install (static storage: cert_key_wipe() clears it), NULL when the installed key is kept.
 * A key file that exists but cannot be read or loaded is an error (ACME_ELOCAL). 0 or -1. */
int cert_key_csr(const struct acme_config *cfg, struct arena *a, struct crypto_key *k,
                 const char **pem, size_t *pem_len, uint8_t *csr, size_t *csr_len);
/* A new key of `type` into k; *pem is its PEM (the static storage cert_key_wipe() clears).
 * Also for `selfsign`. Errors: ACME_ELOCAL. 0 or -1. */
int cert_key_new(struct crypto_key *k, enum key_type type, const char **pem, size_t *pem_len);
/* Clears the PEM storage and k. */
void cert_key_wipe(struct crypto_key *k);

#endif
