/* P-256 (secp256r1) for 64-bit targets: a br_ec_impl with the same contract as BearSSL's
 * br_ec_p256_m31 (constant-time, multipliers lower than the curve order), used by ec_impl()
 * where the compiler has a 64x64->128 multiplication (x86_64, aarch64, mips64...).
 * BearSSL 0.6 has only 15- and 31-bit limbs (m62/m64 came later); one issuance does ~20
 * P-256 point multiplications (15 ECDSA signatures, 2 key generations, ECDHE, 2 verifications)
 * and they were ~80% of the client's CPU time.
 *
 * Field: four 64-bit limbs in Montgomery form (R = 2^256), always fully reduced (< p), so
 * that equality and zero tests are limb compares. One Montgomery multiplication, mont_mul(),
 * serves the field (p) and the scalars of ECDSA (n): a fully unrolled 4x4 schoolbook product,
 * four reduction steps, one conditional subtraction. The steps for p are unrolled and
 * specialised (-1/p = 1 mod 2^64, so each step is one 64x64 multiplication, by the top limb
 * of p, and shifts); those for n are a loop of generic steps (4 multiplications each).
 * Squarings go through the multiplication (a dedicated squaring was ~700 bytes for ~20%
 * fewer instructions). Inversions (1/Z, 1/k, 1/s) are a^(m-2) with a fixed 4-bit window over
 * the public exponent (mod_inv). No branch or memory index depends on the values (the branches
 * are on which modulus, which table, which exponent nibble). Carry chains go through
 * addc()/subb() (x86_64 intrinsics or unsigned __int128, see there). Points: Jacobian (X, Y,
 * Z), infinity Z = 0; the point formulas are those of ec_p256_m31.c (a = -3 doubling; one
 * addition function: 12M+4S, or 8M+3S as the mixed addition when the second point is affine).
 * Fixed-base multiplication (k*G) uses a Lim-Lee comb: k in eight 32-bit chunks k_i, two
 * tables of 15 affine points (teeth 32 bits apart over the low and the high 128 bits), 31
 * doublings and 64 mixed additions instead of 256 doublings and 64 additions. Only the eight
 * teeth 2^(32i) * G are constants (512 bytes); the 30 table points (1920 bytes) are computed
 * at the first k*G of the process (comb_init: 22 additions and one inversion, ~210k
 * instructions, about half a k*G). One table with teeth 64 bits apart would cost 32 more
 * doublings (~+20% instructions per k*G). Variable-base multiplication uses a 4-bit fixed
 * window over 15 Jacobian multiples. Every table read scans the whole table with masks; no
 * branch or address depends on a secret.
 *
 * No exceptional addition can occur for a multiplier 0 < k < n (the contract):
 *  - window: before an addition the accumulator is 16*a*P (a = the multiplier's leading
 *    digits, a > 0 once qz is clear) and the addend d*P, 1 <= d <= 15; 16*a = +-d (mod n)
 *    would need 16*a +- d = 0 or n, impossible for 16*a + d <= k < n;
 *  - comb (column t, k split in 32-bit chunks k_0..k_7): before the first addition the
 *    accumulator is A*G with A = sum_i 2^(32i) * 2*(k_i >> (t+1)) and the addend c*G with
 *    c = sum_(i<4) 2^(32i) * bit t of k_i; before the second one the accumulator is
 *    (A + c)*G and the addend c'*G with c' = sum_(i>=4) 2^(32i) * bit t of k_i. Each time
 *    the two have disjoint bits, so they are equal only when both are 0 (qz), and their sum
 *    is at most sum_i 2^(32i) * (k_i >> t) <= k < n: never P = +-Q.
 * The constants (Montgomery form) were generated with Python's integers from the curve's
 * published G; tests/unit/test_ec_p256.c checks every table entry against BearSSL's m31.
 * ECDSA signing and verification (ec_p256_w64_sign/_vrfy_raw) do their arithmetic modulo n
 * in the same 64-bit Montgomery form instead of BearSSL's i31 (br_i31_modpow for 1/k and
 * 1/s was ~1M instructions per call). tests/fuzz/fuzz_ec_p256.c compares all of it with
 * br_ec_p256_m31 and the i31 ECDSA code. */
#include <string.h>

#include "crypto_int.h"

#ifdef EC_P256_W64

__extension__ typedef unsigned __int128 u128;
#define AI static inline __attribute__((always_inline))

/* A modulus: its four limbs, then -1/m mod 2^64 (for Montgomery reduction).
 * p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (-1/p = 1 mod 2^64) and the curve order n. */
static const uint64_t P[5] = {0xFFFFFFFFFFFFFFFFu, 0x00000000FFFFFFFFu, 0, 0xFFFFFFFF00000001u, 1};
static const uint64_t N[5] = {0xF3B9CAC2FC632551u, 0xBCE6FAADA7179E84u, 0xFFFFFFFFFFFFFFFFu,
                              0xFFFFFFFF00000000u, 0xCCD1C8AAEE00BC4Fu};

typedef struct {
    uint64_t x[4], y[4], z[4];
} jac;

typedef struct {
    uint64_t x[4], y[4];
} aff;

/* 2^512 mod p (to Montgomery form), 1 and b in Montgomery form. */
static const uint64_t R2[4] = {0x0000000000000003u, 0xFFFFFFFBFFFFFFFFu, 0xFFFFFFFFFFFFFFFEu,
                               0x00000004FFFFFFFDu};
static const uint64_t ONE[4] = {0x0000000000000001u, 0xFFFFFFFF00000000u, 0xFFFFFFFFFFFFFFFFu,
                                0x00000000FFFFFFFEu};
static const uint64_t MB[4] = {0xD89CDF6229C4BDDFu, 0xACF005CD78843090u, 0xE5A220ABF7212ED6u,
                               0xDC30061D04874834u};

/* TEETH[i] = 2^(32i) * G, affine, Montgomery form (generated with Python's integers). */
static const aff TEETH[8] = {
    {{0x79E730D418A9143Cu, 0x75BA95FC5FEDB601u, 0x79FB732B77622510u, 0x18905F76A53755C6u},
     {0xDDF25357CE95560Au, 0x8B4AB8E4BA19E45Cu, 0xD2E88688DD21F325u, 0x8571FF1825885D85u}},
    {{0x202886024147519Au, 0xD0981EAC26B372F0u, 0xA9D4A7CAA785EBC8u, 0xD953C50DDBDF58E9u},
     {0x9D6361CCFD590F8Fu, 0x72E9626B44E6C917u, 0x7FD9611022EB64CFu, 0x863EBB7E9EB288F3u}},
    {{0x4F922FC516A0D2BBu, 0x0D5CC16C1A623499u, 0x9241CF3A57C62C8Bu, 0x2F5E6961FD1B667Fu},
     {0x5C15C70BF5A01797u, 0x3D20B44D60956192u, 0x04911B37071FDB52u, 0xF648F9168D6F0F7Bu}},
    {{0x4FE7EE31B0E63D34u, 0xF4600572A9E54FABu, 0xC0493334D5E7B5A4u, 0x8589FB9206D54831u},
     {0xAA70F5CC6583553Au, 0x0879094AE25649E5u, 0xCC90450710044652u, 0xEBB0696D02541C4Fu}},
    {{0x62A8C244BFE20925u, 0x91C19AC38FDCE867u, 0x5A96A5D5DD387063u, 0x61D587D421D324F6u},
     {0xE87673A2A37173EAu, 0x2384800853778B65u, 0x10F8441E05BAB43Eu, 0xFA11FE124621EFBEu}},
    {{0xD433E50F6D3549CFu, 0x6F33696FFACD665Eu, 0x695BFDACCE11FCB4u, 0x810EE252AF7C9860u},
     {0x65450FE17159BB2Cu, 0xF7DFBEBE758B357Bu, 0x2B057E74D69FEA72u, 0xD485717A92731745u}},
    {{0x56F8410EF4F8B16Au, 0x97241AFEC47B266Au, 0x0A406B8E6D9C87C1u, 0x803F3E02CD42AB1Bu},
     {0x7F0309A804DBEC69u, 0xA83B85F73BBAD05Fu, 0xC6097273AD8E197Fu, 0xC097440E5067ADC1u}},
    {{0xE3417BC035D0B34Au, 0x440B386B8327C0A7u, 0x8FB7262DAC0362D1u, 0x2C41114CE0CDF943u},
     {0x2BA5CEF1AD95A0B1u, 0xC09B37A867D54362u, 0x26D6CDD201E486C9u, 0x20477ABF42FF9297u}},
};

/* COMB[h][j - 1] = sum over the bits i of j of TEETH[4h + i] (h = 0, 1: two tables of 15
 * points, affine, Montgomery form), computed at the first k*G (comb_init). */
static aff COMB[2][15];
static int comb_ready;

static const unsigned char P256_G[65] = {
    0x04, 0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5,
    0x63, 0xA4, 0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4,
    0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96, 0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A,
    0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16, 0x2B, 0xCE, 0x33,
    0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5};

static const unsigned char P256_N[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

/* 1 when x != 0, else 0 (constant-time). */
static uint64_t neq0(uint64_t x)
{
    return (x | (0 - x)) >> 63;
}

static uint64_t eq(uint64_t a, uint64_t b)
{
    return neq0(a ^ b) ^ 1;
}

/* dst = src when ctl (0 or 1) is 1; n 64-bit words. */
static void ccopy(uint64_t ctl, void *dst, const void *src, size_t n)
{
    uint64_t *d = dst;
    const uint64_t *s = src;
    uint64_t m = 0 - ctl;
    size_t i;
    for (i = 0; i < n; i++)
        d[i] ^= m & (d[i] ^ s[i]);
}

/* dst = tab[idx - 1] (n words per entry, n a multiple of 4, count entries), all zeros for
 * idx = 0: reads every entry and keeps the one wanted with masks. */
static void lookup(uint64_t *dst, const uint64_t *tab, size_t n, size_t count, uint64_t idx)
{
    size_t i, k;
    memset(dst, 0, n * 8);
    for (i = 0; i < count; i++, tab += n) {
        uint64_t m = 0 - eq(idx, (uint64_t)i + 1);
        for (k = 0; k < n; k += 4) {
            dst[k] |= m & tab[k];
            dst[k + 1] |= m & tab[k + 1];
            dst[k + 2] |= m & tab[k + 2];
            dst[k + 3] |= m & tab[k + 3];
        }
    }
}

/* Carry primitives: *r = a + b + c and the carry, *r = a - b - c and the borrow (c: 0 or 1),
 * lo of a * b and *hi. With unsigned __int128 everywhere; on x86_64 the additions use the
 * _addcarry_u64/_subborrow_u64 intrinsics, which GCC turns into adc/sbb chains (its code for
 * the 128-bit form re-materialises every carry, ~1.6 times slower). EC_P256_W64_PORTABLE
 * forces the plain C form (the unit test builds that one too). */
#if defined(__x86_64__) && !defined(EC_P256_W64_PORTABLE)
#include <x86intrin.h>
AI uint64_t addc(uint64_t *r, uint64_t a, uint64_t b, uint64_t c)
{
    unsigned long long t;
    c = _addcarry_u64((unsigned char)c, a, b, &t);
    *r = t;
    return c;
}

AI uint64_t subb(uint64_t *r, uint64_t a, uint64_t b, uint64_t c)
{
    unsigned long long t;
    c = _subborrow_u64((unsigned char)c, a, b, &t);
    *r = t;
    return c;
}
#else
AI uint64_t addc(uint64_t *r, uint64_t a, uint64_t b, uint64_t c)
{
    u128 z = (u128)a + b + c;
    *r = (uint64_t)z;
    return (uint64_t)(z >> 64);
}

AI uint64_t subb(uint64_t *r, uint64_t a, uint64_t b, uint64_t c)
{
    u128 z = (u128)a - b - c;
    *r = (uint64_t)z;
    return (uint64_t)(z >> 64) & 1;
}
#endif

AI uint64_t mulw(uint64_t *hi, uint64_t a, uint64_t b)
{
    u128 z = (u128)a * b;
    *hi = (uint64_t)(z >> 64);
    return (uint64_t)z;
}

/* d = t4:t - m when that is >= 0, else t (t4:t < 2m). Unrolled: it ends every product. */
static void mod_final(uint64_t *d, const uint64_t *t, uint64_t t4, const uint64_t *m)
{
    uint64_t r0, r1, r2, r3, b, mask;
    b = subb(&r0, t[0], m[0], 0);
    b = subb(&r1, t[1], m[1], b);
    b = subb(&r2, t[2], m[2], b);
    b = subb(&r3, t[3], m[3], b);
    mask = t4 - b; /* all ones: t4:t < m, keep t */
    d[0] = (t[0] & mask) | (r0 & ~mask);
    d[1] = (t[1] & mask) | (r1 & ~mask);
    d[2] = (t[2] & mask) | (r2 & ~mask);
    d[3] = (t[3] & mask) | (r3 & ~mask);
}

/* 1 when a < m (the subtraction borrows). */
static uint64_t lt_mod(const uint64_t *a, const uint64_t *m)
{
    uint64_t b = 0, t;
    int i;
    for (i = 0; i < 4; i++)
        b = subb(&t, a[i], m[i], b);
    return b;
}

/* d = a + b mod m (a, b < m). */
static void mod_add(uint64_t *d, const uint64_t *a, const uint64_t *b, const uint64_t *m)
{
    uint64_t t[4], c = 0;
    int i;
    for (i = 0; i < 4; i++)
        c = addc(&t[i], a[i], b[i], c);
    mod_final(d, t, c, m);
}

/* d = t - p when t4:t >= p, else t (t4:t < 2p). */
AI void fe_final(uint64_t *d, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4)
{
    uint64_t r0, r1, r2, r3, b, m;
    b = subb(&r0, t0, P[0], 0);
    b = subb(&r1, t1, P[1], b);
    b = subb(&r2, t2, 0, b);
    b = subb(&r3, t3, P[3], b);
    /* m = 0: t4:t >= p, take r; m = all ones: keep t */
    m = t4 - b;
    d[0] = (t0 & m) | (r0 & ~m);
    d[1] = (t1 & m) | (r1 & ~m);
    d[2] = (t2 & m) | (r2 & ~m);
    d[3] = (t3 & m) | (r3 & ~m);
}

static void fe_add(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    mod_add(d, a, b, P);
}

static void fe_sub(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, m, c;
    c = subb(&t0, a[0], b[0], 0);
    c = subb(&t1, a[1], b[1], c);
    c = subb(&t2, a[2], b[2], c);
    c = subb(&t3, a[3], b[3], c);
    m = 0 - c; /* all ones on a borrow: add p back */
    c = addc(&d[0], t0, P[0] & m, 0);
    c = addc(&d[1], t1, P[1] & m, c);
    c = addc(&d[2], t2, 0, c);
    addc(&d[3], t3, P[3] & m, c);
}

/* r[i..i+4] += a * b[0..3] (r[i+4] must not overflow: it holds at most a carry before). */
AI void mulrow(uint64_t *r, uint64_t a, const uint64_t *b)
{
    uint64_t l0, l1, l2, l3, h0, h1, h2, h3, c;
    l0 = mulw(&h0, a, b[0]);
    l1 = mulw(&h1, a, b[1]);
    l2 = mulw(&h2, a, b[2]);
    l3 = mulw(&h3, a, b[3]);
    c = addc(&r[0], r[0], l0, 0);
    c = addc(&r[1], r[1], l1, c);
    c = addc(&r[2], r[2], l2, c);
    c = addc(&r[3], r[3], l3, c);
    addc(&r[4], r[4], 0, c);
    c = addc(&r[1], r[1], h0, 0);
    c = addc(&r[2], r[2], h1, c);
    c = addc(&r[3], r[3], h2, c);
    addc(&r[4], r[4], h3, c);
}

/* r[0..7] = a * b (schoolbook, one row per limb of a, fully unrolled). */
AI void mul256(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t c;
    r[0] = mulw(&r[1], a[0], b[0]);
    r[2] = mulw(&r[3], a[0], b[2]);
    r[4] = r[5] = r[6] = r[7] = 0;
    {
        uint64_t l, h;
        l = mulw(&h, a[0], b[1]);
        c = addc(&r[1], r[1], l, 0);
        c = addc(&r[2], r[2], h, c);
        l = mulw(&h, a[0], b[3]);
        c = addc(&r[3], r[3], l, c);
        addc(&r[4], h, 0, c);
    }
    mulrow(r + 1, a[1], b);
    mulrow(r + 2, a[2], b);
    mulrow(r + 3, a[3], b);
}

/* One Montgomery step for p: with m = r[0] (-1/p = 1 mod 2^64), adds m * p, which clears
 * r[0], to r[1..4] and cin (the previous step's carry) to r[4]; returns the new carry.
 * m * p = m * 2^256 - m * 2^224 + m * 2^192 + m * 2^96 - m: the low limb gives m * 2^64,
 * which with m * (2^96 - 2^64) makes m * 2^96 = (m << 32) + (m >> 32) * 2^64; the top limb of
 * p, 2^64 - 2^32 + 1, is one multiplication. The carries stay 0 or 1: the high word of
 * m * (2^64 - 2^32 + 1) is at most 2^64 - 2^32, so r[4] cannot carry twice. */
AI uint64_t fe_redstep(uint64_t *r, uint64_t cin)
{
    uint64_t m = r[0], l, h, c;
    l = mulw(&h, m, P[3]);
    c = addc(&r[1], r[1], m << 32, 0);
    c = addc(&r[2], r[2], m >> 32, c);
    c = addc(&r[3], r[3], l, c);
    c = addc(&r[4], r[4], h, c);
    return c | addc(&r[4], r[4], cin, 0);
}

/* One Montgomery step for any modulus m: adds q * m to r[0..4] with q = r[0] * (-1/m) (which
 * clears r[0]) and cin to r[4]; returns the carry out of r[4] (0 or 1: r[0..4] + 2^256 +
 * q * m is below 2^321). */
AI uint64_t mod_redstep(uint64_t *r, uint64_t cin, const uint64_t *m)
{
    uint64_t q = r[0] * m[4], l0, l1, l2, l3, h0, h1, h2, h3, c, c1;
    l0 = mulw(&h0, q, m[0]);
    l1 = mulw(&h1, q, m[1]);
    l2 = mulw(&h2, q, m[2]);
    l3 = mulw(&h3, q, m[3]);
    c = addc(&r[0], r[0], l0, 0);
    c = addc(&r[1], r[1], l1, c);
    c = addc(&r[2], r[2], l2, c);
    c1 = addc(&r[3], r[3], l3, c);
    c = addc(&r[1], r[1], h0, 0);
    c = addc(&r[2], r[2], h1, c);
    c = addc(&r[3], r[3], h2, c);
    c = addc(&r[4], r[4], h3, c);
    return c + addc(&r[4], r[4], c1, cin);
}

/* Montgomery multiplication modulo m (P or N): d = a * b / 2^256 mod m. The 512-bit product,
 * then four reduction steps, then one conditional subtraction (the quotient is below
 * 2^256 + m: any a, b < 2^256 give d < 2^256 and d = a * b / 2^256 (mod m), and b < m gives
 * d < m, the invariant of every element). The steps for p are unrolled (the field products
 * are most of the CPU time), those for n a loop. No branch or memory index depends on the
 * values. */
static void mont_mul(uint64_t *d, const uint64_t *a, const uint64_t *b, const uint64_t *m)
{
    uint64_t r[8], c = 0;
    int i;
    mul256(r, a, b);
    if (m == P) {
        c = fe_redstep(r, 0);
        c = fe_redstep(r + 1, c);
        c = fe_redstep(r + 2, c);
        c = fe_redstep(r + 3, c);
        fe_final(d, r[4], r[5], r[6], r[7], c);
    } else {
        for (i = 0; i < 4; i++)
            c = mod_redstep(r + i, c, m);
        mod_final(d, r + 4, c, m);
    }
}

/* Field multiplication and squaring (Montgomery form, R = 2^256). */
static void fe_mul(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    mont_mul(d, a, b, P);
}

static void fe_sqr(uint64_t *d, const uint64_t *a)
{
    mont_mul(d, a, a, P);
}

/* d = a^(m-2) mod m (Fermat's inverse: 1/a for a field element, 0 for a = 0), a and d in
 * Montgomery form; a fixed 4-bit window over the public exponent m - 2 (whose top nibble is
 * 0xF for p and n). */
static void mod_inv(uint64_t *d, const uint64_t *a, const uint64_t *m)
{
    uint64_t w[16][4], e; /* a^1..a^15, then the accumulator */
    uint64_t *acc = w[15];
    int i, j;
    memcpy(w[0], a, sizeof w[0]);
    for (i = 1; i < 15; i++)
        mont_mul(w[i], w[i - 1], a, m);
    memcpy(acc, w[14], 32);
    for (i = 62; i >= 0; i--) {
        e = m[i >> 4] - (i < 16 ? 2 : 0); /* m[0] >= 2: no borrow */
        e = (e >> (4 * (i & 15))) & 0x0F;
        for (j = 0; j < 4; j++)
            mont_mul(acc, acc, acc, m);
        if (e != 0) mont_mul(acc, acc, w[e - 1], m);
    }
    memcpy(d, acc, 32);
    crypto_wipe(w, sizeof w);
}

static void fe_inv(uint64_t *d, const uint64_t *a)
{
    mod_inv(d, a, P);
}

static uint64_t fe_is_zero(const uint64_t *a)
{
    return neq0(a[0] | a[1] | a[2] | a[3]) ^ 1;
}

/* 32 big-endian bytes to limbs (no reduction), and back. */
static void limbs_decode(uint64_t *d, const unsigned char *src)
{
    int i, j;
    for (i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (j = 0; j < 8; j++)
            w = (w << 8) | src[(3 - i) * 8 + j];
        d[i] = w;
    }
}

static void limbs_encode(unsigned char *dst, const uint64_t *a)
{
    int i, j;
    for (i = 0; i < 4; i++)
        for (j = 0; j < 8; j++)
            dst[(3 - i) * 8 + j] = (unsigned char)(a[i] >> (56 - 8 * j));
}

/* 32 big-endian bytes to limbs in Montgomery form; returns 1 when the value is < p. */
static uint64_t fe_decode(uint64_t *d, const unsigned char *src)
{
    uint64_t t[4], b;
    limbs_decode(t, src);
    b = lt_mod(t, P);
    fe_mul(d, t, R2);
    return b;
}

static void fe_encode(unsigned char *dst, const uint64_t *a)
{
    static const uint64_t one[4] = {1, 0, 0, 0};
    uint64_t t[4];
    fe_mul(t, a, one);
    limbs_encode(dst, t);
}

/* Q = 2Q; also for infinity (Z = 0 stays 0). See ec_p256_m31.c. */
static void p256_double(jac *Q)
{
    uint64_t t1[4], t2[4], t3[4], t4[4];
    fe_sqr(t1, Q->z);
    fe_add(t2, Q->x, t1);
    fe_sub(t1, Q->x, t1);
    fe_mul(t3, t1, t2);
    fe_add(t1, t3, t3);
    fe_add(t1, t3, t1); /* m = 3(x + z^2)(x - z^2) */
    fe_sqr(t3, Q->y);
    fe_add(t3, t3, t3); /* 2y^2 */
    fe_mul(t2, Q->x, t3);
    fe_add(t2, t2, t2); /* s = 4xy^2 */
    fe_sqr(Q->x, t1);
    fe_sub(Q->x, Q->x, t2);
    fe_sub(Q->x, Q->x, t2);
    fe_mul(t4, Q->y, Q->z);
    fe_add(Q->z, t4, t4);
    fe_sub(t2, t2, Q->x);
    fe_mul(Q->y, t1, t2);
    fe_sqr(t4, t3);
    fe_add(t4, t4, t4);
    fe_sub(Q->y, Q->y, t4);
}

/* P1 = P1 + (x2, y2, z2) for P1 != P2, neither infinity; z2 = NULL for an affine P2 (z = 1:
 * the mixed addition, without the products by z2). Returns 1 when r = s2 - s1 != 0 (so that
 * a caller can tell P1 = -P2 from P1 = P2 when Z3 = 0). */
static uint64_t p256_add(jac *P1, const uint64_t *x2, const uint64_t *y2, const uint64_t *z2)
{
    uint64_t t1[4], t2[4], t3[4], t4[4], t5[4], t6[4], t7[4];
    uint64_t ret;
    memcpy(t1, P1->x, sizeof t1); /* u1 */
    memcpy(t3, P1->y, sizeof t3); /* s1 */
    if (z2 != NULL) {
        fe_sqr(t4, z2);
        fe_mul(t1, t1, t4);
        fe_mul(t4, z2, t4);
        fe_mul(t3, t3, t4);
    }
    fe_sqr(t4, P1->z);
    fe_mul(t2, x2, t4); /* u2 */
    fe_mul(t5, P1->z, t4);
    fe_mul(t4, y2, t5); /* s2 */
    fe_sub(t2, t2, t1); /* h */
    fe_sub(t4, t4, t3); /* r */
    ret = fe_is_zero(t4) ^ 1;
    fe_sqr(t7, t2);
    fe_mul(t6, t1, t7); /* u1 h^2 */
    fe_mul(t5, t7, t2); /* h^3 */
    fe_sqr(P1->x, t4);
    fe_sub(P1->x, P1->x, t5);
    fe_sub(P1->x, P1->x, t6);
    fe_sub(P1->x, P1->x, t6);
    fe_sub(t6, t6, P1->x);
    fe_mul(P1->y, t4, t6);
    fe_mul(t1, t5, t3);
    fe_sub(P1->y, P1->y, t1);
    fe_mul(P1->z, P1->z, t2);
    if (z2 != NULL) fe_mul(P1->z, P1->z, z2);
    return ret;
}

/* Affine coordinates in x and y, z = 1 (Montgomery); infinity gives all zeros. */
static void p256_to_affine(jac *P)
{
    uint64_t zi[4], t[4];
    fe_inv(zi, P->z);
    fe_sqr(t, zi);
    fe_mul(P->x, P->x, t);
    fe_mul(t, t, zi);
    fe_mul(P->y, P->y, t);
    fe_mul(P->z, P->z, zi);
}

/* An uncompressed point on the curve (1) or not (0; P is then unusable). */
static uint32_t p256_decode(jac *P, const unsigned char *buf, size_t len)
{
    uint64_t t1[4], t2[4], ok;
    if (len != 65) return 0;
    ok = eq(buf[0], 0x04);
    ok &= fe_decode(P->x, buf + 1);
    ok &= fe_decode(P->y, buf + 33);
    /* y^2 = x^3 - 3x + b */
    fe_sqr(t1, P->x);
    fe_mul(t1, t1, P->x);
    fe_sub(t1, t1, P->x);
    fe_sub(t1, t1, P->x);
    fe_sub(t1, t1, P->x);
    fe_add(t1, t1, MB);
    fe_sqr(t2, P->y);
    fe_sub(t1, t1, t2);
    ok &= fe_is_zero(t1);
    memcpy(P->z, ONE, sizeof P->z);
    return (uint32_t)ok;
}

static void p256_encode(unsigned char *dst, const jac *P)
{
    dst[0] = 0x04;
    fe_encode(dst + 1, P->x);
    fe_encode(dst + 33, P->y);
}

/* Q += tab[bits - 1] (nothing for bits = 0; tab: 15 entries of n words, n = 8 for affine
 * points, z = 1, or 12 for Jacobian ones), *qz = 1 while Q is the point at infinity: Q takes
 * the entry then. The table is read with lookup(), the addition always done, the result
 * selected with masks. */
static void add_from_table(jac *Q, uint64_t *qz, const void *tab, size_t n, uint64_t bits)
{
    uint64_t bnz = neq0(bits);
    jac T, U;
    lookup((uint64_t *)&T, tab, n, 15, bits);
    if (n == 8) memcpy(T.z, ONE, sizeof T.z);
    U = *Q;
    p256_add(&U, T.x, T.y, n == 8 ? NULL : T.z);
    ccopy(bnz & *qz, Q, &T, sizeof T / 8);
    ccopy(bnz & ~*qz, Q, &U, sizeof U / 8);
    *qz &= ~bnz;
}

/* P = x*P (variable base; x big-endian, any length, lower than the order). */
static void p256_mul(jac *P, const unsigned char *x, size_t xlen)
{
    jac W[15], Q;
    uint64_t qz = 1;
    int i, k;
    /* W[i] = (i + 1) * P: doublings of W[i / 2] for even multiples, W[i - 1] + P else */
    W[0] = *P;
    for (i = 1; i < 15; i++) {
        if (i & 1) {
            W[i] = W[i / 2];
            p256_double(&W[i]);
        } else {
            W[i] = W[i - 1];
            p256_add(&W[i], W[0].x, W[0].y, W[0].z);
        }
    }
    memset(&Q, 0, sizeof Q);
    while (xlen-- > 0) {
        unsigned bx = *x++;
        for (k = 0; k < 2; k++) {
            p256_double(&Q);
            p256_double(&Q);
            p256_double(&Q);
            p256_double(&Q);
            add_from_table(&Q, &qz, W, sizeof W[0] / 8, (bx >> 4) & 0x0F);
            bx <<= 4;
        }
    }
    *P = Q;
}

/* Fills COMB from TEETH (public data: plain code). COMB[i / 4][e + j - 1] =
 * COMB[i / 4][j - 1] + TEETH[i] for e = 2^(i % 4), j < e: sums of distinct teeth, so
 * different multiples of G below n, never P = +-Q. Then all 30 points to affine with one
 * inversion (Montgomery's trick: 1/Z_i = (Z_0...Z_(i-1)) / (Z_0...Z_i)). ~210k instructions,
 * once per process (a static table: acme.c has no threads); the table was 1920 bytes of the
 * binary. */
static void comb_init(void)
{
    jac T[30];
    uint64_t prod[30][4], inv[4], zi[4], t[4];
    int i, j, e;
    for (i = 0; i < 8; i++) {
        jac *tab = T + 15 * (i / 4);
        e = 1 << (i % 4);
        memcpy(tab[e - 1].x, TEETH[i].x, sizeof ONE);
        memcpy(tab[e - 1].y, TEETH[i].y, sizeof ONE);
        memcpy(tab[e - 1].z, ONE, sizeof ONE);
        for (j = 1; j < e; j++) {
            tab[e + j - 1] = tab[j - 1];
            p256_add(&tab[e + j - 1], TEETH[i].x, TEETH[i].y, NULL);
        }
    }
    memcpy(prod[0], T[0].z, sizeof prod[0]);
    for (i = 1; i < 30; i++)
        fe_mul(prod[i], prod[i - 1], T[i].z);
    fe_inv(inv, prod[29]);
    for (i = 29; i >= 0; i--) {
        if (i > 0) {
            fe_mul(zi, inv, prod[i - 1]);
            fe_mul(inv, inv, T[i].z);
        } else {
            memcpy(zi, inv, sizeof zi);
        }
        fe_sqr(t, zi);
        fe_mul(COMB[i / 15][i % 15].x, T[i].x, t);
        fe_mul(t, t, zi);
        fe_mul(COMB[i / 15][i % 15].y, T[i].y, t);
    }
    comb_ready = 1;
}

/* P = k*G, 0 < k < n, k big-endian in at most 32 bytes (comb; see the top of the file): k in
 * eight 32-bit chunks k_j (the halves of the limbs), column t takes bit t of k_0..k_3 as the
 * index into COMB[0], then bit t of k_4..k_7 as the index into COMB[1]. */
static void p256_mulgen_comb(jac *P, const unsigned char *x, size_t xlen)
{
    uint64_t k[4] = {0, 0, 0, 0}, qz = 1, bits;
    jac Q;
    size_t u;
    int t, h, i;
    if (!comb_ready) comb_init();
    for (u = 0; u < xlen; u++) {
        size_t bit = 8 * (xlen - 1 - u);
        k[bit >> 6] |= (uint64_t)x[u] << (bit & 63);
    }
    memset(&Q, 0, sizeof Q);
    for (t = 31; t >= 0; t--) {
        if (t != 31) p256_double(&Q);
        for (h = 0; h < 2; h++) {
            bits = 0;
            for (i = 0; i < 4; i++)
                bits |= ((k[2 * h + i / 2] >> (t + 32 * (i & 1))) & 1) << i;
            add_from_table(&Q, &qz, COMB[h], sizeof(aff) / 8, bits);
        }
    }
    crypto_wipe(k, sizeof k);
    *P = Q;
}

static void p256_mulgen(jac *P, const unsigned char *x, size_t xlen)
{
    while (xlen > 32 && *x == 0) {
        x++;
        xlen--;
    }
    if (xlen <= 32) {
        p256_mulgen_comb(P, x, xlen);
    } else {
        p256_decode(P, P256_G, sizeof P256_G);
        p256_mul(P, x, xlen);
    }
}

static const unsigned char *api_generator(int curve, size_t *len)
{
    (void)curve;
    *len = sizeof P256_G;
    return P256_G;
}

static const unsigned char *api_order(int curve, size_t *len)
{
    (void)curve;
    *len = sizeof P256_N;
    return P256_N;
}

static size_t api_xoff(int curve, size_t *len)
{
    (void)curve;
    *len = 32;
    return 1;
}

static uint32_t api_mul(unsigned char *G, size_t Glen, const unsigned char *x, size_t xlen,
                        int curve)
{
    jac P;
    uint32_t r;
    (void)curve;
    if (Glen != 65) return 0; /* as m31: nothing written */
    r = p256_decode(&P, G, Glen);
    p256_mul(&P, x, xlen);
    p256_to_affine(&P);
    p256_encode(G, &P);
    return r;
}

static size_t api_mulgen(unsigned char *R, const unsigned char *x, size_t xlen, int curve)
{
    jac P;
    (void)curve;
    p256_mulgen(&P, x, xlen);
    p256_to_affine(&P);
    p256_encode(R, &P);
    return 65;
}

static uint32_t api_muladd(unsigned char *A, const unsigned char *B, size_t len,
                           const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
                           int curve)
{
    jac P, Q;
    uint32_t r;
    uint64_t t, z;
    (void)curve;
    if (len != 65) return 0;
    r = p256_decode(&P, A, len);
    p256_mul(&P, x, xlen);
    if (B == NULL) {
        p256_mulgen(&Q, y, ylen);
    } else {
        r &= p256_decode(&Q, B, len);
        p256_mul(&Q, y, ylen);
    }
    /* The addition fails when both points are equal (z = 1, t = 0: use 2Q) or opposite
     * (z = 1, t = 1: an error). */
    t = p256_add(&P, Q.x, Q.y, Q.z);
    z = fe_is_zero(P.z);
    p256_double(&Q);
    ccopy(z & ~t & 1, &P, &Q, sizeof P / 8);
    p256_to_affine(&P);
    p256_encode(A, &P);
    r &= (uint32_t)(~(z & t) & 1);
    return r;
}

/* ECDSA signing (see ec_p256_w64_sign in crypto_int.h): BearSSL's br_ecdsa_i31_sign_raw step
 * for step (RFC 6979 nonce from HMAC_DRBG seeded with x || h, r = (kG).x mod n,
 * s = (h + x*r) / k mod n; byte-identical signatures), with the scalar arithmetic in 64-bit
 * Montgomery form (mont_mul modulo n): 1/k by Fermat takes ~330 multiplications instead of
 * br_i31_modpow's ~1M instructions per signature. */
static const uint64_t RRN[4] = {0x83244C95BE79EEA2u, 0x4699799C49BD6FA6u, 0x2845B2392B6BEC59u,
                                0x66E12D94F3D95620u}; /* 2^512 mod n */

/* Scalars modulo n: Montgomery products, sums, 1/a (a in Montgomery form: 2^256/a * 2^256). */
static void sc_mul(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    mont_mul(d, a, b, N);
}

static void sc_add(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    mod_add(d, a, b, N);
}

static void sc_inv(uint64_t *d, const uint64_t *a)
{
    mod_inv(d, a, N);
}

static uint64_t sc_lt_n(const uint64_t *a)
{
    return lt_mod(a, N);
}

/* A big-endian value of any length (leading zeros allowed) to limbs; 1 when it is < n. */
static int sc_decode_var(uint64_t *d, const unsigned char *src, size_t len)
{
    unsigned char b[32];
    unsigned hi = 0;
    for (; len > 32; len--)
        hi |= *src++;
    memset(b, 0, sizeof b);
    if (len > 0) memcpy(b + 32 - len, src, len);
    limbs_decode(d, b);
    crypto_wipe(b, sizeof b); /* a private key, for signing */
    return hi == 0 && sc_lt_n(d);
}

/* The leftmost 256 bits of a hash (left-padded when shorter), as BearSSL's bits2int for a
 * 256-bit order, reduced modulo n. */
static void sc_hash(uint64_t *d, const unsigned char *h, size_t len)
{
    sc_decode_var(d, h, len < 32 ? len : 32);
    mod_final(d, d, 0, N);
}

size_t ec_p256_w64_sign(const br_hash_class *hf, const void *hash_value,
                        const br_ec_private_key *sk, void *sig)
{
    struct { /* the secrets, wiped at once */
        uint64_t x[4], k[4], t[4], u[4];
        unsigned char tt[64];
        br_hmac_drbg_context drbg;
        jac P;
    } v;
    uint64_t m[4], r[4];
    unsigned char eU[65];
    size_t hash_len;

    if (sk->curve != BR_EC_secp256r1) return 0;
    if (!sc_decode_var(v.x, sk->x, sk->xlen) || fe_is_zero(v.x)) {
        crypto_wipe(v.x, sizeof v.x);
        return 0;
    }
    hash_len = (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
    sc_hash(m, hash_value, hash_len);

    /* RFC 6979 k (the DRBG seeded with x || h, both as 32 bytes) */
    limbs_encode(v.tt, v.x);
    limbs_encode(v.tt + 32, m);
    br_hmac_drbg_init(&v.drbg, hf, v.tt, sizeof v.tt);
    do {
        br_hmac_drbg_generate(&v.drbg, v.tt, 32);
        limbs_decode(v.k, v.tt);
    } while (fe_is_zero(v.k) || !sc_lt_n(v.k));

    /* r = (kG).x mod n (tt holds k) */
    p256_mulgen(&v.P, v.tt, 32);
    p256_to_affine(&v.P);
    p256_encode(eU, &v.P);
    limbs_decode(r, eU + 1);
    mod_final(r, r, 0, N);

    /* s = (m + x*r) / k */
    sc_mul(v.t, v.x, RRN); /* x * 2^256 */
    sc_mul(v.t, v.t, r);   /* x * r */
    sc_add(v.t, v.t, m);   /* m + x * r */
    sc_mul(v.u, v.k, RRN); /* k * 2^256 */
    sc_inv(v.u, v.u);      /* 2^256 / k */
    sc_mul(v.t, v.t, v.u); /* (m + x * r) / k */

    limbs_encode(sig, r);
    limbs_encode((unsigned char *)sig + 32, v.t);
    crypto_wipe(&v, sizeof v);
    return 64;
}

/* ECDSA verification (see ec_p256_w64_vrfy_raw in crypto_int.h): br_ecdsa_i31_vrfy_raw's
 * steps with 1/s, h/s and r/s in 64-bit Montgomery arithmetic modulo n (public data only),
 * then h/s * G + r/s * Q with this file's muladd and (x mod n) = r. r = 0 is rejected here
 * (BearSSL leaves it to the final comparison). */
uint32_t ec_p256_w64_vrfy_raw(const void *hash, size_t hash_len, const br_ec_public_key *pk,
                              const void *sig, size_t sig_len)
{
    const unsigned char *sb = sig;
    uint64_t r[4], s[4], h[4], w[4], x[4];
    unsigned char ub[32], vb[32], eU[65];
    size_t rlen = sig_len >> 1;
    uint32_t res;

    if (pk->curve != BR_EC_secp256r1 || (sig_len & 1) != 0 || pk->qlen != sizeof eU) return 0;
    if (!sc_decode_var(r, sb, rlen) || !sc_decode_var(s, sb + rlen, rlen)) return 0;
    if (fe_is_zero(r) || fe_is_zero(s)) return 0;
    sc_hash(h, hash, hash_len);
    sc_mul(w, s, RRN); /* s * 2^256 */
    sc_inv(w, w);      /* 2^256 / s */
    sc_mul(x, h, w);   /* h / s */
    limbs_encode(vb, x);
    sc_mul(x, r, w); /* r / s */
    limbs_encode(ub, x);
    memcpy(eU, pk->q, sizeof eU);
    res = api_muladd(eU, NULL, sizeof eU, ub, sizeof ub, vb, sizeof vb, BR_EC_secp256r1);
    limbs_decode(x, eU + 1);
    mod_final(x, x, 0, N); /* x < p < 2n */
    res &= (uint32_t)(((x[0] ^ r[0]) | (x[1] ^ r[1]) | (x[2] ^ r[2]) | (x[3] ^ r[3])) == 0);
    return res;
}

const br_ec_impl ec_p256_w64 = {
    (uint32_t)1 << BR_EC_secp256r1,
    api_generator,
    api_order,
    api_xoff,
    api_mul,
    api_mulgen,
    api_muladd,
};

#endif
