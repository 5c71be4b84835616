/* Certificate chain validation for the TLS client (RFC 5280 subset, the rules of BearSSL's
 * br_x509_minimal): the server's chain is collected as it arrives, then checked end entity
 * first. Each certificate's issuer Name must be the next one's subject Name (exact DER bytes);
 * the chain ends at the first certificate whose issuer is a CA trust anchor that verifies its
 * signature (later certificates are ignored). Certificates above the end entity must be CAs
 * (basicConstraints cA, pathLenConstraint, keyUsage keyCertSign when present); every one must
 * be valid at the validation time and carry no unknown critical extension; signatures use
 * SHA-256/384/512 with RSA PKCS#1 v1.5 (1024 to 4096 bits) or ECDSA (P-256/384/521); the end
 * entity must name the server in a SAN dNSName. No allocation: the chain lives in a fixed
 * buffer and a chain that does not fit is refused, never truncated.
 *
 * The cryptography is the caller's (struct x509_chain_ops), so this file is plain logic. */
#ifndef ACME_X509_CHAIN_H
#define ACME_X509_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "x509.h"

#define X509_CHAIN_MAX 5       /* certificates kept */
#define X509_CHAIN_BYTES 16384 /* their total size (TLS_CERT_DER_MAX) */
#define X509_CHAIN_SIG_MAX 512 /* signature bytes (RSA-4096) */
#define X509_CHAIN_RSA_MIN 128 /* modulus bytes (RSA-1024) */
#define X509_CHAIN_KEY_MAX 520 /* modulus plus exponent bytes */

/* Results: numerically BearSSL's BR_ERR_X509_* codes, so the TLS engine and its messages can
 * use them unchanged (bearssl/tls_client.c checks that they agree). */
enum x509_chain_result {
    X509_CHAIN_OK = 32,
    X509_CHAIN_INVALID = 33,        /* BR_ERR_X509_INVALID_VALUE: a malformed certificate */
    X509_CHAIN_EMPTY = 35,          /* BR_ERR_X509_EMPTY_CHAIN */
    X509_CHAIN_UNSUPPORTED = 49,    /* key or signature algorithm */
    X509_CHAIN_LIMIT = 50,          /* BR_ERR_X509_LIMIT_EXCEEDED: chain or field too large */
    X509_CHAIN_WRONG_KEY_TYPE = 51, /* signature algorithm does not fit the signer's key */
    X509_CHAIN_BAD_SIGNATURE = 52,
    X509_CHAIN_EXPIRED = 54, /* outside the validity period (either end) */
    X509_CHAIN_DN_MISMATCH = 55,
    X509_CHAIN_BAD_SERVER_NAME = 56,
    X509_CHAIN_CRITICAL_EXTENSION = 57,
    X509_CHAIN_NOT_CA = 58,
    X509_CHAIN_FORBIDDEN_KEY_USAGE = 59,
    X509_CHAIN_WEAK_PUBLIC_KEY = 60,
    X509_CHAIN_NOT_TRUSTED = 62
};

/* Key usages of the end entity, BearSSL's BR_KEYTYPE_KEYX and BR_KEYTYPE_SIGN. */
#define X509_USAGE_KEYX 0x10
#define X509_USAGE_SIGN 0x20

#define X509_HASH_SHA256 4 /* BearSSL's hash ids (br_sha256_ID ...) */
#define X509_HASH_SHA384 5
#define X509_HASH_SHA512 6

/* What a certificate's signature covers, for x509_chain_ops. */
struct x509_signed {
    int key_type; /* X509_KEY_RSA or X509_KEY_EC, from the signature algorithm */
    int hash;     /* X509_HASH_* */
    const uint8_t *tbs, *sig;
    size_t tbs_len, sig_len;
};

struct x509_chain_ops {
    void *ctx;
    /* X509_CHAIN_OK when key signed s; else X509_CHAIN_WRONG_KEY_TYPE, _BAD_SIGNATURE or
     * _UNSUPPORTED. */
    int (*verify)(void *ctx, const struct x509_pubkey *key, const struct x509_signed *s);
    /* 1 when a CA trust anchor with this subject Name (DER) verifies s, else 0. */
    int (*anchor_signed)(void *ctx, const uint8_t *name, size_t len, const struct x509_signed *s);
    /* 1 when a non-CA trust anchor has this subject Name and key (the end entity itself is
     * trusted), else 0. */
    int (*anchor_is)(void *ctx, const uint8_t *name, size_t len, const struct x509_pubkey *key);
};

struct x509_chain {
    uint8_t buf[X509_CHAIN_BYTES];
    size_t start[X509_CHAIN_MAX + 1]; /* certificate i is buf[start[i] .. start[i + 1]) */
    size_t kept;                      /* complete certificates in buf */
    unsigned received;                /* certificates the server sent */
    size_t want, got;                 /* announced and received bytes of the current one */
    int overflow; /* a certificate did not fit: it and those after it were dropped */
};

/* Collecting, in the order of br_x509_class: start a chain, then for each certificate begin
 * (with its announced length), append its bytes, end. */
void x509_chain_start(struct x509_chain *c);
void x509_chain_begin_cert(struct x509_chain *c, uint32_t length);
void x509_chain_append(struct x509_chain *c, const uint8_t *p, size_t n);
void x509_chain_end_cert(struct x509_chain *c);

/* The end entity certificate (NULL when it was not kept whole). */
const uint8_t *x509_chain_leaf(const struct x509_chain *c, size_t *len);

/* Validates the collected chain at time now for server_name (NULL or "": no name check, e.g.
 * for an IP literal the caller checks itself). X509_CHAIN_OK with the end entity's key (into
 * c->buf) in *ee_key and its X509_USAGE_* in *usages, or the first problem found. */
int x509_chain_validate(const struct x509_chain *c, const char *server_name, int64_t now,
                        const struct x509_chain_ops *ops, struct x509_pubkey *ee_key,
                        unsigned *usages);

#endif
