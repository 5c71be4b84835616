/* AES-CTR and GHASH for the AES-GCM record protection of the TLS client and the TLS-ALPN-01
 * responder on x86_64, with the CPU's AES-NI and PCLMULQDQ instructions, as BearSSL
 * br_block_ctr_class and br_ghash implementations (see crypto_int.h for how bearssl/tls12.c
 * picks them).
 *
 * Why not BearSSL's own: its bitsliced br_aes_ct64 + br_ghash_ctmul64 take about 4 KiB of the
 * x86_64 binary and a fifth of the CPU time of an issuance; its br_aes_x86ni code unrolls for
 * every key size and both directions. This file is a few hundred bytes: one block at a time,
 * which is plenty for the few kilobytes an ACME exchange moves. The instructions run in
 * constant time. */
#if defined(__x86_64__)

#include <cpuid.h>
#include <string.h>
#include <tmmintrin.h>
#include <wmmintrin.h>

#include "crypto_int.h"

#define NI_TARGET __attribute__((target("sse2,ssse3,aes,pclmul")))

#define AES_MAX_ROUNDS 14

struct aes_ni_ctr {
    const br_block_ctr_class *vtable;
    unsigned rounds; /* 10 (AES-128) or 14 (AES-256) */
    uint8_t round_keys[(AES_MAX_ROUNDS + 1) * 16];
};
/* BearSSL's GCM record context keeps the CTR context in a br_aes_gen_ctr_keys */
_Static_assert(sizeof(struct aes_ni_ctr) <= sizeof(br_aes_gen_ctr_keys),
               "struct aes_ni_ctr must fit in br_aes_gen_ctr_keys");

int aes_ni_supported(void)
{
    static int supported = -1;
    unsigned a, b, c, d;

    if (supported < 0)
        supported =
            __get_cpuid(1, &a, &b, &c, &d) && (c & bit_AES) && (c & bit_PCLMUL) && (c & bit_SSSE3);
    return supported;
}

/* SubWord (FIPS 197 5.2) of a little-endian word: AESENCLAST on four equal columns, where
 * ShiftRows changes nothing, applies the S-box to each byte (and adds a zero round key). */
NI_TARGET static uint32_t sub_word(uint32_t w)
{
    __m128i x = _mm_set1_epi32((int)w);
    return (uint32_t)_mm_cvtsi128_si32(_mm_aesenclast_si128(x, _mm_setzero_si128()));
}

/* The key expansion of FIPS 197 5.2 on 32-bit words, each holding four key bytes in memory
 * order (x86 is little-endian), so the words are the round keys' bytes as AESENC wants them. */
NI_TARGET static void aes_ni_init(const br_block_ctr_class **ctx, const void *key, size_t key_len)
{
    struct aes_ni_ctr *k = (struct aes_ni_ctr *)(void *)ctx;
    uint32_t w[(AES_MAX_ROUNDS + 1) * 4];
    unsigned nk = (unsigned)key_len / 4, total, i, rcon = 1;

    k->vtable = &aes_ni_ctr_vtable;
    k->rounds = nk + 6;
    total = 4 * (k->rounds + 1);
    memcpy(w, key, key_len);
    for (i = nk; i < total; i++) {
        uint32_t t = w[i - 1];
        if (i % nk == 0) {
            t = sub_word(t >> 8 | t << 24) ^ rcon; /* RotWord, SubWord, Rcon */
            rcon = (rcon << 1 ^ (rcon >> 7) * 0x11B) & 0xFF;
        } else if (nk > 6 && i % nk == 4) {
            t = sub_word(t);
        }
        w[i] = w[i - nk] ^ t;
    }
    memcpy(k->round_keys, w, total * 4);
    crypto_wipe(w, sizeof w);
}

NI_TARGET static uint32_t aes_ni_run(const br_block_ctr_class *const *ctx, const void *iv,
                                     uint32_t cc, void *data, size_t len)
{
    const struct aes_ni_ctr *k = (const struct aes_ni_ctr *)(const void *)ctx;
    const __m128i *rk = (const __m128i *)(const void *)k->round_keys;
    uint8_t *p = data, block[16];
    size_t n, i;
    unsigned r;

    while (len > 0) {
        __m128i x;
        memcpy(block, iv, 12);
        block[12] = (uint8_t)(cc >> 24);
        block[13] = (uint8_t)(cc >> 16);
        block[14] = (uint8_t)(cc >> 8);
        block[15] = (uint8_t)cc;
        x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)block),
                          _mm_loadu_si128(rk));
        for (r = 1; r < k->rounds; r++)
            x = _mm_aesenc_si128(x, _mm_loadu_si128(rk + r));
        x = _mm_aesenclast_si128(x, _mm_loadu_si128(rk + k->rounds));
        _mm_storeu_si128((__m128i *)(void *)block, x);
        n = len < 16 ? len : 16;
        for (i = 0; i < n; i++)
            p[i] ^= block[i];
        cc += n == 16; /* as BearSSL's: a partial last block does not count */
        p += n;
        len -= n;
    }
    crypto_wipe(block, sizeof block);
    return cc;
}

const br_block_ctr_class aes_ni_ctr_vtable = {
    sizeof(struct aes_ni_ctr), 16, 4, aes_ni_init, aes_ni_run,
};

/* GHASH works in GF(2^128) with the bits of each byte string in reversed order (the first
 * bit is the coefficient of x^0). Reversing the bytes makes the first bit the top bit of a
 * 128-bit number: in that "reflected" form, a carry-less product comes out shifted right by
 * one bit, and the reduction modulo x^128 + x^7 + x^2 + x + 1 folds the low half into the high
 * one. */
NI_TARGET static __m128i byte_reverse(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* x shifted left by 63, 62 and 57 bits in each 64-bit half, summed: multiplying by the
 * reduction polynomial's low terms, seen from the other end */
NI_TARGET static __m128i fold_left(__m128i x)
{
    return _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(x, 63), _mm_slli_epi64(x, 62)),
                         _mm_slli_epi64(x, 57));
}

NI_TARGET static __m128i gf128_mul(__m128i a, __m128i b)
{
    __m128i lo = _mm_clmulepi64_si128(a, b, 0x00), hi = _mm_clmulepi64_si128(a, b, 0x11);
    __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
    __m128i carry_lo, carry_hi, t;

    lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
    hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
    /* the 256-bit product hi:lo shifted left by one bit */
    carry_lo = _mm_srli_epi64(lo, 63);
    carry_hi = _mm_srli_epi64(hi, 63);
    lo = _mm_or_si128(_mm_slli_epi64(lo, 1), _mm_slli_si128(carry_lo, 8));
    hi = _mm_or_si128(_mm_or_si128(_mm_slli_epi64(hi, 1), _mm_slli_si128(carry_hi, 8)),
                      _mm_srli_si128(carry_lo, 8));
    /* reduction: first the bits of the lowest word that spill into the next one, then the
     * 128-bit right shifts by 1, 2 and 7 of the low half, added to the high half */
    lo = _mm_xor_si128(lo, _mm_slli_si128(fold_left(lo), 8));
    t = _mm_xor_si128(_mm_xor_si128(lo, _mm_srli_epi64(lo, 1)),
                      _mm_xor_si128(_mm_srli_epi64(lo, 2), _mm_srli_epi64(lo, 7)));
    t = _mm_xor_si128(t, _mm_srli_si128(fold_left(lo), 8));
    return _mm_xor_si128(hi, t);
}

NI_TARGET void aes_ni_ghash(void *y, const void *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    __m128i acc = byte_reverse(_mm_loadu_si128((const __m128i *)y));
    __m128i key = byte_reverse(_mm_loadu_si128((const __m128i *)h));
    uint8_t last[16];

    while (len > 0) {
        __m128i block;
        if (len >= 16) {
            block = _mm_loadu_si128((const __m128i *)(const void *)p);
            p += 16;
            len -= 16;
        } else { /* a partial last block counts as padded with zeros */
            memset(last, 0, sizeof last);
            memcpy(last, p, len);
            block = _mm_loadu_si128((const __m128i *)(const void *)last);
            len = 0;
        }
        acc = gf128_mul(_mm_xor_si128(acc, byte_reverse(block)), key);
    }
    _mm_storeu_si128((__m128i *)y, byte_reverse(acc));
}

#endif /* __x86_64__ */
