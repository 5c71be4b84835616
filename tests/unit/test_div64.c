/* Unit tests: core/div64.c and the compiler helpers of platform/runtime_div.c that every
 * int64_t `/` and `%` goes through on 32-bit MIPS, and every 32-bit one on armhf. Known answers
 * were computed with Python's arbitrary-precision integers; the random checks use the defining
 * property q * d + r == n with 0 <= r < d (or its signed form). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "div64.h"

static const struct {
    uint64_t n, d, q, r;
} known_u[] = {
    {0x0000000000000000u, 0x0000000000000001u, 0x0000000000000000u, 0x0000000000000000u},
    {0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000000u},
    {0xffffffffffffffffu, 0x0000000000000001u, 0xffffffffffffffffu, 0x0000000000000000u},
    {0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000000001u, 0x0000000000000000u},
    {0xffffffffffffffffu, 0x0000000000000002u, 0x7fffffffffffffffu, 0x0000000000000001u},
    {0xffffffffffffffffu, 0x000000000000000au, 0x1999999999999999u, 0x0000000000000005u},
    {0x8ac7230489e80000u, 0x000000000000000au, 0x0de0b6b3a7640000u, 0x0000000000000000u},
    {0x8000000000000000u, 0x0000000000000003u, 0x2aaaaaaaaaaaaaaau, 0x0000000000000002u},
    {0x0000000100000000u, 0x0000000100000001u, 0x0000000000000000u, 0x0000000100000000u},
    {0x0000000100000005u, 0x0000000100000000u, 0x0000000000000001u, 0x0000000000000005u},
    {0x01b69b4ba630f34eu, 0x000000003b9aca07u, 0x00000000075bcd14u, 0x0000000008d48fc2u},
    {0xffffffffffffffffu, 0x00000000ffffffffu, 0x0000000100000001u, 0x0000000000000000u},
    {0x0000010000000011u, 0x0000000000015180u, 0x0000000000c22e45u, 0x0000000000000891u},
    {0x000000006553f100u, 0x0000000000015180u, 0x0000000000004cdbu, 0x0000000000013880u},
    {0xf2a74de452e6b438u, 0x0000000032899387u, 0x00000004cd2cbb6cu, 0x000000000be4da44u},
    {0x0c5c7fd0a6a3a450u, 0x00000000000000d2u, 0x000f11ace1192902u, 0x00000000000000acu},
    {0x1818e811892f902bu, 0x000000009531985du, 0x00000000295929e8u, 0x00000000858196e3u},
    {0x81e74ef5e8e25d94u, 0x0000000004cca86cu, 0x0000001b10fd947fu, 0x0000000003406000u},
    {0x6f03675a1600a35au, 0x00003d9c11e20b8fu, 0x000000000001cd48u, 0x00000740ff9ce022u},
    {0x8d116ece1738f7d9u, 0x0000d3ac0f21ddb6u, 0x000000000000aa9cu, 0x00002fe8615b00f1u},
    {0x1fb17c2390c192cfu, 0x0000000050b8599cu, 0x00000000648387bcu, 0x00000000474a803fu},
    {0x953f48f1a09f76b5u, 0x0000000000000093u, 0x0103e9db54af3c04u, 0x0000000000000069u},
    {0x658cda1495e60af5u, 0x00000000000000f9u, 0x006867afe3d09a42u, 0x00000000000000c3u},
    {0x0becd7b03898d190u, 0x2217beaddbc496cbu, 0x0000000000000000u, 0x0becd7b03898d190u},
};
static const struct {
    int64_t n, d, q, r;
} known_s[] = {
    {INT64_C(-7), INT64_C(2), INT64_C(-3), INT64_C(-1)},
    {INT64_C(7), INT64_C(-2), INT64_C(-3), INT64_C(1)},
    {INT64_C(-7), INT64_C(-2), INT64_C(3), INT64_C(-1)},
    {INT64_MIN, INT64_C(3), INT64_C(-3074457345618258602), INT64_C(-2)},
    {INT64_MIN, INT64_MIN, INT64_C(1), INT64_C(0)},
    {INT64_C(9223372036854775807), INT64_C(-1), INT64_C(-9223372036854775807), INT64_C(0)},
    {INT64_C(-86401), INT64_C(86400), INT64_C(-1), INT64_C(-1)},
    {INT64_C(-1), INT64_C(86400), INT64_C(0), INT64_C(-1)},
    {INT64_C(-1700000000123), INT64_C(1000), INT64_C(-1700000000), INT64_C(-123)},
};

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A random divisor of a random width, never 0: small, 32-bit and 64-bit ones all occur. */
static uint64_t rng_divisor(void)
{
    uint64_t d = rng() >> (rng() % 64);
    return d ? d : 7;
}

static void test_known_unsigned(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof known_u / sizeof known_u[0]; i++) {
        uint64_t r = 12345, q = div64_u(known_u[i].n, known_u[i].d, &r);
        assert_true(q == known_u[i].q);
        assert_true(r == known_u[i].r);
        assert_true(div64_u(known_u[i].n, known_u[i].d, NULL) == known_u[i].q);
    }
}

static void test_known_signed(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof known_s / sizeof known_s[0]; i++) {
        int64_t r = 12345, q = div64_s(known_s[i].n, known_s[i].d, &r);
        assert_true(q == known_s[i].q);
        assert_true(r == known_s[i].r);
    }
}

static void test_random_property(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < 20000; i++) {
        uint64_t n = rng() >> (rng() % 64), d = rng_divisor(), r, q = div64_u(n, d, &r);
        int64_t sn = (int64_t)rng() >> (rng() % 64), sd = (int64_t)rng_divisor(), sr, sq;
        assert_true(r < d);
        assert_true(q * d + r == n);
        /* q is the largest such quotient: (q + 1) * d would pass n (checked without overflow) */
        assert_true(n - q * d < d);
        if (rng() & 1) sd = -sd;
        if (sd == INT64_MIN) sd = 3;
        sq = div64_s(sn, sd, &sr);
        assert_true((uint64_t)sq * (uint64_t)sd + (uint64_t)sr == (uint64_t)sn);
        assert_true(sr == 0 || (sr < 0) == (sn < 0));
        assert_true((sr < 0 ? 0 - (uint64_t)sr : (uint64_t)sr) <
                    (sd < 0 ? 0 - (uint64_t)sd : (uint64_t)sd));
    }
}

/* The C operators: plain hardware division on 64-bit hosts, the helpers above on 32-bit MIPS
 * (volatile keeps the compiler from folding the constants). */
static void test_operators(void **state)
{
    volatile uint64_t n = 0xf2a74de452e6b438u, d = 0x32899387u;
    volatile int64_t sn = -1700000000123, sd = 1000;
    size_t i;
    (void)state;
    assert_true(n / d == 0x4cd2cbb6cu);
    assert_true(n % d == 0xbe4da44u);
    assert_true(sn / sd == -1700000000);
    assert_true(sn % sd == -123);
    for (i = 0; i < sizeof known_u / sizeof known_u[0]; i++) {
        n = known_u[i].n;
        d = known_u[i].d;
        assert_true(n / d == known_u[i].q);
        assert_true(n % d == known_u[i].r);
    }
    for (i = 0; i < sizeof known_s / sizeof known_s[0]; i++) {
        sn = known_s[i].n;
        sd = known_s[i].d;
        assert_true(sn / sd == known_s[i].q);
        assert_true(sn % sd == known_s[i].r);
    }
}

/* 32-bit `/` and `%`: __aeabi_uidiv(mod) and __aeabi_idiv(mod) of platform/runtime_div.c on
 * armhf (known answers from Python, then the defining property on random operands of every
 * width, divisors above 2^31 included). */
static void test_operators_32(void **state)
{
    static const struct {
        uint32_t n, d, q, r;
    } ku[] = {
        {0, 1, 0, 0},
        {0xffffffffu, 1, 0xffffffffu, 0},
        {0xffffffffu, 0xffffffffu, 1, 0},
        {0xffffffffu, 0x80000000u, 1, 0x7fffffffu},
        {0xfffffffeu, 0xffffffffu, 0, 0xfffffffeu},
        {0xffffffffu, 10, 0x19999999u, 5},
        {1700000123u, 86400, 19675, 80123},
        {0x80000001u, 0x80000002u, 0, 0x80000001u},
        {0xc0000000u, 0x80000001u, 1, 0x3fffffffu},
    };
    static const struct {
        int32_t n, d, q, r;
    } ks[] = {
        {-7, 2, -3, -1},
        {7, -2, -3, 1},
        {-7, -2, 3, -1},
        {INT32_MIN, 3, -715827882, -2},
        {INT32_MIN, INT32_MIN, 1, 0},
        {INT32_MAX, -1, -INT32_MAX, 0},
        {-86401, 86400, -1, -1},
    };
    volatile uint32_t n, d;
    volatile int32_t sn, sd;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ku / sizeof ku[0]; i++) {
        n = ku[i].n;
        d = ku[i].d;
        assert_true(n / d == ku[i].q);
        assert_true(n % d == ku[i].r);
    }
    for (i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        sn = ks[i].n;
        sd = ks[i].d;
        assert_true(sn / sd == ks[i].q);
        assert_true(sn % sd == ks[i].r);
    }
    for (i = 0; i < 20000; i++) {
        uint32_t q, r;
        int32_t sq, sr;
        n = (uint32_t)(rng() >> (rng() % 32));
        d = (uint32_t)(rng() >> 32) >> (rng() % 32);
        if (d == 0) d = 3;
        q = n / d;
        r = n % d;
        assert_true(r < d);
        assert_true((uint64_t)q * d + r == n);
        sn = (int32_t)(uint32_t)rng() >> (rng() % 32);
        sd = (int32_t)d >> 1;
        if (sd == 0) sd = 5;
        if (rng() & 1) sd = -sd;
        sq = sn / sd;
        sr = sn % sd;
        assert_true((int64_t)sq * sd + sr == sn);
        assert_true(sr == 0 || (sr < 0) == (sn < 0));
        assert_true((sr < 0 ? -(int64_t)sr : sr) < (sd < 0 ? -(int64_t)sd : sd));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_unsigned),  cmocka_unit_test(test_known_signed),
        cmocka_unit_test(test_random_property), cmocka_unit_test(test_operators),
        cmocka_unit_test(test_operators_32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
