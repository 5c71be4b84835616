/* libFuzzer differential target for bearssl/ec_p256_w64.c (64-bit P-256) against BearSSL's
 * br_ec_p256_m31 and i31 ECDSA. The first input byte picks the operation, the rest gives
 * scalars (reduced below the order n, as the br_ec_impl contract asks), points (multiples
 * of G, or raw bytes that are mostly not on the curve), hashes and signatures:
 *   0 mulgen, 1 mul of a multiple of G, 2 mul of a raw point, 3 muladd (B = NULL or a point,
 *   with the exceptional x*A = +-y*B cases), 4 ECDSA signing (byte-identical signatures that
 *   both verifiers accept), 5 verification of raw and DER signatures from the input.
 * Results, error returns and written bytes must be equal; any difference aborts. Where the
 * compiler has no 128-bit type (no ec_p256_w64) the target does nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "../../bearssl/crypto_int.h"

#ifdef EC_P256_W64
static const unsigned char NB[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

static const br_ec_impl *W = &ec_p256_w64, *M = &br_ec_p256_m31;

static void need(int ok)
{
    if (!ok) abort();
}

/* The input as a stream; reads past the end give zeros. */
struct in {
    const uint8_t *p;
    size_t n;
};

static void take(struct in *in, unsigned char *dst, size_t len)
{
    size_t k = len < in->n ? len : in->n;
    memcpy(dst, in->p, k);
    memset(dst + k, 0, len - k);
    in->p += k;
    in->n -= k;
}

static unsigned byte(struct in *in)
{
    unsigned char b;
    take(in, &b, 1);
    return b;
}

/* A 32-byte big-endian scalar below n (one subtraction of n when it is >= n). */
static void scalar(struct in *in, unsigned char *k)
{
    int i, c = 0;
    take(in, k, 32);
    if (memcmp(k, NB, 32) < 0) return;
    for (i = 31; i >= 0; i--) {
        int v = k[i] - NB[i] - c;
        c = v < 0;
        k[i] = (unsigned char)v;
    }
}

/* d = n - k (k < n, k != 0), or k itself for k = 0. */
static void negate(unsigned char *d, const unsigned char *k)
{
    int i, c = 0, z = 1;
    for (i = 0; i < 32; i++)
        z &= k[i] == 0;
    if (z) {
        memset(d, 0, 32);
        return;
    }
    for (i = 31; i >= 0; i--) {
        int v = NB[i] - k[i] - c;
        c = v < 0;
        d[i] = (unsigned char)v;
    }
}

/* The multiplier as given to both: all 32 bytes, without its leading zeros, or with extra
 * leading zeros (up to 40 bytes). */
static const unsigned char *shape(const unsigned char *k, unsigned char *buf, size_t *len,
                                  unsigned how)
{
    size_t z = 0;
    switch (how % 3) {
    case 0:
        *len = 32;
        return k;
    case 1:
        while (z < 31 && k[z] == 0)
            z++;
        *len = 32 - z;
        return k + z;
    default:
        z = 1 + how % 8;
        memset(buf, 0, z);
        memcpy(buf + z, k, 32);
        *len = 32 + z;
        return buf;
    }
}

static void op_mulgen(struct in *in)
{
    unsigned char k[32], kb[40], r1[65], r2[65];
    size_t len;
    const unsigned char *kp;
    unsigned how = byte(in);
    scalar(in, k);
    kp = shape(k, kb, &len, how);
    memset(r1, 0xA5, sizeof r1);
    memset(r2, 0x5A, sizeof r2);
    need(W->mulgen(r1, kp, len, BR_EC_secp256r1) == M->mulgen(r2, kp, len, BR_EC_secp256r1));
    need(memcmp(r1, r2, 65) == 0);
}

static void op_mul(struct in *in, int raw)
{
    unsigned char k[32], x[32], xb[40], A1[66], A2[66];
    size_t len, alen = 65;
    const unsigned char *xp;
    unsigned how = byte(in);
    uint32_t r1, r2;
    if (raw) {
        take(in, A1, 65);
        if (how & 0x80) A1[0] = 0x04;
        if ((how & 0x70) == 0x70) alen = 64 + (how & 2); /* 64 or 66 bytes: refused */
    } else {
        scalar(in, k);
        k[31] |= (unsigned char)(k[0] == 0 && memcmp(k, k + 1, 31) == 0); /* not 0 */
        M->mulgen(A1, k, 32, BR_EC_secp256r1);
    }
    A1[65] = 0x33;
    memcpy(A2, A1, sizeof A2);
    scalar(in, x);
    xp = shape(x, xb, &len, how);
    r1 = W->mul(A1, alen, xp, len, BR_EC_secp256r1);
    r2 = M->mul(A2, alen, xp, len, BR_EC_secp256r1);
    need(r1 == r2);
    need(raw || r1 == 1);
    need(A1[65] == 0x33);
    if (r1) need(memcmp(A1, A2, 65) == 0);
}

static void op_muladd(struct in *in)
{
    unsigned char a[32], b[32], x[32], y[32], A1[65], A2[65], B[65];
    const unsigned char *Bp = NULL;
    size_t glen;
    unsigned how = byte(in);
    uint32_t r1, r2;
    scalar(in, a);
    scalar(in, x);
    scalar(in, y);
    switch (how % 4) {
    case 0: /* A = a*G, B = G (NULL) */
        M->mulgen(A1, a, 32, BR_EC_secp256r1);
        break;
    case 1: /* A = a*G, B = b*G */
        M->mulgen(A1, a, 32, BR_EC_secp256r1);
        scalar(in, b);
        M->mulgen(B, b, 32, BR_EC_secp256r1);
        Bp = B;
        break;
    case 2: /* A = G, y = x (the doubling case) or y = n - x (infinity: an error) */
        memcpy(A1, W->generator(BR_EC_secp256r1, &glen), 65);
        if (how & 4)
            negate(y, x);
        else
            memcpy(y, x, 32);
        break;
    default: /* A raw (usually not a point: both must refuse it) */
        take(in, A1, 65);
        if (how & 4) A1[0] = 0x04;
        break;
    }
    memcpy(A2, A1, 65);
    r1 = W->muladd(A1, Bp, 65, x, 32, y, 32, BR_EC_secp256r1);
    r2 = M->muladd(A2, Bp, 65, x, 32, y, 32, BR_EC_secp256r1);
    need(r1 == r2);
    if (r1) need(memcmp(A1, A2, 65) == 0);
}

static const br_hash_class *hash_of(unsigned v)
{
    switch (v % 5) {
    case 0:
        return &br_sha1_vtable;
    case 1:
        return &br_sha224_vtable;
    case 2:
        return &br_sha256_vtable;
    case 3:
        return &br_sha384_vtable;
    default:
        return &br_sha512_vtable;
    }
}

/* 1 when the leftmost 256 bits of the hash (bits2int) are 0 or n. */
static int hash_zero_mod_n(const unsigned char *h, size_t hl)
{
    size_t i, len = hl < 32 ? hl : 32;
    int z = 1;
    for (i = 0; i < len; i++)
        z &= h[i] == 0;
    return z || (len == 32 && memcmp(h, NB, 32) == 0);
}

static void op_sign(struct in *in)
{
    unsigned char x[32], h[64], s1[64], s2[64], Q[65];
    unsigned v = byte(in);
    const br_hash_class *hf = hash_of(v);
    size_t hl = (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK, n1, n2;
    br_ec_private_key sk = {BR_EC_secp256r1, x, 32};
    br_ec_public_key pk = {BR_EC_secp256r1, Q, 65};
    scalar(in, x);
    take(in, h, sizeof h);
    n1 = ec_p256_w64_sign(hf, h, &sk, s1);
    n2 = br_ecdsa_i31_sign_raw(M, hf, h, &sk, s2);
    need(n1 == n2);
    if (n1 == 0) return; /* x = 0 */
    need(n1 == 64 && memcmp(s1, s2, 64) == 0);
    M->mulgen(Q, x, 32, BR_EC_secp256r1);
    /* both accept it, except for a hash that is 0 mod n: then h/s * G is the point at
     * infinity, which BearSSL's muladd (and so ec_p256_w64's) reports as an error */
    v = br_ecdsa_i31_vrfy_raw(M, h, hl, &pk, s1, 64);
    need(ec_p256_w64_vrfy_raw(h, hl, &pk, s1, 64) == v);
    need(v == 1 || hash_zero_mod_n(h, hl));
}

/* The verifiers agree, with one known exception: for a hash that is 0 mod n, BearSSL accepts
 * r = 0 with any s (0 * Q + 0 * G is the point at infinity, encoded with x = 0), which
 * ec_p256_w64_vrfy_raw refuses as ECDSA requires (1 <= r < n). */
static int same_verdict(uint32_t w64, uint32_t i31, const unsigned char *h, size_t hl)
{
    return w64 == i31 || (w64 == 0 && i31 == 1 && hash_zero_mod_n(h, hl));
}

static void op_vrfy(struct in *in)
{
    unsigned char x[32], h[64], sig[140], sig2[140], Q[65];
    unsigned v = byte(in), m = byte(in);
    const br_hash_class *hf = hash_of(v);
    size_t hl = (v >> 3) % 65, len;
    br_ec_private_key sk = {BR_EC_secp256r1, x, 32};
    br_ec_public_key pk = {BR_EC_secp256r1, Q, 65};
    uint32_t r1, r2;
    scalar(in, x);
    take(in, h, sizeof h);
    M->mulgen(Q, x, 32, BR_EC_secp256r1);
    if (m & 1) {
        /* a real signature, maybe damaged at one bit */
        if (br_ecdsa_i31_sign_raw(M, hf, h, &sk, sig) != 64) return;
        hl = (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
        len = 64;
        if (m & 2) sig[byte(in) % 64] ^= (unsigned char)(1u << (m >> 5));
    } else {
        /* raw bytes */
        len = byte(in) % sizeof sig;
        take(in, sig, len);
    }
    r1 = ec_p256_w64_vrfy_raw(h, hl, &pk, sig, len);
    r2 = br_ecdsa_i31_vrfy_raw(M, h, hl, &pk, sig, len);
    need(same_verdict(r1, r2, h, hl));
    /* the same bytes as DER, and the raw signature turned into DER */
    r1 = ecdsa_vrfy_asn1(&ec_acme, h, hl, &pk, sig, len);
    r2 = br_ecdsa_i31_vrfy_asn1(M, h, hl, &pk, sig, len);
    need(same_verdict(r1, r2, h, hl));
    if (len == 64 && sizeof sig2 >= 72) {
        size_t dl;
        memcpy(sig2, sig, 64);
        dl = br_ecdsa_raw_to_asn1(sig2, 64);
        r1 = ecdsa_vrfy_asn1(&ec_acme, h, hl, &pk, sig2, dl);
        r2 = br_ecdsa_i31_vrfy_asn1(M, h, hl, &pk, sig2, dl);
        need(same_verdict(r1, r2, h, hl));
    }
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef EC_P256_W64
    struct in in = {data, size};
    switch (byte(&in) % 6) {
    case 0:
        op_mulgen(&in);
        break;
    case 1:
        op_mul(&in, 0);
        break;
    case 2:
        op_mul(&in, 1);
        break;
    case 3:
        op_muladd(&in);
        break;
    case 4:
        op_sign(&in);
        break;
    default:
        op_vrfy(&in);
        break;
    }
#else
    (void)data;
    (void)size;
#endif
    return 0;
}
