/* The crypto interface core/ uses; implemented in bearssl/ (core/ never includes BearSSL).
 * Keys live in caller-owned struct crypto_key storage; nothing allocates. Every function
 * returning int gives 0 on success and -1 with err_set() on failure unless said otherwise. */
#ifndef ACME_CRYPTO_H
#define ACME_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum key_type {
    KEY_NONE = 0,
    KEY_EC256,
    KEY_EC384,
    KEY_EC521,
    KEY_RSA2048,
    KEY_RSA3072,
    KEY_RSA4096
};

/* Config names: ec-256 ec-384 ec-521 rsa-2048 rsa-3072 rsa-4096, and the OpenWrt spellings
 * ec256 ... rsa4096. rsa-8192 and other sizes are errors that say BearSSL's limit.
 * Implemented in core/keytype.c (no crypto library needed). */
int key_type_parse(const char *s, enum key_type *out);
const char *key_type_name(enum key_type t);
int key_type_is_rsa(enum key_type t);

/* Large enough for an RSA-4096 private key with its public part in BearSSL's layout. */
#define CRYPTO_KEY_STORAGE 3328
struct crypto_key {
    enum key_type type;
    union {
        uint64_t align;
        unsigned char b[CRYPTO_KEY_STORAGE];
    } u;
};

/* Random bytes from a DRBG seeded once from the kernel (getrandom, waiting for the pool on
 * first boot up to CONFIG_ENTROPY_WAIT_MAX with a message; never time or pids). */
int crypto_random(void *out, size_t n);

int crypto_key_generate(struct crypto_key *k, enum key_type t);
/* Loads the first private key in a PEM text: "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" (SEC1)
 * or "RSA PRIVATE KEY" (PKCS#1); "ENCRYPTED PRIVATE KEY" and Proc-Type encrypted keys are
 * refused. `origin` (a path) is named in errors. */
int crypto_key_load_pem(struct crypto_key *k, const char *pem, size_t len, const char *origin);
/* Appends the key as PKCS#8 "PRIVATE KEY" PEM. */
int crypto_key_write_pem(const struct crypto_key *k, struct buf *out);
void crypto_key_wipe(struct crypto_key *k);

/* Public key components, pointing into the key's storage. EC: crv "P-256"/"P-384"/"P-521",
 * x and y of the curve's fixed length. RSA: n and e without leading zero bytes. */
struct crypto_pub {
    enum key_type type;
    const char *crv;
    const uint8_t *x, *y;
    size_t coord_len;
    const uint8_t *n, *e;
    size_t n_len, e_len;
};
int crypto_key_public(const struct crypto_key *k, struct crypto_pub *pub);

/* "ES256", "ES384", "ES512" or "RS256". */
const char *crypto_jws_alg(const struct crypto_key *k);
/* JWS signature over msg: EC raw r||s (fixed length, RFC 7518 3.4), RSA PKCS#1 v1.5 SHA-256. */
int crypto_sign_jws(const struct crypto_key *k, const void *msg, size_t n, uint8_t *sig, size_t cap,
                    size_t *siglen);
/* HMAC-SHA-256/384/512 (bits = 256, 384, 512) for External Account Binding. */
int crypto_hmac(int bits, const void *key, size_t klen, const void *msg, size_t n, uint8_t *out,
                size_t cap, size_t *outlen);
void crypto_sha256(const void *msg, size_t n, uint8_t out[32]);

/* PKCS#10 CSR, DER. Subject CN = names[0] unless no_cn or names[0] is an IP address; SAN with
 * every name (DNS names and IPv4/IPv6 literals); TLS Feature status_request if must_staple.
 * Limits CONFIG_MAX_NAMES / CONFIG_MAX_NAME_LEN are errors (ACME_ECONFIG) naming the limit. */
struct csr_opts {
    const char *const *names;
    size_t n;
    int no_cn;
    int must_staple;
};
int crypto_csr(const struct crypto_key *k, const struct csr_opts *o, uint8_t *der, size_t cap,
               size_t *len);

/* X.509 v3 certificate, DER: random positive 16-byte serial, validity, subject CN (optional),
 * SAN, basicConstraints (cA when is_ca), keyUsage, extKeyUsage serverAuth (not for CAs),
 * subjectKeyIdentifier, authorityKeyIdentifier. Self-signed when issuer_key is NULL; otherwise
 * signed by issuer_key with the issuer's subject name and key identifier taken from issuer_der.
 * extra_ext: complete Extension SEQUENCEs, concatenated (e.g. a critical acmeIdentifier). */
struct cert_opts {
    const char *const *names;
    size_t n;
    const char *cn;
    int64_t not_before, not_after;
    int is_ca;
    const struct crypto_key *issuer_key;
    const uint8_t *issuer_der;
    size_t issuer_len;
    const uint8_t *extra_ext;
    size_t extra_ext_len;
};
int crypto_cert(const struct crypto_key *subject_key, const struct cert_opts *o, uint8_t *der,
                size_t cap, size_t *len);

/* 1 when the certificate's public key is k's public key, 0 when not, -1 on a parse error. */
int crypto_cert_matches_key(const uint8_t *cert_der, size_t n, const struct crypto_key *k);

#endif
