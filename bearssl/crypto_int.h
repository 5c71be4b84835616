/* Internals shared by the bearssl/ implementation of core/crypto.h: how a key is laid out in
 * struct crypto_key storage, the DRBG, hashing/signing helpers and the X.509 building blocks
 * used by the CSR and certificate writers. Not for core/. */
#ifndef ACME_BEARSSL_CRYPTO_INT_H
#define ACME_BEARSSL_CRYPTO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "crypto.h"
#include "der.h"

/* Key material is stored in the key's byte storage as a small header (big-endian fields,
 * no struct overlay) plus one packed byte pool; never as pointers, so a struct crypto_key may
 * be copied freely. BearSSL key structures are rebuilt on use (key_*_views).
 * EC pool: x (private scalar, padded to the order length) then q (uncompressed point).
 * RSA pool: p q dp dq iq (private) then n e d (modulus and exponents, no leading zeros). */
enum { KE_P, KE_Q, KE_DP, KE_DQ, KE_IQ, KE_N, KE_E, KE_D, KE_COUNT };
enum { KE_ECX = 0, KE_ECQ = 1 };
#define KS_HDR 32 /* curve (1), n_bitlen (4), element lengths (2 * KE_COUNT) */
#define KS_POOL (CRYPTO_KEY_STORAGE - KS_HDR)

int key_curve(const struct crypto_key *k);
size_t key_len(const struct crypto_key *k, int i);
const unsigned char *key_elem(const struct crypto_key *k, int i);
/* Stores a key from its elements (count of them, in pool order); -1 when they do not fit. */
int key_store_set(struct crypto_key *k, enum key_type t, int curve,
                  const unsigned char *const *elems, const size_t *lens, int count);

/* Overwrites memory that held secrets in a way the compiler does not drop. */
void crypto_wipe(void *p, size_t n);

/* BearSSL views of a stored key (pointers into the key). */
void key_ec_views(const struct crypto_key *k, br_ec_private_key *sk, br_ec_public_key *pk);
void key_rsa_views(const struct crypto_key *k, br_rsa_private_key *sk, br_rsa_public_key *pk);
int key_is_ec(const struct crypto_key *k);
/* The key's SubjectPublicKeyInfo, DER (used by the test tools, too). */
int crypto_key_spki(const struct crypto_key *k, uint8_t *der, size_t cap, size_t *len);

/* The EC implementation used for a curve (see key_store.c): P-256 specialised code on 64-bit
 * targets, generic i31 otherwise. */
const br_ec_impl *ec_impl(int curve);
/* P-256 with 64-bit limbs (bearssl/ec_p256_w64.c), where the compiler has a 128-bit type;
 * elsewhere BearSSL's generic br_ec_prime_i31 (br_ec_p256_m31 with CONFIG_P256_M31). */
#if defined(__SIZEOF_INT128__)
#define EC_P256_W64 1
extern const br_ec_impl ec_p256_w64;
/* br_ecdsa_i31_sign_raw() on P-256 with the same (RFC 6979) signatures, 64-bit scalar
 * arithmetic; 64 bytes r || s, or 0 on a bad key or another curve. */
size_t ec_p256_w64_sign(const br_hash_class *hf, const void *hash_value,
                        const br_ec_private_key *sk, void *sig);
/* br_ecdsa_i31_vrfy_raw() on P-256 with 64-bit scalar arithmetic: 1 when the raw r || s
 * signature of the hash is valid for pk, else 0 (also for another curve). */
uint32_t ec_p256_w64_vrfy_raw(const void *hash, size_t hash_len, const br_ec_public_key *pk,
                              const void *sig, size_t sig_len);
#endif
/* A br_ecdsa_vrfy for the TLS engine and X.509 validation (br_ssl_engine_set_ecdsa,
 * bearssl/chain_verify.c): ec_p256_w64_vrfy_raw for P-256 where it is built,
 * br_ecdsa_i31_vrfy_asn1 otherwise; the same results. */
uint32_t ecdsa_vrfy_asn1(const br_ec_impl *impl, const void *hash, size_t hash_len,
                         const br_ec_public_key *pk, const void *sig, size_t sig_len);
/* One br_ec_impl for the TLS engine, the TLS-ALPN-01 handshake and X.509 validation: P-256, P-384
 * and P-521 through ec_impl() (no Curve25519). */
extern const br_ec_impl ec_acme;
#if defined(__x86_64__)
/* bearssl/aes_gcm_ni.c: whether the CPU has AES-NI, PCLMULQDQ and SSSE3, and the AES-CTR class
 * and GHASH that use them. */
int aes_ni_supported(void);
extern const br_block_ctr_class aes_ni_ctr_vtable;
void aes_ni_ghash(void *y, const void *h, const void *data, size_t len);
#endif
/* The AES-CTR class of AES-GCM record protection (bearssl/tls12.c) and its GHASH in *ghash, or
 * NULL when this build cannot do AES on this machine. x86_64 uses the CPU's AES instructions
 * (aes_gcm_ni.c) and, without them, has no AES unless CONFIG_X86_64_SOFT_AES links BearSSL's
 * bitsliced code, which other targets always use (ct64 on 64-bit, ct on 32-bit targets; one
 * each: BearSSL's run-time choice would link every candidate). */
const br_block_ctr_class *tls_aes_ctr(br_ghash *ghash);

/* The process-wide HMAC-DRBG, seeded from sys_entropy() on first use; NULL with the error
 * set when the kernel gives no entropy. */
const br_prng_class **crypto_prng(void);

/* Hash for an EC curve's JWS/X.509 signature: SHA-256, SHA-384 or SHA-512. */
const br_hash_class *ec_hash(int curve);

/* Signature for X.509 (certificates, CSRs): ECDSA DER-encoded with the curve's hash, or
 * RSA PKCS#1 v1.5 SHA-256. */
#define SIG_MAX 512
int x509_sign(const struct crypto_key *k, const void *tbs, size_t n, uint8_t *sig, size_t cap,
              size_t *siglen);

/* DER building blocks (X.509 / PKCS#10). */
void xw_spki(struct der_writer *w, const struct crypto_key *k);
void xw_sig_alg(struct der_writer *w, const struct crypto_key *k);
/* Name with one CN (cn may be NULL: empty Name). */
void xw_name_cn(struct der_writer *w, const char *cn);
/* Checks names against CONFIG_MAX_NAMES / CONFIG_MAX_NAME_LEN and their syntax. */
int xw_check_names(const char *const *names, size_t n);
/* The SAN extension (critical when the subject is empty). */
void xw_ext_san(struct der_writer *w, const char *const *names, size_t n, int critical);
/* Appends the signature algorithm and BIT STRING signature over w->p[tbs_off..w->len) and
 * closes the outer SEQUENCE; -1 on a writer or signing error. */
int xw_sign_close(struct der_writer *w, const struct crypto_key *k, size_t tbs_off);
/* 1 when names[0] may be the subject CN (a DNS name of at most 64 characters). */
int xw_cn_ok(const char *name);
/* Key identifier: the leftmost 160 bits of SHA-256 of the subjectPublicKey bits (RFC 7093). */
int xw_key_id(const struct crypto_key *k, uint8_t id[20]);

#endif
