/* Key storage layout inside struct crypto_key, and the BearSSL views of a stored key. */
#include <string.h>

#include "../core/build_config.h"
#include "crypto_int.h"
#include "err.h"

static size_t get16(const unsigned char *p)
{
    return ((size_t)p[0] << 8) | p[1];
}

static size_t elem_off(const struct crypto_key *k, int i)
{
    size_t off = KS_HDR;
    int j;
    for (j = 0; j < i; j++)
        off += get16(k->u.b + 5 + 2 * j);
    return off;
}

int key_curve(const struct crypto_key *k)
{
    return k->u.b[0];
}

size_t key_len(const struct crypto_key *k, int i)
{
    return get16(k->u.b + 5 + 2 * i);
}

const unsigned char *key_elem(const struct crypto_key *k, int i)
{
    return k->u.b + elem_off(k, i);
}

int key_store_set(struct crypto_key *k, enum key_type t, int curve,
                  const unsigned char *const *elems, const size_t *lens, int count)
{
    size_t total = 0, off = KS_HDR;
    int i;

    for (i = 0; i < count; i++)
        total += lens[i];
    if (total > KS_POOL || count > KE_COUNT)
        return err_set(ACME_ELOCAL, "key of %zu bytes does not fit CRYPTO_KEY_STORAGE (%d)", total,
                       CRYPTO_KEY_STORAGE);
    crypto_wipe(k, sizeof *k);
    k->type = t;
    k->u.b[0] = (unsigned char)curve;
    for (i = 0; i < count; i++) {
        k->u.b[5 + 2 * i] = (unsigned char)(lens[i] >> 8);
        k->u.b[6 + 2 * i] = (unsigned char)lens[i];
        if (lens[i] != 0) memcpy(k->u.b + off, elems[i], lens[i]);
        off += lens[i];
    }
    return 0;
}

void crypto_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n-- > 0)
        *v++ = 0;
}

int key_is_ec(const struct crypto_key *k)
{
    return k->type == KEY_EC256 || k->type == KEY_EC384 || k->type == KEY_EC521;
}

void key_ec_views(const struct crypto_key *k, br_ec_private_key *sk, br_ec_public_key *pk)
{
    if (sk != NULL) {
        sk->curve = key_curve(k);
        sk->x = (unsigned char *)key_elem(k, KE_ECX);
        sk->xlen = key_len(k, KE_ECX);
    }
    if (pk != NULL) {
        pk->curve = key_curve(k);
        pk->q = (unsigned char *)key_elem(k, KE_ECQ);
        pk->qlen = key_len(k, KE_ECQ);
    }
}

void key_rsa_views(const struct crypto_key *k, br_rsa_private_key *sk, br_rsa_public_key *pk)
{
    if (sk != NULL) {
        static const uint32_t bits[] = {2048, 3072, 4096};
        sk->n_bitlen =
            k->type >= KEY_RSA2048 && k->type <= KEY_RSA4096 ? bits[k->type - KEY_RSA2048] : 0;
        sk->p = (unsigned char *)key_elem(k, KE_P);
        sk->plen = key_len(k, KE_P);
        sk->q = (unsigned char *)key_elem(k, KE_Q);
        sk->qlen = key_len(k, KE_Q);
        sk->dp = (unsigned char *)key_elem(k, KE_DP);
        sk->dplen = key_len(k, KE_DP);
        sk->dq = (unsigned char *)key_elem(k, KE_DQ);
        sk->dqlen = key_len(k, KE_DQ);
        sk->iq = (unsigned char *)key_elem(k, KE_IQ);
        sk->iqlen = key_len(k, KE_IQ);
    }
    if (pk != NULL) {
        pk->n = (unsigned char *)key_elem(k, KE_N);
        pk->nlen = key_len(k, KE_N);
        pk->e = (unsigned char *)key_elem(k, KE_E);
        pk->elen = key_len(k, KE_E);
    }
}

/* BearSSL 0.6 has no 64-bit P-256 code (m62/m64 came later): our own where the compiler
 * multiplies 64x64->128 (about 8 times fewer instructions on x86_64). On 32-bit targets the
 * generic i31 code that P-384 needs anyway, about half as fast as BearSSL's P-256-specific m31
 * but 5.5-8 KiB smaller (routers: size before speed); CONFIG_P256_M31 takes m31. */
const br_ec_impl *ec_impl(int curve)
{
#if defined(EC_P256_W64)
    return curve == BR_EC_secp256r1 ? &ec_p256_w64 : &br_ec_prime_i31;
#elif defined(CONFIG_P256_M31)
    return curve == BR_EC_secp256r1 ? &br_ec_p256_m31 : &br_ec_prime_i31;
#else
    (void)curve;
    return &br_ec_prime_i31;
#endif
}

/* ec_acme: br_ec_all_m31 without Curve25519, so that the TLS engine (ECDHE) and the X.509
 * validator (ECDSA) use the same two implementations as our own keys; BearSSL's defaults
 * (br_ec_all_m15, br_ec_get_default()) would link a second P-256, a generic i15 and two
 * Curve25519 implementations. Every public CA offers ECDHE on secp256r1/secp384r1. */
static const unsigned char *ecs_generator(int curve, size_t *len)
{
    return ec_impl(curve)->generator(curve, len);
}

static const unsigned char *ecs_order(int curve, size_t *len)
{
    return ec_impl(curve)->order(curve, len);
}

static size_t ecs_xoff(int curve, size_t *len)
{
    return ec_impl(curve)->xoff(curve, len);
}

static uint32_t ecs_mul(unsigned char *g, size_t glen, const unsigned char *kb, size_t kblen,
                        int curve)
{
    return ec_impl(curve)->mul(g, glen, kb, kblen, curve);
}

static size_t ecs_mulgen(unsigned char *r, const unsigned char *x, size_t xlen, int curve)
{
    return ec_impl(curve)->mulgen(r, x, xlen, curve);
}

static uint32_t ecs_muladd(unsigned char *a, const unsigned char *b, size_t len,
                           const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
                           int curve)
{
    return ec_impl(curve)->muladd(a, b, len, x, xlen, y, ylen, curve);
}

const br_ec_impl ec_acme = {
    (1u << BR_EC_secp256r1) | (1u << BR_EC_secp384r1) | (1u << BR_EC_secp521r1),
    ecs_generator,
    ecs_order,
    ecs_xoff,
    ecs_mul,
    ecs_mulgen,
    ecs_muladd,
};

uint32_t ecdsa_vrfy_asn1(const br_ec_impl *impl, const void *hash, size_t hash_len,
                         const br_ec_public_key *pk, const void *sig, size_t sig_len)
{
#ifdef EC_P256_W64
    if (pk->curve == BR_EC_secp256r1 && ((impl->supported_curves >> BR_EC_secp256r1) & 1) != 0) {
        unsigned char raw[144]; /* br_ecdsa_i31_vrfy_asn1's limit */
        if (sig_len > sizeof raw) return 0;
        memcpy(raw, sig, sig_len);
        sig_len = br_ecdsa_asn1_to_raw(raw, sig_len);
        return ec_p256_w64_vrfy_raw(hash, hash_len, pk, raw, sig_len);
    }
#endif
    return br_ecdsa_i31_vrfy_asn1(impl, hash, hash_len, pk, sig, sig_len);
}

const br_hash_class *ec_hash(int curve)
{
    switch (curve) {
    case BR_EC_secp384r1:
        return &br_sha384_vtable;
    case BR_EC_secp521r1:
        return &br_sha512_vtable;
    default:
        return &br_sha256_vtable;
    }
}
