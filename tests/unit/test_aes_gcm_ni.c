/* Unit tests: bearssl/aes_gcm_ni.c, AES-CTR and GHASH with the x86_64 AES-NI and PCLMULQDQ
 * instructions: the FIPS 197 AES-128 and AES-256 examples, then, for random keys, counters,
 * lengths and GHASH inputs, the same results as BearSSL's bitsliced br_aes_ct64_ctr and
 * br_ghash_ctmul64; and the choice tls_aes_ctr() makes. Skipped where the CPU lacks the
 * instructions (or on other targets). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <bearssl.h>

#include "../../bearssl/crypto_int.h"
#include "../../bearssl/tls12.h"

#if defined(__x86_64__)

/* A fixed pseudo-random sequence (xorshift32), so that failures repeat. */
static uint32_t rng = 0x9E3779B9u;
static void fill(uint8_t *p, size_t n)
{
    while (n-- > 0) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        *p++ = (uint8_t)rng;
    }
}

static int need_cpu(void **state)
{
    (void)state;
    if (!aes_ni_supported()) {
        print_message("this CPU has no AES-NI/PCLMULQDQ: nothing to test\n");
        skip();
    }
    return 0;
}

/* FIPS 197 appendix C.1 and C.3: plaintext 00112233...ff, keys 000102... . The CTR block is
 * iv || counter, so iv = the first 12 plaintext bytes and the counter = the last 4 make the
 * key stream that block's encryption. */
static void test_fips197(void **state)
{
    static const uint8_t c128[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                     0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
    static const uint8_t c256[16] = {0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf,
                                     0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89};
    static const uint8_t iv[12] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                   0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
    br_aes_gen_ctr_keys k;
    uint8_t key[32], block[16];
    int i;
    (void)state;
    need_cpu(state);
    for (i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    aes_ni_ctr_vtable.init(&k.vtable, key, 16);
    memset(block, 0, sizeof block);
    assert_int_equal(aes_ni_ctr_vtable.run(&k.vtable, iv, 0xccddeeffu, block, 16), 0xccddef00u);
    assert_memory_equal(block, c128, 16);
    aes_ni_ctr_vtable.init(&k.vtable, key, 32);
    memset(block, 0, sizeof block);
    aes_ni_ctr_vtable.run(&k.vtable, iv, 0xccddeeffu, block, 16);
    assert_memory_equal(block, c256, 16);
}

/* Random keys (AES-128 and AES-256), IVs, counters (also across the 32-bit wrap) and lengths,
 * whole and partial blocks: the same output and counter as br_aes_ct64_ctr. */
static void test_ctr_like_ct64(void **state)
{
    static uint8_t a[1100], b[1100];
    br_aes_gen_ctr_keys ni, ct;
    uint8_t key[32], iv[12];
    uint32_t cc;
    size_t len;
    int round;
    (void)state;
    need_cpu(state);
    for (round = 0; round < 400; round++) {
        size_t key_len = round % 2 ? 32 : 16;
        fill(key, sizeof key);
        fill(iv, sizeof iv);
        fill((uint8_t *)&cc, sizeof cc);
        if (round % 7 == 0) cc = 0xFFFFFFFFu - (uint32_t)(round % 3);
        len = round < 100 ? (size_t)round : (size_t)(rng % sizeof a);
        fill(a, len);
        memcpy(b, a, len);
        aes_ni_ctr_vtable.init(&ni.vtable, key, key_len);
        br_aes_ct64_ctr_vtable.init(&ct.vtable, key, key_len);
        assert_int_equal(aes_ni_ctr_vtable.run(&ni.vtable, iv, cc, a, len),
                         br_aes_ct64_ctr_vtable.run(&ct.vtable, iv, cc, b, len));
        assert_memory_equal(a, b, len);
    }
}

/* Random y, h and data of 0 to 200 bytes (partial last blocks count as zero-padded): the same
 * result as br_ghash_ctmul64; also with h = 0 and h = 1 (x^0), and with the top bits set. */
static void test_ghash_like_ctmul64(void **state)
{
    static uint8_t data[200];
    uint8_t y1[16], y2[16], h[16];
    int round;
    (void)state;
    need_cpu(state);
    for (round = 0; round < 600; round++) {
        size_t len = round < 200 ? (size_t)round : (size_t)(rng % sizeof data);
        fill(y1, sizeof y1);
        fill(h, sizeof h);
        fill(data, len);
        if (round % 50 == 1) memset(h, 0, sizeof h);
        if (round % 50 == 2) memset(h, 0, sizeof h), h[0] = 0x80; /* the polynomial 1 */
        if (round % 50 == 3) memset(h, 0xFF, sizeof h), memset(y1, 0xFF, sizeof y1);
        memcpy(y2, y1, sizeof y1);
        aes_ni_ghash(y1, h, data, len);
        br_ghash_ctmul64(y2, h, data, len);
        assert_memory_equal(y1, y2, 16);
    }
}

/* tls_aes_ctr() picks the AES-NI code on this CPU; tls12_aes_off (tests) turns AES off. */
static void test_choice(void **state)
{
    br_ghash ghash = NULL;
    (void)state;
    need_cpu(state);
    assert_ptr_equal(tls_aes_ctr(&ghash), &aes_ni_ctr_vtable);
    assert_ptr_equal(ghash, aes_ni_ghash);
    assert_true(tls12_aes_gcm());
    tls12_aes_off = 1;
    assert_null(tls_aes_ctr(&ghash));
    assert_false(tls12_aes_gcm());
    tls12_aes_off = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips197),
        cmocka_unit_test(test_ctr_like_ct64),
        cmocka_unit_test(test_ghash_like_ctmul64),
        cmocka_unit_test(test_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* other targets use BearSSL's bitsliced AES: tls_aes_ctr() says so */

static void test_choice(void **state)
{
    br_ghash ghash = NULL;
    (void)state;
    assert_non_null(tls_aes_ctr(&ghash));
    assert_non_null(ghash);
    assert_true(tls12_aes_gcm());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
