/* Unit tests: the byte order, alignment and integer facts the code relies on. These run on
 * the host and, under qemu, on big-endian soft-float MIPS and on ARM, so a build whose
 * compiler, libc or BearSSL disagrees with the CPU it runs on fails here first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <bearssl.h>

/* Integers are always assembled byte by byte (project rule); these helpers are that rule. */
static uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t load_be64(const unsigned char *p)
{
    return (uint64_t)load_be32(p) << 32 | load_be32(p + 4);
}

static void store_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* The CPU's byte order, observed at run time through memory (not through a macro). */
static int runtime_is_big_endian(void)
{
    uint32_t v = 0x01020304u;
    unsigned char b[4];
    memcpy(b, &v, sizeof b);
    if (b[0] == 0x01 && b[3] == 0x04) return 1;
    assert_true(b[0] == 0x04 && b[3] == 0x01); /* neither order: a mixed-endian machine */
    return 0;
}

static void test_big_endian_decode_is_byte_order_independent(void **state)
{
    (void)state;
    /* a wire-format length/serial as it arrives from the network */
    static const unsigned char wire[] = {0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
    assert_int_equal(load_be32(wire + 1), 0x12345678u);
    assert_true(load_be64(wire + 1) == UINT64_C(0x123456789abcdef0));
    /* round trip through the encoder, at every offset of a buffer */
    unsigned char buf[8];
    for (size_t off = 0; off <= sizeof buf - 4; off++) {
        memset(buf, 0xee, sizeof buf);
        store_be32(buf + off, 0xdeadbeefu);
        assert_int_equal(buf[off], 0xde);
        assert_int_equal(buf[off + 3], 0xef);
        assert_int_equal(load_be32(buf + off), 0xdeadbeefu);
    }
    /* the same bytes read as a native integer differ from the decoded value exactly when the
     * CPU is little-endian: the reason pointer casts are banned */
    uint32_t native;
    memcpy(&native, wire + 1, sizeof native);
    if (runtime_is_big_endian())
        assert_int_equal(native, 0x12345678u);
    else
        assert_int_equal(native, 0x78563412u);
}

static void test_build_byte_order_macro_matches_cpu(void **state)
{
    (void)state;
#if !defined(__BYTE_ORDER__) || !defined(__ORDER_BIG_ENDIAN__) || !defined(__ORDER_LITTLE_ENDIAN__)
    fail_msg("the compiler does not define __BYTE_ORDER__");
#else
    int built_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
    assert_int_equal(built_big, runtime_is_big_endian());
    /* and the compiler's idea agrees with the architecture the build was made for */
#if defined(__MIPSEB__) || defined(__AARCH64EB__) || defined(__ARMEB__)
    assert_true(built_big);
#elif defined(__MIPSEL__) || defined(__x86_64__) || defined(__i386__) ||                           \
    (defined(__aarch64__) && !defined(__AARCH64EB__)) || (defined(__arm__) && !defined(__ARMEB__))
    assert_false(built_big);
#endif
#endif
}

static void test_unaligned_access_through_memcpy(void **state)
{
    (void)state;
    /* MIPS traps on misaligned word loads; memcpy from any offset must still work */
    static unsigned char raw[24];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(i * 7 + 1);
    for (size_t off = 0; off < 8; off++) {
        uint64_t v;
        uint32_t w;
        memcpy(&v, raw + off, sizeof v);
        memcpy(&w, raw + off + 1, sizeof w);
        unsigned char back[8];
        memcpy(back, &v, sizeof back);
        assert_memory_equal(back, raw + off, sizeof back);
        memcpy(back, &w, sizeof w);
        assert_memory_equal(back, raw + off + 1, sizeof w);
    }
}

static void test_type_sizes_and_alignment(void **state)
{
    (void)state;
    assert_int_equal(CHAR_BIT, 8);
    assert_int_equal(sizeof(int), 4);                 /* int arithmetic on 32-bit values */
    assert_int_equal(sizeof(size_t), sizeof(void *)); /* lengths index whole buffers */
    /* the arena hands out 8-byte aligned blocks; that must cover every scalar we store */
    assert_true(_Alignof(uint64_t) <= 8);
    assert_true(_Alignof(double) <= 8);
    assert_true(_Alignof(void *) <= 8);
    assert_true(_Alignof(max_align_t) >= _Alignof(uint64_t));
    struct probe {
        char c;
        uint64_t v;
    };
    assert_int_equal(offsetof(struct probe, v) % _Alignof(uint64_t), 0);
    /* certificates expire after 2038: time_t must be 64-bit (musl >= 1.2 on 32-bit too) */
    assert_true(sizeof(time_t) >= 8);
    time_t t = (time_t)INT64_C(4102444800); /* 2100-01-01T00:00:00Z */
    assert_true((int64_t)t == INT64_C(4102444800));
}

static void test_int64_arithmetic_on_32bit_cpus(void **state)
{
    (void)state;
    /* 64-bit division and shifts come from libgcc helpers on 32-bit targets */
    volatile int64_t secs = INT64_C(-86401);
    assert_true(secs / 86400 == -1); /* C truncates toward zero */
    assert_true(secs % 86400 == -1);
    volatile uint64_t big = UINT64_C(0xfedcba9876543210);
    assert_true(big / 1000 == UINT64_C(18364758544493064));
    assert_true(big % 1000 == 720);
    assert_true(big >> 36 == UINT64_C(0xfedcba9));
    volatile uint32_t a = 0xffffffffu, b = 0xfffffffeu;
    assert_true((uint64_t)a * b == UINT64_C(0xfffffffd00000002));
}

static void test_bearssl_digests_match_known_answers(void **state)
{
    (void)state;
    /* FIPS 180-2 "abc" vectors: a BearSSL built with a wrong byte-order setting fails here */
    static const unsigned char sha256_abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                                 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                                 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                                 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const unsigned char sha512_abc_head[16] = {0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61,
                                                      0x7a, 0xba, 0xcc, 0x41, 0x73, 0x49,
                                                      0xae, 0x20, 0x41, 0x31};
    unsigned char out[64];
    br_sha256_context c256;
    br_sha256_init(&c256);
    /* fed in pieces from an odd offset, to exercise the unaligned input path */
    static const char msg[] = "xabc";
    br_sha256_update(&c256, msg + 1, 1);
    br_sha256_update(&c256, msg + 2, 2);
    br_sha256_out(&c256, out);
    assert_memory_equal(out, sha256_abc, sizeof sha256_abc);
    br_sha512_context c512;
    br_sha512_init(&c512);
    br_sha512_update(&c512, msg + 1, 3);
    br_sha512_out(&c512, out);
    assert_memory_equal(out, sha512_abc_head, sizeof sha512_abc_head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big_endian_decode_is_byte_order_independent),
        cmocka_unit_test(test_build_byte_order_macro_matches_cpu),
        cmocka_unit_test(test_unaligned_access_through_memcpy),
        cmocka_unit_test(test_type_sizes_and_alignment),
        cmocka_unit_test(test_int64_arithmetic_on_32bit_cpus),
        cmocka_unit_test(test_bearssl_digests_match_known_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
