/* Hashes, HMAC and signatures: JWS (raw ECDSA r||s, RS256) and X.509 (DER ECDSA, RSA). */
#include <string.h>

#include "build_config.h"
#include "crypto_int.h"
#include "err.h"

void crypto_sha256(const void *msg, size_t n, uint8_t out[32])
{
    br_sha256_context c;
    br_sha256_init(&c);
    br_sha256_update(&c, msg, n);
    br_sha256_out(&c, out);
}

int crypto_hmac(int bits, const void *key, size_t klen, const void *msg, size_t n, uint8_t *out,
                size_t cap, size_t *outlen)
{
    const br_hash_class *h;
    br_hmac_key_context kc;
    br_hmac_context hc;
    size_t len;

    switch (bits) {
    case 256:
        h = &br_sha256_vtable;
        break;
    case 384:
        h = &br_sha384_vtable;
        break;
    case 512:
        h = &br_sha512_vtable;
        break;
    default:
        return err_set(ACME_ECONFIG, "HMAC-SHA-%d is not supported (256, 384 or 512)", bits);
    }
    len = (size_t)bits / 8;
    if (cap < len) return err_set(ACME_ELOCAL, "HMAC output: %zu-byte buffer too small", cap);
    br_hmac_key_init(&kc, h, key, klen);
    br_hmac_init(&hc, &kc, 0);
    br_hmac_update(&hc, msg, n);
    br_hmac_out(&hc, out);
    crypto_wipe(&kc, sizeof kc);
    crypto_wipe(&hc, sizeof hc);
    *outlen = len;
    return 0;
}

/* Hashes msg with h into out (at most 64 bytes); returns the hash length. */
static size_t hash_msg(const br_hash_class *h, const void *msg, size_t n, uint8_t out[64])
{
    br_hash_compat_context c;
    h->init(&c.vtable);
    h->update(&c.vtable, msg, n);
    h->out(&c.vtable, out);
    return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

#ifdef CONFIG_RSA
static int rsa_sign(const struct crypto_key *k, const void *msg, size_t n, uint8_t *sig, size_t cap,
                    size_t *siglen)
{
    br_rsa_private_key sk;
    uint8_t hash[64];

    key_rsa_views(k, &sk, NULL);
    if (cap < key_len(k, KE_N) || cap < (sk.n_bitlen + 7) / 8)
        return err_set(ACME_ELOCAL, "signature: %zu-byte buffer too small", cap);
    hash_msg(&br_sha256_vtable, msg, n, hash);
    if (!br_rsa_i31_pkcs1_sign(BR_HASH_OID_SHA256, hash, 32, &sk, sig))
        return err_set(ACME_ELOCAL, "RSA signing failed");
    *siglen = (sk.n_bitlen + 7) / 8;
    return 0;
}
#endif

/* Raw ECDSA r || s: bearssl/ec_p256_w64.c for P-256 where it is built (the same RFC 6979
 * signatures as BearSSL's, ~10 times fewer instructions), BearSSL's i31 code otherwise. */
static size_t ecdsa_raw(const br_hash_class *h, const uint8_t *hash, const br_ec_private_key *sk,
                        uint8_t *sig)
{
#ifdef EC_P256_W64
    if (sk->curve == BR_EC_secp256r1) return ec_p256_w64_sign(h, hash, sk, sig);
#endif
    return br_ecdsa_i31_sign_raw(ec_impl(sk->curve), h, hash, sk, sig);
}

static int ec_sign(const struct crypto_key *k, int asn1, const void *msg, size_t n, uint8_t *sig,
                   size_t cap, size_t *siglen)
{
    const br_hash_class *h = ec_hash(key_curve(k));
    br_ec_private_key sk;
    uint8_t hash[64], tmp[140]; /* raw P-521 is 132 bytes, DER at most 9 more */
    size_t len;

    key_ec_views(k, &sk, NULL);
    hash_msg(h, msg, n, hash);
    len = ecdsa_raw(h, hash, &sk, tmp);
    if (asn1 && len != 0) len = br_ecdsa_raw_to_asn1(tmp, len); /* what sign_asn1 does */
    if (len == 0) return err_set(ACME_ELOCAL, "ECDSA signing failed");
    if (len > cap) return err_set(ACME_ELOCAL, "signature: %zu-byte buffer too small", cap);
    memcpy(sig, tmp, len);
    *siglen = len;
    return 0;
}

static int sign(const struct crypto_key *k, int asn1, const void *msg, size_t n, uint8_t *sig,
                size_t cap, size_t *siglen)
{
    if (key_is_ec(k)) return ec_sign(k, asn1, msg, n, sig, cap, siglen);
#ifdef CONFIG_RSA
    if (k->type >= KEY_RSA2048 && k->type <= KEY_RSA4096)
        return rsa_sign(k, msg, n, sig, cap, siglen);
#endif
    return err_set(ACME_ELOCAL, "no signing key");
}

int crypto_sign_jws(const struct crypto_key *k, const void *msg, size_t n, uint8_t *sig, size_t cap,
                    size_t *siglen)
{
    return sign(k, 0, msg, n, sig, cap, siglen);
}

int x509_sign(const struct crypto_key *k, const void *tbs, size_t n, uint8_t *sig, size_t cap,
              size_t *siglen)
{
    return sign(k, 1, tbs, n, sig, cap, siglen);
}
