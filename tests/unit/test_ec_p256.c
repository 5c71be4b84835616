/* Unit tests: bearssl/ec_p256_w64.c (64-bit P-256, built where the compiler has a 128-bit
 * type). The file is included here (its exported names renamed), so that its field and
 * scalar arithmetic is checked directly against a slow shift-and-add reference on edge
 * values (0, 1, p-1, p, 2^256-1, values around 2^224/2^192/2^96/2^64) and random ones; the
 * point operations against BearSSL's br_ec_p256_m31: k*G for every single-bit multiplier
 * and random ones, every point of the comb tables (computed at run time from the teeth),
 * variable-base and double multiplications, rejected points, the exceptional cases of
 * muladd; ECDSA signatures that must be byte-identical to br_ecdsa_i31_sign_raw's (both
 * RFC 6979) and verification that must agree with br_ecdsa_i31_vrfy_raw/asn1.
 * test_ec_p256_portable.c builds the same tests with EC_P256_W64_PORTABLE (the plain C
 * carries used off x86_64). Elsewhere the test only checks that ec_impl() gives m31. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <bearssl.h>

#include "../../core/build_config.h"
#include "../../bearssl/crypto_int.h"

#ifdef EC_P256_W64
#define ec_p256_w64 t_ec_p256_w64
#define ec_p256_w64_sign t_ec_p256_w64_sign
#define ec_p256_w64_vrfy_raw t_ec_p256_w64_vrfy_raw
#include "../../bearssl/ec_p256_w64.c"
#undef ec_p256_w64
#undef ec_p256_w64_sign
#undef ec_p256_w64_vrfy_raw

static const unsigned char NB[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

/* Deterministic xorshift, so that a failure can be replayed. */
static uint64_t rs = 88172645463325252u;
static unsigned rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (unsigned)rs;
}

/* A multiplier 0 < k < n, sometimes with a leading zero byte. */
static void rscalar(unsigned char *k)
{
    int i;
    do {
        for (i = 0; i < 32; i++)
            k[i] = (unsigned char)rnd();
        if (rnd() % 4 == 0) k[0] = 0;
    } while (memcmp(k, NB, 32) >= 0);
    k[31] |= 1;
}

static const br_ec_impl *W = &t_ec_p256_w64, *M = &br_ec_p256_m31;

static void test_impl_choice(void **state)
{
    (void)state;
    assert_ptr_equal(ec_impl(BR_EC_secp256r1), &ec_p256_w64);
    assert_ptr_equal(ec_impl(BR_EC_secp384r1), &br_ec_prime_i31);
}

static void test_mulgen(void **state)
{
    unsigned char k[32], r1[65], r2[65];
    size_t len;
    int t;
    (void)state;
    for (t = 0; t < 256 + 2 + 300; t++) {
        const unsigned char *kp = k;
        memset(k, 0, sizeof k);
        if (t < 256) {
            k[31 - t / 8] = (unsigned char)(1u << (t % 8));
        } else if (t < 258) {
            memcpy(k, NB, 32);
            k[31] = (unsigned char)(k[31] - (t - 255)); /* n - 1, n - 2 */
        } else {
            rscalar(k);
        }
        len = 32;
        if (t % 3 == 1) /* shorter multipliers too */
            while (len > 1 && *kp == 0) {
                kp++;
                len--;
            }
        memset(r1, 0, sizeof r1);
        memset(r2, 1, sizeof r2);
        assert_int_equal(W->mulgen(r1, kp, len, BR_EC_secp256r1), 65);
        assert_int_equal(M->mulgen(r2, kp, len, BR_EC_secp256r1), 65);
        assert_memory_equal(r1, r2, 65);
    }
    /* a 33-byte multiplier with a leading zero */
    rscalar(k);
    {
        unsigned char k33[33] = {0};
        memcpy(k33 + 1, k, 32);
        W->mulgen(r1, k33, 33, BR_EC_secp256r1);
        M->mulgen(r2, k, 32, BR_EC_secp256r1);
        assert_memory_equal(r1, r2, 65);
    }
}

/* Every point of the comb tables (computed by comb_init from the constant teeth) against
 * m31's k*G for its multiplier, sum over the bits i of j of 2^(32 * (4h + i)). */
static void test_comb_table(void **state)
{
    unsigned char k[32], want[65], got[65];
    int h, j, i;
    (void)state;
    comb_ready = 0;
    comb_init();
    assert_int_equal(comb_ready, 1);
    for (h = 0; h < 2; h++) {
        for (j = 1; j < 16; j++) {
            memset(k, 0, sizeof k);
            for (i = 0; i < 4; i++)
                if ((j >> i) & 1) k[31 - 4 * (4 * h + i)] = 1;
            assert_int_equal(M->mulgen(want, k, 32, BR_EC_secp256r1), 65);
            got[0] = 0x04;
            fe_encode(got + 1, COMB[h][j - 1].x);
            fe_encode(got + 33, COMB[h][j - 1].y);
            assert_memory_equal(got, want, 65);
        }
    }
}

static void test_mul_muladd(void **state)
{
    unsigned char k[32], x[32], y[32], A1[65], A2[65], B[65], C[65];
    int t;
    (void)state;
    for (t = 0; t < 60; t++) {
        rscalar(k);
        M->mulgen(B, k, 32, BR_EC_secp256r1);
        rscalar(k);
        M->mulgen(C, k, 32, BR_EC_secp256r1);
        rscalar(x);
        rscalar(y);
        memcpy(A1, B, 65);
        memcpy(A2, B, 65);
        assert_int_equal(W->mul(A1, 65, x, 32, BR_EC_secp256r1), 1);
        assert_int_equal(M->mul(A2, 65, x, 32, BR_EC_secp256r1), 1);
        assert_memory_equal(A1, A2, 65);
        memcpy(A1, B, 65);
        memcpy(A2, B, 65);
        assert_int_equal(W->muladd(A1, NULL, 65, x, 32, y, 32, BR_EC_secp256r1), 1);
        assert_int_equal(M->muladd(A2, NULL, 65, x, 32, y, 32, BR_EC_secp256r1), 1);
        assert_memory_equal(A1, A2, 65);
        memcpy(A1, B, 65);
        memcpy(A2, B, 65);
        assert_int_equal(W->muladd(A1, C, 65, x, 32, y, 32, BR_EC_secp256r1), 1);
        assert_int_equal(M->muladd(A2, C, 65, x, 32, y, 32, BR_EC_secp256r1), 1);
        assert_memory_equal(A1, A2, 65);
    }
}

static void test_bad_points(void **state)
{
    unsigned char k[32], A[65];
    size_t glen;
    const unsigned char *G = W->generator(BR_EC_secp256r1, &glen);
    (void)state;
    rscalar(k);
    memcpy(A, G, 65);
    A[40] ^= 1; /* off the curve */
    assert_int_equal(W->mul(A, 65, k, 32, BR_EC_secp256r1), 0);
    memcpy(A, G, 65);
    A[0] = 0x03; /* compressed form */
    assert_int_equal(W->mul(A, 65, k, 32, BR_EC_secp256r1), 0);
    memcpy(A, G, 65);
    assert_int_equal(W->mul(A, 64, k, 32, BR_EC_secp256r1), 0);
    memset(A, 0xFF, 65); /* coordinates >= p */
    A[0] = 0x04;
    assert_int_equal(W->mul(A, 65, k, 32, BR_EC_secp256r1), 0);
    memcpy(A, G, 65);
    assert_int_equal(W->muladd(A, NULL, 65, k, 32, k, 32, BR_EC_secp256r1), 1);
    A[10] ^= 0x40;
    assert_int_equal(W->muladd(A, NULL, 65, k, 32, k, 32, BR_EC_secp256r1), 0);
}

/* x*G + y*G with x = y (the doubling case) and y = n - x (the point at infinity: an error). */
static void test_muladd_exceptions(void **state)
{
    unsigned char k[32], nk[32], A1[65], A2[65];
    size_t glen;
    const unsigned char *G = W->generator(BR_EC_secp256r1, &glen);
    int i, c = 0;
    (void)state;
    rscalar(k);
    memcpy(A1, G, 65);
    memcpy(A2, G, 65);
    assert_int_equal(W->muladd(A1, NULL, 65, k, 32, k, 32, BR_EC_secp256r1), 1);
    assert_int_equal(M->muladd(A2, NULL, 65, k, 32, k, 32, BR_EC_secp256r1), 1);
    assert_memory_equal(A1, A2, 65);
    for (i = 31; i >= 0; i--) {
        int v = NB[i] - k[i] - c;
        c = v < 0;
        nk[i] = (unsigned char)v;
    }
    memcpy(A1, G, 65);
    assert_int_equal(W->muladd(A1, NULL, 65, k, 32, nk, 32, BR_EC_secp256r1), 0);
}

static void test_sign(void **state)
{
    unsigned char x[32], h[64], s1[64], s2[64], Q[65];
    int t;
    (void)state;
    for (t = 0; t < 60; t++) {
        const br_hash_class *hf = t % 3 == 0   ? &br_sha256_vtable
                                  : t % 3 == 1 ? &br_sha384_vtable
                                               : &br_sha1_vtable;
        size_t hl = (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
        br_ec_private_key sk = {BR_EC_secp256r1, x, 32};
        br_ec_public_key pk = {BR_EC_secp256r1, Q, 65};
        int i;
        rscalar(x);
        for (i = 0; i < 64; i++)
            h[i] = (unsigned char)rnd();
        if (t == 0) { /* n - 1, and a hash above n */
            memcpy(x, NB, 32);
            x[31]--;
            memset(h, 0xFF, sizeof h);
        }
        if (x[0] == 0 && t % 2 == 0) { /* a key without its leading zero byte */
            sk.x = x + 1;
            sk.xlen = 31;
        }
        assert_int_equal(t_ec_p256_w64_sign(hf, h, &sk, s1), 64);
        assert_int_equal(br_ecdsa_i31_sign_raw(M, hf, h, &sk, s2), 64);
        assert_memory_equal(s1, s2, 64);
        M->mulgen(Q, x, 32, BR_EC_secp256r1);
        assert_int_equal(br_ecdsa_i31_vrfy_raw(M, h, hl, &pk, s1, 64), 1);
        s1[63] ^= 1;
        assert_int_equal(br_ecdsa_i31_vrfy_raw(M, h, hl, &pk, s1, 64), 0);
    }
}

static void test_sign_bad_keys(void **state)
{
    unsigned char x[33], h[32], s[64];
    br_ec_private_key sk = {BR_EC_secp256r1, x, 32};
    (void)state;
    memset(h, 1, sizeof h);
    memset(x, 0, sizeof x);
    assert_int_equal(t_ec_p256_w64_sign(&br_sha256_vtable, h, &sk, s), 0); /* zero */
    memcpy(x, NB, 32);
    assert_int_equal(t_ec_p256_w64_sign(&br_sha256_vtable, h, &sk, s), 0); /* n */
    x[0] = 1;                                                              /* 33 bytes, too big */
    memcpy(x + 1, NB, 32);
    x[32] = 0x50;
    sk.xlen = 33;
    assert_int_equal(t_ec_p256_w64_sign(&br_sha256_vtable, h, &sk, s), 0);
    x[0] = 0; /* 33 bytes with a leading zero: n - 1 */
    assert_int_equal(t_ec_p256_w64_sign(&br_sha256_vtable, h, &sk, s), 64);
    sk.curve = BR_EC_secp384r1;
    assert_int_equal(t_ec_p256_w64_sign(&br_sha256_vtable, h, &sk, s), 0);
}

/* --- reference arithmetic: 256-bit values as 4 limbs, modular products by shift-and-add
 * (doubling and conditional subtraction), no multiplication instruction. */
static const uint64_t RP[4] = {0xFFFFFFFFFFFFFFFFu, 0x00000000FFFFFFFFu, 0, 0xFFFFFFFF00000001u};
static const uint64_t RN[4] = {0xF3B9CAC2FC632551u, 0xBCE6FAADA7179E84u, 0xFFFFFFFFFFFFFFFFu,
                               0xFFFFFFFF00000000u};

static int ref_cmp(const uint64_t *a, const uint64_t *b)
{
    int i;
    for (i = 3; i >= 0; i--)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* d = a - b (mod 2^256); returns the borrow. */
static unsigned ref_sub(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    unsigned br = 0;
    int i;
    for (i = 0; i < 4; i++) {
        uint64_t x = a[i], y = b[i], t = x - y - br;
        br = (x < y) || (x == y && br);
        d[i] = t;
    }
    return br;
}

/* d = a mod m for a < 2^256 (one subtraction is enough: 2^256 < 2m for p and n). */
static void ref_red(uint64_t *d, const uint64_t *a, const uint64_t *m)
{
    memcpy(d, a, 32);
    if (ref_cmp(d, m) >= 0) ref_sub(d, d, m);
}

/* d = a + b mod m, a, b < m. */
static void ref_add(uint64_t *d, const uint64_t *a, const uint64_t *b, const uint64_t *m)
{
    uint64_t t[4];
    unsigned c = 0;
    int i;
    for (i = 0; i < 4; i++) {
        uint64_t x = a[i] + b[i];
        unsigned c1 = x < a[i];
        t[i] = x + c;
        c = c1 | (t[i] < x);
    }
    if (c || ref_cmp(t, m) >= 0) ref_sub(t, t, m);
    memcpy(d, t, 32);
}

static void ref_subm(uint64_t *d, const uint64_t *a, const uint64_t *b, const uint64_t *m)
{
    uint64_t t[4], u[4];
    if (ref_sub(t, a, b)) {
        ref_sub(u, m, b);
        ref_add(t, a, u, m);
    }
    memcpy(d, t, 32);
}

/* d = a * b mod m (any a, b < 2^256). */
static void ref_mul(uint64_t *d, const uint64_t *a, const uint64_t *b, const uint64_t *m)
{
    uint64_t acc[4] = {0, 0, 0, 0}, x[4], y[4];
    int i;
    ref_red(x, a, m);
    ref_red(y, b, m);
    for (i = 255; i >= 0; i--) {
        ref_add(acc, acc, acc, m);
        if ((y[i / 64] >> (i % 64)) & 1) ref_add(acc, acc, x, m);
    }
    memcpy(d, acc, 32);
}

/* Edge values: 0, 1, 2, p-1, p-2, p, p+1, 2^256-1, powers of two around the limbs and the
 * terms of p (2^64, 2^96, 2^192, 2^224), values with all-ones limbs, R mod p. */
#define NEDGE 32
static void edge_value(uint64_t *v, int i)
{
    static const int pw[] = {63, 64, 95, 96, 128, 191, 192, 223, 224, 255};
    memset(v, 0, 32);
    switch (i) {
    case 0:
        break;
    case 1:
        v[0] = 1;
        break;
    case 2:
        v[0] = 2;
        break;
    case 3:
        memcpy(v, RP, 32);
        v[0] -= 1;
        break; /* p - 1 */
    case 4:
        memcpy(v, RP, 32);
        v[0] -= 2;
        break; /* p - 2 */
    case 5:
        memcpy(v, RP, 32);
        break; /* p */
    case 6:
        memcpy(v, RP, 32);
        v[0] = 0;
        v[1] += 1;
        break; /* p + 1 */
    case 7:
        memset(v, 0xFF, 32);
        break; /* 2^256 - 1 */
    case 8:
        memcpy(v, ONE, 32);
        break; /* R mod p */
    case 9:
        v[3] = 0xFFFFFFFF00000000u;
        break; /* 2^256 - 2^224 */
    case 10:
        v[3] = 0xFFFFFFFF00000000u;
        v[2] = ~0u;
        v[1] = ~0u;
        v[0] = ~0u;
        break;
    case 11:
        v[3] = 0xFFFFFFFEFFFFFFFFu;
        v[2] = ~0u;
        v[1] = ~0u;
        v[0] = ~0u;
        break;
    case 12:
        v[3] = 0x00000000FFFFFFFFu;
        v[2] = ~0u;
        v[1] = ~0u;
        v[0] = ~0u;
        break; /* 2^224-1 */
    case 13:
        v[2] = ~0u;
        v[1] = ~0u;
        v[0] = ~0u;
        break; /* 2^192-1 */
    case 14:
        v[1] = 0xFFFFFFFFu;
        v[0] = ~0u;
        break; /* 2^96-1 */
    case 15:
        v[0] = ~0u;
        break; /* 2^64-1 */
    case 16:
        v[3] = 1;
        v[0] = 1;
        break;
    case 17:
        memcpy(v, RP, 32);
        v[3] -= 1;
        break; /* p - 2^192 */
    case 18:
        v[0] = 0xFFFFFFFF00000001u;
        v[1] = 0xFFFFFFFF00000000u;
        v[2] = ~0u;
        v[3] = 0xFFFFFFFEu;
        break;
    case 19:
        v[0] = v[1] = v[2] = v[3] = 0x8000000000000000u;
        break;
    case 20:
        v[0] = v[1] = v[2] = v[3] = 0x7FFFFFFFFFFFFFFFu;
        break;
    case 21:
        memcpy(v, RN, 32);
        break; /* n */
    default: {
        int b = pw[i - 22];
        v[b / 64] = (uint64_t)1 << (b % 64);
    }
    }
}

static void rand_value(uint64_t *v)
{
    int i;
    for (i = 0; i < 4; i++)
        v[i] = ((uint64_t)rnd() << 32) ^ rnd();
    switch (rnd() % 8) { /* runs of ones and zeros reach the carries */
    case 0:
        v[rnd() % 4] = ~(uint64_t)0;
        break;
    case 1:
        v[rnd() % 4] = 0;
        break;
    case 2:
        v[3] = RP[3];
        break;
    default:
        break;
    }
}

/* The 2^256 - 1 and p inputs are outside the field invariant: fe_mul must still give a
 * value < 2^256 congruent to a * b / R; for inputs < p the result is exact and < p. */
static void check_fe_mul(const uint64_t *x, const uint64_t *y)
{
    uint64_t d[4], e[4], want[4], got[4];
    int reduced = ref_cmp(x, RP) < 0 && ref_cmp(y, RP) < 0;
    fe_mul(d, x, y);
    ref_mul(want, x, y, RP);
    ref_mul(got, d, ONE, RP); /* d * R */
    assert_memory_equal(got, want, 32);
    if (reduced) assert_true(ref_cmp(d, RP) < 0);
    if (x == y || memcmp(x, y, 32) == 0) {
        fe_sqr(e, x);
        assert_memory_equal(e, d, 32);
    }
}

static void test_field_mul(void **state)
{
    uint64_t x[4], y[4];
    int i, j;
    (void)state;
    for (i = 0; i < NEDGE; i++) {
        edge_value(x, i);
        for (j = 0; j < NEDGE; j++) {
            edge_value(y, j);
            check_fe_mul(x, y);
        }
        check_fe_mul(x, x);
    }
    for (i = 0; i < 3000; i++) {
        rand_value(x);
        ref_red(x, x, RP);
        if (i % 3 == 0) {
            check_fe_mul(x, x);
        } else {
            if (i % 3 == 1)
                edge_value(y, (int)(rnd() % NEDGE));
            else
                rand_value(y);
            ref_red(y, y, RP);
            check_fe_mul(x, y);
        }
    }
}

static void test_field_add_sub_inv(void **state)
{
    uint64_t x[4], y[4], d[4], want[4], t[4];
    int i, j;
    (void)state;
    for (i = 0; i < NEDGE + 2000; i++) {
        if (i < NEDGE)
            edge_value(x, i);
        else
            rand_value(x);
        if (ref_cmp(x, RP) >= 0) continue; /* add and sub keep the invariant a, b < p */
        for (j = 0; j < (i < NEDGE ? NEDGE : 4); j++) {
            if (i < NEDGE)
                edge_value(y, j);
            else if (j == 0)
                memcpy(y, x, 32);
            else
                rand_value(y);
            if (ref_cmp(y, RP) >= 0) continue;
            fe_add(d, x, y);
            ref_add(want, x, y, RP);
            assert_memory_equal(d, want, 32);
            fe_sub(d, x, y);
            ref_subm(want, x, y, RP);
            assert_memory_equal(d, want, 32);
        }
        /* 1/x: x * (1/x) = 1 (R in Montgomery form); 1/0 = 0 */
        fe_inv(d, x);
        fe_mul(t, d, x);
        if ((x[0] | x[1] | x[2] | x[3]) == 0) {
            assert_int_equal(fe_is_zero(d), 1);
        } else {
            assert_memory_equal(t, ONE, 32);
        }
    }
}

/* fe_decode: 1 exactly for values < p, the Montgomery form of the value mod p in any case;
 * fe_encode gives the value back. */
static void test_field_codec(void **state)
{
    uint64_t x[4], d[4], want[4], t[4];
    unsigned char b[32], e[32];
    int i, k;
    (void)state;
    for (i = 0; i < NEDGE + 500; i++) {
        if (i < NEDGE)
            edge_value(x, i);
        else
            rand_value(x);
        for (k = 0; k < 32; k++)
            b[k] = (unsigned char)(x[(31 - k) / 8] >> (8 * ((31 - k) % 8)));
        assert_int_equal(fe_decode(d, b), ref_cmp(x, RP) < 0);
        ref_mul(want, x, ONE, RP);
        assert_memory_equal(d, want, 32);
        fe_encode(e, d);
        ref_red(t, x, RP);
        for (k = 0; k < 32; k++)
            assert_int_equal(e[k], (unsigned char)(t[(31 - k) / 8] >> (8 * ((31 - k) % 8))));
    }
}

/* Scalars modulo n: Montgomery products, sums, 1/a. */
static void test_scalar(void **state)
{
    uint64_t x[4], y[4], d[4], want[4], got[4], rn[4], zero[4] = {0, 0, 0, 0};
    int i;
    (void)state;
    ref_sub(rn, zero, RN); /* R mod n = 2^256 - n */
    for (i = 0; i < NEDGE + 1500; i++) {
        if (i < NEDGE)
            edge_value(x, i);
        else
            rand_value(x);
        if (i % 5 == 0)
            edge_value(y, (int)(rnd() % NEDGE));
        else
            rand_value(y);
        ref_red(x, x, RN);
        ref_red(y, y, RN);
        sc_mul(d, x, y);
        ref_mul(want, x, y, RN);
        ref_mul(got, d, rn, RN);
        assert_memory_equal(got, want, 32);
        assert_true(ref_cmp(d, RN) < 0);
        sc_add(d, x, y);
        ref_add(want, x, y, RN);
        assert_memory_equal(d, want, 32);
        assert_int_equal(sc_lt_n(x), 1);
        if ((x[0] | x[1] | x[2] | x[3]) != 0 && i % 10 == 0) {
            sc_inv(d, x);      /* R^2 / x */
            sc_mul(got, d, x); /* R */
            assert_memory_equal(got, rn, 32);
        }
    }
    assert_int_equal(sc_lt_n(RN), 0);
    memset(x, 0xFF, 32);
    assert_int_equal(sc_lt_n(x), 0);
}

/* Verification against BearSSL's: valid signatures, every kind of bad one, raw and DER. */
static void test_vrfy(void **state)
{
    unsigned char x[32], h[64], sig[80], Q[65], der[80], sig2[80];
    int t;
    (void)state;
    for (t = 0; t < 40; t++) {
        const br_hash_class *hf = t % 2 == 0 ? &br_sha256_vtable : &br_sha384_vtable;
        size_t hl = (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK, dl;
        br_ec_private_key sk = {BR_EC_secp256r1, x, 32};
        br_ec_public_key pk = {BR_EC_secp256r1, Q, 65};
        int i, v;
        rscalar(x);
        for (i = 0; i < 64; i++)
            h[i] = (unsigned char)rnd();
        M->mulgen(Q, x, 32, BR_EC_secp256r1);
        assert_int_equal(br_ecdsa_i31_sign_raw(M, hf, h, &sk, sig), 64);
        assert_int_equal(t_ec_p256_w64_vrfy_raw(h, hl, &pk, sig, 64), 1);
        memcpy(der, sig, 64);
        dl = br_ecdsa_raw_to_asn1(der, 64);
        assert_int_equal(ecdsa_vrfy_asn1(&ec_acme, h, hl, &pk, der, dl), 1);
        /* 33-byte r and s with a leading zero */
        memset(sig2, 0, sizeof sig2);
        memcpy(sig2 + 1, sig, 32);
        memcpy(sig2 + 34, sig + 32, 32);
        assert_int_equal(t_ec_p256_w64_vrfy_raw(h, hl, &pk, sig2, 66), 1);
        /* mutations: each must agree with BearSSL (and fail) */
        for (i = 0; i < 8; i++) {
            memcpy(sig2, sig, 64);
            switch (i) {
            case 0:
                sig2[rnd() % 64] ^= (unsigned char)(1u << (rnd() % 8));
                break;
            case 1:
                memset(sig2, 0, 32);
                break; /* r = 0 */
            case 2:
                memset(sig2 + 32, 0, 32);
                break; /* s = 0 */
            case 3:
                memcpy(sig2, NB, 32);
                break; /* r = n */
            case 4:
                memcpy(sig2 + 32, NB, 32);
                break; /* s = n */
            case 5:
                memset(sig2 + 32, 0xFF, 32);
                break; /* s > n */
            case 6:
                h[0] ^= 1;
                break; /* another hash */
            case 7:
                memcpy(sig2, sig + 32, 32);
                memcpy(sig2 + 32, sig, 32);
                break;
            }
            v = (int)br_ecdsa_i31_vrfy_raw(M, h, hl, &pk, sig2, 64);
            assert_int_equal(v, 0);
            assert_int_equal(t_ec_p256_w64_vrfy_raw(h, hl, &pk, sig2, 64), 0);
            if (i == 6) h[0] ^= 1;
        }
        assert_int_equal(t_ec_p256_w64_vrfy_raw(h, hl, &pk, sig, 63), 0); /* odd length */
        assert_int_equal(t_ec_p256_w64_vrfy_raw(h, hl, &pk, sig, 0), 0);
        pk.qlen = 64;
        assert_int_equal(t_ec_p256_w64_vrfy_raw(h, hl, &pk, sig, 64), 0);
        pk.qlen = 65;
        Q[40] ^= 1; /* a public key off the curve */
        assert_int_equal(t_ec_p256_w64_vrfy_raw(h, hl, &pk, sig, 64), 0);
        Q[40] ^= 1;
        der[dl - 1] ^= 1;
        assert_int_equal(ecdsa_vrfy_asn1(&ec_acme, h, hl, &pk, der, dl), 0);
        assert_int_equal(ecdsa_vrfy_asn1(&ec_acme, h, hl, &pk, der, 200), 0); /* too long */
        pk.curve = BR_EC_secp384r1;
        assert_int_equal(t_ec_p256_w64_vrfy_raw(h, hl, &pk, sig, 64), 0);
    }
}
#else
static void test_impl_choice(void **state)
{
    (void)state;
#if defined(CONFIG_P256_M31)
    assert_ptr_equal(ec_impl(BR_EC_secp256r1), &br_ec_p256_m31);
#else
    assert_ptr_equal(ec_impl(BR_EC_secp256r1), &br_ec_prime_i31);
#endif
    assert_ptr_equal(ec_impl(BR_EC_secp384r1), &br_ec_prime_i31);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impl_choice),
#ifdef EC_P256_W64
        cmocka_unit_test(test_mulgen),
        cmocka_unit_test(test_comb_table),
        cmocka_unit_test(test_mul_muladd),
        cmocka_unit_test(test_bad_points),
        cmocka_unit_test(test_muladd_exceptions),
        cmocka_unit_test(test_sign),
        cmocka_unit_test(test_sign_bad_keys),
        cmocka_unit_test(test_field_mul),
        cmocka_unit_test(test_field_add_sub_inv),
        cmocka_unit_test(test_field_codec),
        cmocka_unit_test(test_scalar),
        cmocka_unit_test(test_vrfy),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
