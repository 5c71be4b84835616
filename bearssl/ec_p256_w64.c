/* P-256 (secp256r1) for 64-bit targets: a br_ec_impl with the same contract as BearSSL's
 * br_ec_p256_m31 (constant-time, multipliers lower than the curve order), used by ec_impl()
 * where the compiler has a 64x64->128 multiplication (x86_64, aarch64, mips64...).
 * BearSSL 0.6 has only 15- and 31-bit limbs (m62/m64 came later); one issuance does ~20
 * P-256 point multiplications (15 ECDSA signatures, 2 key generations, ECDHE, 2 verifications)
 * and they were ~80% of the client's CPU time.
 *
 * Field: four 64-bit limbs in Montgomery form (R = 2^256), always fully reduced (< p), so
 * that equality and zero tests are limb compares. A multiplication is a fully unrolled 4x4
 * schoolbook product (a squaring: 6 cross products doubled plus 4 squares) and a Montgomery
 * reduction specialised for p (-1/p = 1 mod 2^64, so each of the 4 steps is one 64x64
 * multiplication, by the top limb of p, and shifts), then one conditional subtraction; no
 * branch or memory index depends on the values. Carry chains go through addc()/subb()
 * (x86_64 intrinsics or unsigned __int128, see there). Points: Jacobian (X, Y, Z), infinity Z = 0;
 * the point formulas are those of ec_p256_m31.c (a = -3 doubling, 12M+4S addition, 8M+3S
 * mixed addition). Fixed-base multiplication (k*G) uses a Lim-Lee comb: k in eight 32-bit chunks
 * k_i, two tables of 15 precomputed affine points (teeth 32 bits apart over the low and the high
 * 128 bits, 1920 bytes), 31 doublings and 64 mixed additions instead of 256 doublings and 64
 * additions. Variable-base
 * multiplication uses a 4-bit fixed window over 15 Jacobian multiples. Every table read scans
 * the whole table with masks; no branch or address depends on a secret.
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
 * The precomputed values (Montgomery form) were generated with Python's integers from the
 * curve's published G; tests/unit/test_ec_p256.c checks every entry against BearSSL's m31.
 * ECDSA signing and verification (ec_p256_w64_sign/_vrfy_raw) do their arithmetic modulo n
 * in the same 64-bit Montgomery form instead of BearSSL's i31 (br_i31_modpow for 1/k and
 * 1/s was ~1M instructions per call). tests/fuzz/fuzz_ec_p256.c compares all of it with
 * br_ec_p256_m31 and the i31 ECDSA code. */
#include <string.h>

#include "crypto_int.h"

#ifdef EC_P256_W64

__extension__ typedef unsigned __int128 u128;
#define AI static inline __attribute__((always_inline))

/* p = 2^256 - 2^224 + 2^192 + 2^96 - 1 */
#define FP0 0xFFFFFFFFFFFFFFFFu
#define FP1 0x00000000FFFFFFFFu
#define FP3 0xFFFFFFFF00000001u

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

/* COMB[j - 1] = sum over the bits i of j of 2^(32i) * G, COMB_HI[j - 1] = 2^128 times that;
 * affine, Montgomery form. */
static const aff COMB[15] = {
    {{0x79E730D418A9143Cu, 0x75BA95FC5FEDB601u, 0x79FB732B77622510u, 0x18905F76A53755C6u},
     {0xDDF25357CE95560Au, 0x8B4AB8E4BA19E45Cu, 0xD2E88688DD21F325u, 0x8571FF1825885D85u}},
    {{0x202886024147519Au, 0xD0981EAC26B372F0u, 0xA9D4A7CAA785EBC8u, 0xD953C50DDBDF58E9u},
     {0x9D6361CCFD590F8Fu, 0x72E9626B44E6C917u, 0x7FD9611022EB64CFu, 0x863EBB7E9EB288F3u}},
    {{0x7856B6235CDB6485u, 0x808F0EA22F0A2F97u, 0x3E68D9544F7E300Bu, 0x00076055B5FF80A0u},
     {0x7634EB9B838D2010u, 0x54014FBB3243708Au, 0xE0E47D39842A6606u, 0x8308776134373EE0u}},
    {{0x4F922FC516A0D2BBu, 0x0D5CC16C1A623499u, 0x9241CF3A57C62C8Bu, 0x2F5E6961FD1B667Fu},
     {0x5C15C70BF5A01797u, 0x3D20B44D60956192u, 0x04911B37071FDB52u, 0xF648F9168D6F0F7Bu}},
    {{0x9E566847E137BBBCu, 0xE434469E8A6A0BECu, 0xB1C4276179D73463u, 0x5ABE0285133D0015u},
     {0x92AA837CC04C7DABu, 0x573D9F4C43260C07u, 0x0C93156278E6CC37u, 0x94BB725B6B6F7383u}},
    {{0xBBF9B48F720F141Cu, 0x6199B3CD2DF5BC74u, 0xDC3F6129411045C4u, 0xCDD6BBCB2F7DC4EFu},
     {0xCCA6700BEAF436FDu, 0x6F647F6DB99326BEu, 0x0C0FA792014F2522u, 0xA361BEBD4BDAE5F6u}},
    {{0x28AA2558597C13C7u, 0xC38D635F50B7C3E1u, 0x07039AECF3C09D1Du, 0xBA12CA09C4B5292Cu},
     {0x9E408FA459F91DFDu, 0x3AF43B66CEEA07FBu, 0x1ECEB0899D780B29u, 0x53EBB99D701FEF4Bu}},
    {{0x4FE7EE31B0E63D34u, 0xF4600572A9E54FABu, 0xC0493334D5E7B5A4u, 0x8589FB9206D54831u},
     {0xAA70F5CC6583553Au, 0x0879094AE25649E5u, 0xCC90450710044652u, 0xEBB0696D02541C4Fu}},
    {{0x4616CA15AC1647C5u, 0xB8127D47C4CF5799u, 0xDC666AA3764DFBACu, 0xEB2820CBD1B27DA3u},
     {0x9406F8D86A87E008u, 0xD87DFA9D922378F3u, 0x56ED2E4280CCECB2u, 0x1F28289B55A7DA1Du}},
    {{0xABBAA0C03B89DA99u, 0xA6F2D79EB8284022u, 0x27847862B81C05E8u, 0x337A4B5905E54D63u},
     {0x3C67500D21F7794Au, 0x207005B77D6D7F61u, 0x0A5A378104CFD6E8u, 0x0D65E0D5F4C2FBD6u}},
    {{0xD9D09BBEB5275D38u, 0x4268A7450BE0A358u, 0xF0762FF4973EB265u, 0xC23DA24252F4A232u},
     {0x5DA1B84F0B94520Cu, 0x09666763B05BD78Eu, 0x3A4DCB8694D29EA1u, 0x19DE3B8CC790CFF1u}},
    {{0x183A716C26C5FE04u, 0x3B28DE0B3BBA1BDBu, 0x7432C586A4CB712Cu, 0xE34DCBD491FCCBFDu},
     {0xB408D46BAAA58403u, 0x9A69748682E97A53u, 0x9E39012736AAA8AFu, 0xE7641F447B4E0F7Fu}},
    {{0x7D753941DF64BA59u, 0xD33F10EC0B0242FCu, 0x4F06DFC6A1581859u, 0x4A12DF57052A57BFu},
     {0xBFA6338F9439DBD0u, 0xD3C24BD4BDE53E1Fu, 0xFD5E4FFA21F1B314u, 0x6AF5AA93BB5BEA46u}},
    {{0xDA10B69910C91999u, 0x0A24B4402A580491u, 0x3E0094B4B8CC2090u, 0x5FE3475A66A44013u},
     {0xB0F8CABDF93E7B4Bu, 0x292B501A7C23F91Au, 0x42E889AECD1E6263u, 0xB544E308ECFEA916u}},
    {{0x6478C6E916DDFDCEu, 0x2C329166F89179E6u, 0x4E8D6E764D4E67E1u, 0xE0B6B2BDA6B0C20Bu},
     {0x0D312DF2BB7EFB57u, 0x1AAC0DDE790C4007u, 0xF90336AD679BC944u, 0x71C023DE25A63774u}},
};
static const aff COMB_HI[15] = {
    {{0x62A8C244BFE20925u, 0x91C19AC38FDCE867u, 0x5A96A5D5DD387063u, 0x61D587D421D324F6u},
     {0xE87673A2A37173EAu, 0x2384800853778B65u, 0x10F8441E05BAB43Eu, 0xFA11FE124621EFBEu}},
    {{0xD433E50F6D3549CFu, 0x6F33696FFACD665Eu, 0x695BFDACCE11FCB4u, 0x810EE252AF7C9860u},
     {0x65450FE17159BB2Cu, 0xF7DFBEBE758B357Bu, 0x2B057E74D69FEA72u, 0xD485717A92731745u}},
    {{0xD11D47DCFC9877EEu, 0xC8B36210801D0002u, 0xD002C11754C260B6u, 0x04C17CD86962F046u},
     {0x6D9BD094B0DADDF5u, 0xBEA2357524CE55C0u, 0x663356E672DA03B5u, 0xF7BA4DE9FED97474u}},
    {{0x56F8410EF4F8B16Au, 0x97241AFEC47B266Au, 0x0A406B8E6D9C87C1u, 0x803F3E02CD42AB1Bu},
     {0x7F0309A804DBEC69u, 0xA83B85F73BBAD05Fu, 0xC6097273AD8E197Fu, 0xC097440E5067ADC1u}},
    {{0x5FE14BFE80EC21FEu, 0xF6CE116AC255BE82u, 0x98BC5A072F4A5D67u, 0xFAD27148DB7E63AFu},
     {0x90C0B6AC29AB05B3u, 0x37A9A83C4E251AE6u, 0x0A7DC875C2AADE7Du, 0x77387DE39F0E1A84u}},
    {{0x84A9521D927DAFC6u, 0x52C1FB695C09CD19u, 0x9D9581A0F9366DDEu, 0x9ABE210BA16D7E64u},
     {0x480AF84A48915220u, 0xFA73176A4DD816C6u, 0xC7D539871681CA5Au, 0x7881C25787F344B0u}},
    {{0xD75A3E6505058880u, 0x7DA365EF643943F2u, 0x4147861CFAB24925u, 0xC5C4BDB0FDB808FFu},
     {0x73513E34B272B56Bu, 0xC8327E9511B9043Au, 0xFD8CE37DF8844969u, 0x2D56DB9446C2B6B5u}},
    {{0xE3417BC035D0B34Au, 0x440B386B8327C0A7u, 0x8FB7262DAC0362D1u, 0x2C41114CE0CDF943u},
     {0x2BA5CEF1AD95A0B1u, 0xC09B37A867D54362u, 0x26D6CDD201E486C9u, 0x20477ABF42FF9297u}},
    {{0xF4F80824A7BF9B7Cu, 0x365D23203FBE30D0u, 0xBFBE532097CF9CE3u, 0xE3604700B3055526u},
     {0x4DCB99116CC6C2C7u, 0x72683708BA4CBEE6u, 0xDCDED434637AD9ECu, 0x6542D677A3DEE15Fu}},
    {{0x231C210E15339848u, 0xE87A28E870778C8Du, 0x9D1DE6616956E170u, 0x4AC3C9382BB09C0Bu},
     {0x19BE05516998987Du, 0x8B2376C4AE09F4D6u, 0x1DE0B7651A3F933Du, 0x380D94C7E39705F4u}},
    {{0xEB54EA74A16BD00Au, 0xD839E9ADF5C0BCC1u, 0x092BB7F11F9BFC06u, 0x318F97B31163DC4Eu},
     {0xECC0C5BEC30D7138u, 0x44E8DF23ABC30220u, 0x2BB7972FB0223606u, 0xFA41FAA19A84FF4Du}},
    {{0x2E80937CF67D04C3u, 0x1E312BE289EEB811u, 0x56B5D88792594D60u, 0x0224DA14187FBD3Du},
     {0x87ABB8630C5FE36Fu, 0x580F3C604EF51F5Fu, 0x964FB1BFB3B429ECu, 0x60838EF042BFFF33u}},
    {{0xF0F58F6620C26DEFu, 0x025585EA582B2D1Eu, 0xFBE7D79B01CE3881u, 0x28CCEA01303F1730u},
     {0xD1DABCD179644BA5u, 0x1FC643E806FFF0B8u, 0xA60A76FC66B3E17Bu, 0xC18BAF48A1D013BFu}},
    {{0x396EF794ADDB7D07u, 0x0B4FC74224455500u, 0xFAFF8EACC78AA3CEu, 0x14E9ADA5E8D4D97Du},
     {0xDAA480A12F7079E2u, 0x45BAA3CDE4B0800Eu, 0x01765E2D7838157Du, 0xA0AD4FAB8E9D9AE8u}},
    {{0xC9A1DC0E0BFC8FF3u, 0x14EFD82BE936F42Fu, 0x67016F7CCCA381EFu, 0x1432C1CAED8AEE96u},
     {0xEC68482970B23C26u, 0xA64FE8730735B273u, 0xE389F6E5EAEF0F5Au, 0xCAEF480B5AC8D2C6u}},
};

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
AI void lookup(uint64_t *dst, const uint64_t *tab, size_t n, size_t count, uint64_t idx)
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

/* d = t - p when t4:t >= p, else t (t4:t < 2p). */
AI void fe_final(uint64_t *d, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4)
{
    uint64_t r0, r1, r2, r3, b, m;
    b = subb(&r0, t0, FP0, 0);
    b = subb(&r1, t1, FP1, b);
    b = subb(&r2, t2, 0, b);
    b = subb(&r3, t3, FP3, b);
    /* m = 0: t4:t >= p, take r; m = all ones: keep t */
    m = t4 - b;
    d[0] = (t0 & m) | (r0 & ~m);
    d[1] = (t1 & m) | (r1 & ~m);
    d[2] = (t2 & m) | (r2 & ~m);
    d[3] = (t3 & m) | (r3 & ~m);
}

static void fe_add(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, c;
    c = addc(&t0, a[0], b[0], 0);
    c = addc(&t1, a[1], b[1], c);
    c = addc(&t2, a[2], b[2], c);
    c = addc(&t3, a[3], b[3], c);
    fe_final(d, t0, t1, t2, t3, c);
}

static void fe_sub(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, m, c;
    c = subb(&t0, a[0], b[0], 0);
    c = subb(&t1, a[1], b[1], c);
    c = subb(&t2, a[2], b[2], c);
    c = subb(&t3, a[3], b[3], c);
    m = 0 - c; /* all ones on a borrow: add p back */
    c = addc(&d[0], t0, FP0 & m, 0);
    c = addc(&d[1], t1, FP1 & m, c);
    c = addc(&d[2], t2, 0, c);
    addc(&d[3], t3, FP3 & m, c);
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

/* r[0..7] = a^2: the six cross products once, doubled, plus the four squares. */
AI void sqr256(uint64_t *r, const uint64_t *a)
{
    uint64_t c, l, h, a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    /* cross products a0*a1, a0*a2, a0*a3 | a1*a2, a1*a3 | a2*a3 in r[1..6] */
    r[1] = mulw(&r[2], a0, a1);
    r[3] = mulw(&r[4], a0, a3);
    l = mulw(&h, a0, a2);
    c = addc(&r[2], r[2], l, 0);
    c = addc(&r[3], r[3], h, c);
    r[5] = mulw(&r[6], a2, a3);
    l = mulw(&h, a1, a3);
    c = addc(&r[4], r[4], l, c);
    c = addc(&r[5], r[5], h, c);
    addc(&r[6], r[6], 0, c);
    l = mulw(&h, a1, a2);
    c = addc(&r[3], r[3], l, 0);
    c = addc(&r[4], r[4], h, c);
    c = addc(&r[5], r[5], 0, c);
    addc(&r[6], r[6], 0, c);
    /* doubled */
    r[7] = r[6] >> 63;
    r[6] = (r[6] << 1) | (r[5] >> 63);
    r[5] = (r[5] << 1) | (r[4] >> 63);
    r[4] = (r[4] << 1) | (r[3] >> 63);
    r[3] = (r[3] << 1) | (r[2] >> 63);
    r[2] = (r[2] << 1) | (r[1] >> 63);
    r[1] <<= 1;
    /* plus the squares (a^2 < 2^512: no carry out) */
    r[0] = mulw(&h, a0, a0);
    c = addc(&r[1], r[1], h, 0);
    l = mulw(&h, a1, a1);
    c = addc(&r[2], r[2], l, c);
    c = addc(&r[3], r[3], h, c);
    l = mulw(&h, a2, a2);
    c = addc(&r[4], r[4], l, c);
    c = addc(&r[5], r[5], h, c);
    l = mulw(&h, a3, a3);
    c = addc(&r[6], r[6], l, c);
    addc(&r[7], r[7], h, c);
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
    l = mulw(&h, m, FP3);
    c = addc(&r[1], r[1], m << 32, 0);
    c = addc(&r[2], r[2], m >> 32, c);
    c = addc(&r[3], r[3], l, c);
    c = addc(&r[4], r[4], h, c);
    return c | addc(&r[4], r[4], cin, 0);
}

/* d = r / 2^256 mod p for r = r[0..7] < 2^256 * p: four steps, then one conditional
 * subtraction (the quotient is below 2p). */
AI void fe_redc(uint64_t *d, uint64_t *r)
{
    uint64_t c;
    c = fe_redstep(r, 0);
    c = fe_redstep(r + 1, c);
    c = fe_redstep(r + 2, c);
    c = fe_redstep(r + 3, c);
    fe_final(d, r[4], r[5], r[6], r[7], c);
}

/* Montgomery multiplication d = a * b / 2^256 mod p. Any a, b < 2^256 give d < 2^256 and
 * d = a * b / 2^256 (mod p); a, b < p give d < p (the invariant of every element). */
static void fe_mul(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    uint64_t r[8];
    mul256(r, a, b);
    fe_redc(d, r);
}

/* d = a^2 / 2^256 mod p (as fe_mul(d, a, a), with 10 multiplications instead of 16). */
static void fe_sqr(uint64_t *d, const uint64_t *a)
{
    uint64_t r[8];
    sqr256(r, a);
    fe_redc(d, r);
}

static void fe_sqr_n(uint64_t *d, const uint64_t *a, int n)
{
    fe_sqr(d, a);
    while (--n > 0)
        fe_sqr(d, d);
}

/* d = 1/a (0 for a = 0): a^(p-2), p-2 = 1^32 0^31 1 0^96 1^94 0 1 (from the top bit). */
static void fe_inv(uint64_t *d, const uint64_t *a)
{
    uint64_t x2[4], x3[4], x6[4], x12[4], x15[4], x30[4], x32[4], t[4];
    fe_sqr(x2, a);
    fe_mul(x2, x2, a); /* a^(2^2-1) */
    fe_sqr(x3, x2);
    fe_mul(x3, x3, a);
    fe_sqr_n(x6, x3, 3);
    fe_mul(x6, x6, x3);
    fe_sqr_n(x12, x6, 6);
    fe_mul(x12, x12, x6);
    fe_sqr_n(x15, x12, 3);
    fe_mul(x15, x15, x3);
    fe_sqr_n(x30, x15, 15);
    fe_mul(x30, x30, x15);
    fe_sqr_n(x32, x30, 2);
    fe_mul(x32, x32, x2);
    fe_sqr_n(t, x32, 32);
    fe_mul(t, t, a);
    fe_sqr_n(t, t, 128);
    fe_mul(t, t, x32);
    fe_sqr_n(t, t, 32);
    fe_mul(t, t, x32);
    fe_sqr_n(t, t, 30);
    fe_mul(t, t, x30);
    fe_sqr_n(t, t, 2);
    fe_mul(d, t, a);
}

static uint64_t fe_is_zero(const uint64_t *a)
{
    return neq0(a[0] | a[1] | a[2] | a[3]) ^ 1;
}

/* 32 big-endian bytes to limbs in Montgomery form; returns 1 when the value is < p. */
static uint64_t fe_decode(uint64_t *d, const unsigned char *src)
{
    uint64_t t[4], b, w;
    int i, j;
    for (i = 0; i < 4; i++) {
        w = 0;
        for (j = 0; j < 8; j++)
            w = (w << 8) | src[(3 - i) * 8 + j];
        t[i] = w;
    }
    b = subb(&w, t[0], FP0, 0);
    b = subb(&w, t[1], FP1, b);
    b = subb(&w, t[2], 0, b);
    b = subb(&w, t[3], FP3, b); /* 1: t < p */
    fe_mul(d, t, R2);
    return b;
}

static void fe_encode(unsigned char *dst, const uint64_t *a)
{
    static const uint64_t one[4] = {1, 0, 0, 0};
    uint64_t t[4];
    int i, j;
    fe_mul(t, a, one);
    for (i = 0; i < 4; i++)
        for (j = 0; j < 8; j++)
            dst[(3 - i) * 8 + j] = (unsigned char)(t[i] >> (56 - 8 * j));
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

/* P1 = P1 + P2 for P1 != P2, neither infinity; returns 1 when r = s2 - s1 != 0 (so that a
 * caller can tell P1 = -P2 from P1 = P2 when Z3 = 0). */
static uint64_t p256_add(jac *P1, const jac *P2)
{
    uint64_t t1[4], t2[4], t3[4], t4[4], t5[4], t6[4], t7[4];
    uint64_t ret;
    fe_sqr(t3, P2->z);
    fe_mul(t1, P1->x, t3); /* u1 */
    fe_mul(t4, P2->z, t3);
    fe_mul(t3, P1->y, t4); /* s1 */
    fe_sqr(t4, P1->z);
    fe_mul(t2, P2->x, t4); /* u2 */
    fe_mul(t5, P1->z, t4);
    fe_mul(t4, P2->y, t5); /* s2 */
    fe_sub(t2, t2, t1);    /* h */
    fe_sub(t4, t4, t3);    /* r */
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
    fe_mul(t1, P1->z, P2->z);
    fe_mul(P1->z, t1, t2);
    return ret;
}

/* P1 = P1 + P2 with P2 affine; same conditions as p256_add. */
static void p256_add_mixed(jac *P1, const aff *P2)
{
    uint64_t t1[4], t2[4], t3[4], t4[4], t5[4], t6[4], t7[4];
    memcpy(t1, P1->x, sizeof t1);
    memcpy(t3, P1->y, sizeof t3);
    fe_sqr(t4, P1->z);
    fe_mul(t2, P2->x, t4);
    fe_mul(t5, P1->z, t4);
    fe_mul(t4, P2->y, t5);
    fe_sub(t2, t2, t1);
    fe_sub(t4, t4, t3);
    fe_sqr(t7, t2);
    fe_mul(t6, t1, t7);
    fe_mul(t5, t7, t2);
    fe_sqr(P1->x, t4);
    fe_sub(P1->x, P1->x, t5);
    fe_sub(P1->x, P1->x, t6);
    fe_sub(P1->x, P1->x, t6);
    fe_sub(t6, t6, P1->x);
    fe_mul(P1->y, t4, t6);
    fe_mul(t1, t5, t3);
    fe_sub(P1->y, P1->y, t1);
    fe_mul(P1->z, P1->z, t2);
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

/* P = x*P (variable base; x big-endian, any length, lower than the order). */
static void p256_mul(jac *P, const unsigned char *x, size_t xlen)
{
    jac W[15], Q, T, U;
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
            p256_add(&W[i], &W[0]);
        }
    }
    memset(&Q, 0, sizeof Q);
    while (xlen-- > 0) {
        unsigned bx = *x++;
        for (k = 0; k < 2; k++) {
            uint64_t bits = (bx >> 4) & 0x0F, bnz = neq0(bits);
            p256_double(&Q);
            p256_double(&Q);
            p256_double(&Q);
            p256_double(&Q);
            lookup((uint64_t *)&T, (const uint64_t *)W, sizeof T / 8, 15, bits);
            U = Q;
            p256_add(&U, &T);
            ccopy(bnz & qz, &Q, &T, sizeof Q / 8);
            ccopy(bnz & ~qz, &Q, &U, sizeof Q / 8);
            qz &= ~bnz;
            bx <<= 4;
        }
    }
    *P = Q;
}

/* P = k*G, 0 < k < n, k big-endian in at most 32 bytes (comb; see the top of the file). */
/* Q += tab[bits - 1] (nothing for bits = 0) with *qz = 1 while Q is the point at infinity. */
static void comb_add(jac *Q, uint64_t *qz, const aff *tab, uint64_t bits)
{
    uint64_t bnz = neq0(bits);
    jac U;
    aff T;
    lookup((uint64_t *)&T, (const uint64_t *)tab, sizeof T / 8, 15, bits);
    U = *Q;
    p256_add_mixed(&U, &T);
    /* Q = T (as a Jacobian point, z = 1) while Q is still infinity */
    ccopy(bnz & *qz, Q->x, T.x, 4);
    ccopy(bnz & *qz, Q->y, T.y, 4);
    ccopy(bnz & *qz, Q->z, ONE, 4);
    ccopy(bnz & ~*qz, Q, &U, sizeof U / 8);
    *qz &= ~bnz;
}

static void p256_mulgen_comb(jac *P, const unsigned char *x, size_t xlen)
{
    uint32_t k[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    uint64_t qz = 1;
    jac Q;
    size_t u;
    int t, i;
    for (u = 0; u < xlen; u++) {
        size_t bit = 8 * (xlen - 1 - u);
        k[bit >> 5] |= (uint32_t)x[u] << (bit & 31);
    }
    memset(&Q, 0, sizeof Q);
    for (t = 31; t >= 0; t--) {
        uint64_t lo = 0, hi = 0;
        for (i = 0; i < 4; i++) {
            lo |= (uint64_t)((k[i] >> t) & 1) << i;
            hi |= (uint64_t)((k[i + 4] >> t) & 1) << i;
        }
        if (t != 31) p256_double(&Q);
        comb_add(&Q, &qz, COMB, lo);
        comb_add(&Q, &qz, COMB_HI, hi);
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
    t = p256_add(&P, &Q);
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
 * Montgomery form: 1/k by Fermat takes ~330 multiplications instead of br_i31_modpow's ~1M
 * instructions per signature. */
static const uint64_t N[4] = {0xF3B9CAC2FC632551u, 0xBCE6FAADA7179E84u, 0xFFFFFFFFFFFFFFFFu,
                              0xFFFFFFFF00000000u};
static const uint64_t N0 = 0xCCD1C8AAEE00BC4Fu; /* -1/n mod 2^64 */
static const uint64_t RRN[4] = {0x83244C95BE79EEA2u, 0x4699799C49BD6FA6u, 0x2845B2392B6BEC59u,
                                0x66E12D94F3D95620u}; /* 2^512 mod n */

/* d = t4:t - n when that is >= 0, else t (t4:t < 2n). */
static void sc_final(uint64_t *d, const uint64_t *t, uint64_t t4)
{
    uint64_t r[4], b = 0, m;
    int i;
    for (i = 0; i < 4; i++)
        b = subb(&r[i], t[i], N[i], b);
    m = t4 - b;
    for (i = 0; i < 4; i++)
        d[i] = (t[i] & m) | (r[i] & ~m);
}

/* One Montgomery step modulo n: adds m * n to r[0..3] with m = r[0] * (-1/n) (which clears
 * r[0]) and cin to r[4]; returns the carry out of r[4] (0 or 1: r[0..4] + 2^256 + m * n is
 * below 2^321). */
AI uint64_t sc_redstep(uint64_t *r, uint64_t cin)
{
    uint64_t m = r[0] * N0, l0, l1, l2, l3, h0, h1, h2, h3, c, c1;
    l0 = mulw(&h0, m, N[0]);
    l1 = mulw(&h1, m, N[1]);
    l2 = mulw(&h2, m, N[2]);
    l3 = mulw(&h3, m, N[3]);
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

/* Montgomery multiplication modulo n: d = a * b / 2^256 mod n (a, b < n). */
static void sc_mul(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    uint64_t r[8], c;
    mul256(r, a, b);
    c = sc_redstep(r, 0);
    c = sc_redstep(r + 1, c);
    c = sc_redstep(r + 2, c);
    c = sc_redstep(r + 3, c);
    sc_final(d, r + 4, c);
}

/* d = a + b mod n (a, b < n). */
static void sc_add(uint64_t *d, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[4], c = 0;
    int i;
    for (i = 0; i < 4; i++)
        c = addc(&t[i], a[i], b[i], c);
    sc_final(d, t, c);
}

/* d = 1/a * 2^256 mod n for a in Montgomery form (a * 2^256), a != 0: a^(n-2) with a fixed
 * 4-bit window over the public exponent. */
static void sc_inv(uint64_t *d, const uint64_t *a)
{
    static const unsigned char e[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
                                        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84,
                                        0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x4F}; /* n - 2 */
    uint64_t w[15][4], acc[4];
    int i, j;
    memcpy(w[0], a, sizeof w[0]);
    for (i = 1; i < 15; i++)
        sc_mul(w[i], w[i - 1], a);
    memcpy(acc, w[14], sizeof acc); /* the top nibble is 0xF */
    for (i = 1; i < 64; i++) {
        unsigned nb = (e[i >> 1] >> (i & 1 ? 0 : 4)) & 0x0F;
        for (j = 0; j < 4; j++)
            sc_mul(acc, acc, acc);
        if (nb != 0) sc_mul(acc, acc, w[nb - 1]);
    }
    memcpy(d, acc, sizeof acc);
    crypto_wipe(w, sizeof w);
    crypto_wipe(acc, sizeof acc);
}

/* 32 big-endian bytes to limbs (no reduction). */
static void sc_decode(uint64_t *d, const unsigned char *src)
{
    int i, j;
    for (i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (j = 0; j < 8; j++)
            w = (w << 8) | src[(3 - i) * 8 + j];
        d[i] = w;
    }
}

static void sc_encode(unsigned char *dst, const uint64_t *a)
{
    int i, j;
    for (i = 0; i < 4; i++)
        for (j = 0; j < 8; j++)
            dst[(3 - i) * 8 + j] = (unsigned char)(a[i] >> (56 - 8 * j));
}

/* 1 when a < n (the subtraction borrows). */
static uint64_t sc_lt_n(const uint64_t *a)
{
    uint64_t b = 0, t;
    int i;
    for (i = 0; i < 4; i++)
        b = subb(&t, a[i], N[i], b);
    return b;
}

/* The leftmost 256 bits of a hash (left-padded when shorter), as BearSSL's bits2int for a
 * 256-bit order, reduced modulo n. */
static void sc_hash(uint64_t *d, const unsigned char *h, size_t len)
{
    unsigned char b[32];
    memset(b, 0, sizeof b);
    if (len >= 32)
        memcpy(b, h, 32);
    else
        memcpy(b + 32 - len, h, len);
    sc_decode(d, b);
    sc_final(d, d, 0);
}

size_t ec_p256_w64_sign(const br_hash_class *hf, const void *hash_value,
                        const br_ec_private_key *sk, void *sig)
{
    uint64_t x[4], m[4], k[4], r[4], s[4], t[4], u[4];
    unsigned char tt[64], xb[32], eU[65];
    size_t hash_len, xlen = sk->xlen;
    const unsigned char *xs = sk->x;
    br_hmac_drbg_context drbg;
    jac P;

    if (sk->curve != BR_EC_secp256r1) return 0;
    while (xlen > 32 && *xs == 0) {
        xs++;
        xlen--;
    }
    if (xlen > 32) return 0;
    memset(xb, 0, sizeof xb);
    memcpy(xb + 32 - xlen, xs, xlen);
    sc_decode(x, xb);
    if (!sc_lt_n(x) || (x[0] | x[1] | x[2] | x[3]) == 0) {
        crypto_wipe(xb, sizeof xb);
        crypto_wipe(x, sizeof x);
        return 0;
    }
    hash_len = (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
    sc_hash(m, hash_value, hash_len);

    /* RFC 6979 k */
    memcpy(tt, xb, 32);
    sc_encode(tt + 32, m);
    br_hmac_drbg_init(&drbg, hf, tt, sizeof tt);
    for (;;) {
        br_hmac_drbg_generate(&drbg, tt, 32);
        sc_decode(k, tt);
        if ((k[0] | k[1] | k[2] | k[3]) != 0 && sc_lt_n(k)) break;
    }

    /* r = (kG).x mod n */
    sc_encode(tt, k);
    p256_mulgen(&P, tt, 32);
    p256_to_affine(&P);
    p256_encode(eU, &P);
    sc_decode(r, eU + 1);
    sc_final(r, r, 0);

    /* s = (m + x*r) / k */
    sc_mul(t, x, RRN); /* x * 2^256 */
    sc_mul(t, t, r);   /* x * r */
    sc_add(t, t, m);   /* m + x * r */
    sc_mul(u, k, RRN); /* k * 2^256 */
    sc_inv(u, u);      /* 2^256 / k */
    sc_mul(s, t, u);   /* (m + x * r) / k */

    sc_encode(sig, r);
    sc_encode((unsigned char *)sig + 32, s);
    crypto_wipe(x, sizeof x);
    crypto_wipe(xb, sizeof xb);
    crypto_wipe(k, sizeof k);
    crypto_wipe(u, sizeof u);
    crypto_wipe(t, sizeof t);
    crypto_wipe(tt, sizeof tt);
    crypto_wipe(&drbg, sizeof drbg);
    crypto_wipe(&P, sizeof P);
    return 64;
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
    sc_decode(d, b);
    return hi == 0 && sc_lt_n(d);
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
    if ((r[0] | r[1] | r[2] | r[3]) == 0 || (s[0] | s[1] | s[2] | s[3]) == 0) return 0;
    sc_hash(h, hash, hash_len);
    sc_mul(w, s, RRN); /* s * 2^256 */
    sc_inv(w, w);      /* 2^256 / s */
    sc_mul(x, h, w);   /* h / s */
    sc_encode(vb, x);
    sc_mul(x, r, w); /* r / s */
    sc_encode(ub, x);
    memcpy(eU, pk->q, sizeof eU);
    res = api_muladd(eU, NULL, sizeof eU, ub, sizeof ub, vb, sizeof vb, BR_EC_secp256r1);
    sc_decode(x, eU + 1);
    sc_final(x, x, 0); /* x < p < 2n */
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
