/* JSON Web Keys and flattened JWS for ACME (RFC 7515, 7517, 7638; RFC 8555 6.2, 7.3.4, 8.1).
 * Everything is written into caller-owned struct bufs; a buffer that is too small is an error
 * (ACME_ELOCAL) that names it, never a truncated JWS. */
#ifndef ACME_JWS_H
#define ACME_JWS_H

#include <stddef.h>

#include "buf.h"
#include "crypto.h"

/* base64url of a SHA-256 digest: 43 characters. */
#define JWS_THUMBPRINT_LEN 43
/* Largest decoded EAB HMAC key accepted. */
#define JWS_EAB_KEY_MAX 256

/* Appends base64url(in[0..n)); sets b's overflow flag when it does not fit. */
void jws_b64url(struct buf *b, const void *in, size_t n);

/* Appends the public JWK with only the required members in RFC 7638 order and without
 * whitespace: {"crv":..,"kty":"EC","x":..,"y":..} or {"e":..,"kty":"RSA","n":..}. This text
 * is both the "jwk" header value and the thumbprint input. */
int jws_jwk(const struct crypto_key *k, struct buf *out);
int jws_jwk_pub(const struct crypto_pub *pub, struct buf *out);

/* RFC 7638 thumbprint: base64url(SHA-256(JWK)), NUL-terminated. */
int jws_thumbprint(const struct crypto_key *k, char out[JWS_THUMBPRINT_LEN + 1]);
int jws_thumbprint_pub(const struct crypto_pub *pub, char out[JWS_THUMBPRINT_LEN + 1]);

/* Key authorization (RFC 8555 8.1): token "." thumbprint, appended. A secret: never log it. */
int jws_key_authorization(const char *token, const char *thumbprint, struct buf *out);

/* Appends a flattened JWS {"protected":..,"payload":..,"signature":..} signed with k (a
 * buffer too small is an error, ACME_ELOCAL). The protected header has alg, nonce, url and
 * either kid (when kid is non-NULL) or jwk. payload[0..n) is JSON text; n == 0 gives the empty
 * payload of POST-as-GET (payload may then be NULL). */
int jws_sign(const struct crypto_key *k, const char *kid, const char *nonce, const char *url,
             const char *payload, size_t n, struct buf *out);

/* Appends the externalAccountBinding JWS (RFC 8555 7.3.4): protected {"alg":"HS256",
 * "kid":eab_kid,"url":url}, payload the account key's JWK, HMAC-SHA-256 with the
 * base64url-decoded hmac_key_b64 (a secret: never logged, errors do not quote it). */
int jws_eab(const struct crypto_key *account_key, const char *eab_kid, const char *hmac_key_b64,
            const char *url, struct buf *out);

#endif
