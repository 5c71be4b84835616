/* Unit tests: core/der.c reader and writer, with hand-made DER vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <string.h>
#include <cmocka.h>

#include "der.h"
#include "err.h"

static int next(const void *p, size_t n, struct der_tlv *t)
{
    struct der_reader r;
    der_init(&r, p, n);
    return der_next(&r, t);
}

static void expect_error(const char *fragment)
{
    assert_int_equal(err_status(), ACME_ETEMP);
    if (strstr(err_msg(), fragment) == NULL)
        fail_msg("error '%s' does not mention '%s'", err_msg(), fragment);
}

static void test_short_form(void **state)
{
    (void)state;
    static const uint8_t v[] = {0x04, 0x03, 'a', 'b', 'c', 0x05, 0x00};
    struct der_reader r;
    struct der_tlv t;
    der_init(&r, v, sizeof v);
    assert_false(der_at_end(&r));
    assert_int_equal(der_next(&r, &t), 0);
    assert_int_equal(t.tag, DER_OCTET_STRING);
    assert_int_equal(t.len, 3);
    assert_ptr_equal(t.val, v + 2);
    assert_ptr_equal(t.raw, v);
    assert_int_equal(t.rawlen, 5);
    assert_int_equal(der_next(&r, &t), 0);
    assert_int_equal(t.tag, DER_NULL);
    assert_int_equal(t.len, 0);
    assert_true(der_at_end(&r));
    assert_int_equal(der_next(&r, &t), -1);
    expect_error("truncated");
}

static void test_long_forms(void **state)
{
    (void)state;
    static uint8_t v[5 + 65536];
    struct der_tlv t;

    v[0] = 0x04;
    v[1] = 0x81;
    v[2] = 0x80;
    assert_int_equal(next(v, 3 + 128, &t), 0);
    assert_int_equal(t.len, 128);
    assert_int_equal(t.rawlen, 131);
    assert_ptr_equal(t.val, v + 3);
    assert_int_equal(next(v, 3 + 127, &t), -1); /* one byte short */
    expect_error("exceeds");

    v[1] = 0x81;
    v[2] = 0xff;
    assert_int_equal(next(v, 3 + 255, &t), 0);
    assert_int_equal(t.len, 255);

    v[1] = 0x82;
    v[2] = 0x01;
    v[3] = 0x00;
    assert_int_equal(next(v, 4 + 256, &t), 0);
    assert_int_equal(t.len, 256);
    assert_ptr_equal(t.val, v + 4);

    v[1] = 0x83;
    v[2] = 0x01;
    v[3] = 0x00;
    v[4] = 0x00;
    assert_int_equal(next(v, sizeof v, &t), 0);
    assert_int_equal(t.len, 65536);

    static const uint8_t four[] = {0x04, 0x84, 0x01, 0x00, 0x00, 0x00};
    assert_int_equal(next(four, sizeof four, &t), -1); /* 16 MiB announced, 0 present */
    expect_error("exceeds");
}

static void test_rejected_lengths_and_tags(void **state)
{
    (void)state;
    struct der_tlv t;
    static const uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
    static const uint8_t nonmin1[] = {0x04, 0x81, 0x7f};
    static const uint8_t nonmin2[] = {0x04, 0x82, 0x00, 0x80};
    static const uint8_t nonmin0[] = {0x04, 0x81, 0x00};
    static const uint8_t five[] = {0x04, 0x85, 0x01, 0, 0, 0, 0};
    static const uint8_t reserved[] = {0x04, 0xff};
    static const uint8_t multitag[] = {0x1f, 0x81, 0x01, 0x00};
    static const uint8_t ctxmulti[] = {0xbf, 0x01, 0x00};
    static const uint8_t trunclen[] = {0x04, 0x82, 0x01};

    assert_int_equal(next(indefinite, sizeof indefinite, &t), -1);
    expect_error("indefinite");
    assert_int_equal(next(nonmin1, sizeof nonmin1, &t), -1);
    expect_error("non-minimal");
    assert_int_equal(next(nonmin2, sizeof nonmin2, &t), -1);
    expect_error("non-minimal");
    assert_int_equal(next(nonmin0, sizeof nonmin0, &t), -1);
    expect_error("non-minimal");
    assert_int_equal(next(five, sizeof five, &t), -1);
    expect_error("length bytes");
    assert_int_equal(next(reserved, sizeof reserved, &t), -1);
    assert_int_equal(next(multitag, sizeof multitag, &t), -1);
    expect_error("multi-byte tag");
    assert_int_equal(next(ctxmulti, sizeof ctxmulti, &t), -1);
    expect_error("multi-byte tag");
    assert_int_equal(next(trunclen, sizeof trunclen, &t), -1);
    expect_error("truncated length");
    assert_int_equal(next(indefinite, 1, &t), -1);
    assert_int_equal(next(indefinite, 0, &t), -1);
}

/* Walks every TLV, entering constructed ones; 0 when all of it is well-formed. */
static int walk(const uint8_t *p, size_t n, int depth)
{
    struct der_reader r;
    struct der_tlv t;
    der_init(&r, p, n);
    while (!der_at_end(&r)) {
        if (der_next(&r, &t) != 0) return -1;
        if ((t.tag & 0x20) && depth < 8 && walk(t.val, t.len, depth + 1) != 0) return -1;
    }
    return 0;
}

static void test_truncation_at_every_byte(void **state)
{
    (void)state;
    /* SEQUENCE { INTEGER 5, SEQUENCE { OID 2.5.4.3, UTF8String "x" }, OCTET STRING(130) } */
    static uint8_t v[3 + 3 + 2 + 12 + 3 + 130];
    size_t n = 0, i;
    const uint8_t head[] = {0x30, 0x81, 0x00, 0x02, 0x01, 0x05, 0x30, 0x0a, 0x06, 0x03, 0x55,
                            0x04, 0x03, 0x0c, 0x03, 'a',  'b',  'c',  0x04, 0x81, 0x82};
    memcpy(v, head, sizeof head);
    n = sizeof head + 130;
    for (i = sizeof head; i < n; i++)
        v[i] = (uint8_t)i;
    v[2] = (uint8_t)(n - 3);
    assert_int_equal(walk(v, n, 0), 0);
    for (i = 1; i < n; i++) {
        struct der_tlv t;
        if (walk(v, i, 0) == 0) fail_msg("prefix of %zu bytes accepted", i);
        assert_int_equal(next(v, i, &t), -1);
    }
    /* Inner lengths that overrun the outer value are caught when entering. */
    v[7] = 0x0b;
    assert_int_equal(walk(v, n, 0), -1);
}

static void test_expect_optional_enter(void **state)
{
    (void)state;
    static const uint8_t v[] = {0x30, 0x08, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x01, 0x01, 0xff};
    static const uint8_t oid_cn[] = {0x55, 0x04, 0x03};
    static const uint8_t oid[] = {0x06, 0x03, 0x55, 0x04, 0x03};
    struct der_reader r, in, ver;
    struct der_tlv t, u;

    der_init(&r, v, sizeof v);
    assert_int_equal(der_expect(&r, DER_SET, &t), -1);
    expect_error("expected tag 0x31, found 0x30");
    assert_int_equal(der_expect(&r, DER_SEQUENCE, &t), 0);
    assert_true(der_at_end(&r));
    assert_int_equal(der_expect(&r, DER_SEQUENCE, &t), -1);
    expect_error("end of the data");
    assert_int_equal(der_optional(&r, DER_SEQUENCE, &u), 0);

    der_enter(&t, &in);
    assert_int_equal(der_optional(&in, DER_CTX_CONS(1), &u), 0);
    assert_int_equal(der_optional(&in, DER_CTX_CONS(0), &u), 1);
    der_enter(&u, &ver);
    assert_int_equal(der_expect(&ver, DER_INTEGER, &u), 0);
    assert_int_equal(u.val[0], 2);
    assert_true(der_at_end(&ver));
    assert_int_equal(der_optional(&in, DER_BOOLEAN, &u), 1);
    assert_int_equal(u.val[0], 0xff);
    assert_true(der_at_end(&in));

    static const uint8_t badopt[] = {0x01, 0x05, 0x00};
    der_init(&r, badopt, sizeof badopt);
    assert_int_equal(der_optional(&r, DER_BOOLEAN, &u), -1);

    assert_int_equal(next(oid, sizeof oid, &t), 0);
    assert_true(der_oid_eq(&t, oid_cn, sizeof oid_cn));
    assert_false(der_oid_eq(&t, oid_cn, 2));
    t.tag = DER_OCTET_STRING;
    assert_false(der_oid_eq(&t, oid_cn, sizeof oid_cn));
}

static int parse_time(uint8_t tag, const char *s, int64_t *out)
{
    struct der_tlv t;
    memset(&t, 0, sizeof t);
    t.tag = tag;
    t.val = (const uint8_t *)s;
    t.len = strlen(s);
    return der_time(&t, out);
}

static void time_ok(uint8_t tag, const char *s, int64_t want)
{
    int64_t got = 0;
    if (parse_time(tag, s, &got) != 0) fail_msg("'%s' rejected: %s", s, err_msg());
    if (got != want) fail_msg("'%s' gave %lld, want %lld", s, (long long)got, (long long)want);
}

static void time_bad(uint8_t tag, const char *s)
{
    int64_t got;
    if (parse_time(tag, s, &got) == 0) fail_msg("'%s' accepted as %lld", s, (long long)got);
    assert_int_equal(err_status(), ACME_ETEMP);
}

static void test_time(void **state)
{
    (void)state;
    /* Expected values from `date -u -d ... +%s`. */
    time_ok(DER_UTCTIME, "700101000000Z", 0);
    time_ok(DER_UTCTIME, "500101000000Z", -631152000);
    time_ok(DER_UTCTIME, "491231235959Z", 2524607999);
    time_ok(DER_UTCTIME, "991231235959Z", 946684799);
    time_ok(DER_UTCTIME, "000101000000Z", 946684800);
    time_ok(DER_UTCTIME, "240229120000Z", 1709208000);
    time_ok(DER_GENERALIZEDTIME, "19500101000000Z", -631152000);
    time_ok(DER_GENERALIZEDTIME, "20491231235959Z", 2524607999);
    time_ok(DER_GENERALIZEDTIME, "20500101000000Z", 2524608000);
    time_ok(DER_GENERALIZEDTIME, "20000229000000Z", 951782400);
    time_ok(DER_GENERALIZEDTIME, "20960229000000Z", 3981312000);
    time_ok(DER_GENERALIZEDTIME, "99991231235959Z", 253402300799);
    time_ok(DER_GENERALIZEDTIME, "16010101000000Z", -11644473600);
    time_ok(DER_GENERALIZEDTIME, "19691231235959Z", -1);

    time_bad(DER_GENERALIZEDTIME, "19000229000000Z"); /* 1900 is not a leap year */
    time_bad(DER_GENERALIZEDTIME, "20230229000000Z");
    time_bad(DER_UTCTIME, "230229000000Z");
    time_bad(DER_UTCTIME, "241301000000Z");
    time_bad(DER_UTCTIME, "240001000000Z");
    time_bad(DER_UTCTIME, "240100000000Z");
    time_bad(DER_UTCTIME, "240431000000Z");
    time_bad(DER_UTCTIME, "240101240000Z");
    time_bad(DER_UTCTIME, "240101006000Z");
    time_bad(DER_UTCTIME, "240101000060Z");
    time_bad(DER_UTCTIME, "2401010000Z");   /* no seconds */
    time_bad(DER_UTCTIME, "240101000000");  /* no Z */
    time_bad(DER_UTCTIME, "2401010000000"); /* no Z */
    time_bad(DER_UTCTIME, "24010100000+Z"); /* not a digit */
    time_bad(DER_UTCTIME, "24-101000000Z"); /* sign */
    time_bad(DER_UTCTIME, "240101000000+0100");
    time_bad(DER_GENERALIZEDTIME, "20240101000000.5Z");
    time_bad(DER_GENERALIZEDTIME, "240101000000Z");
    time_bad(DER_UTCTIME, "20240101000000Z");
    time_bad(DER_OCTET_STRING, "240101000000Z");
}

static void test_uint(void **state)
{
    (void)state;
    const uint8_t *p;
    size_t n;
    struct der_tlv t;
    static const uint8_t zero[] = {0x02, 0x01, 0x00};
    static const uint8_t sign[] = {0x02, 0x03, 0x00, 0x80, 0x01};
    static const uint8_t neg[] = {0x02, 0x01, 0x80};
    static const uint8_t empty[] = {0x02, 0x00};
    static const uint8_t notint[] = {0x04, 0x01, 0x01};

    assert_int_equal(next(zero, sizeof zero, &t), 0);
    assert_int_equal(der_uint(&t, &p, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(p[0], 0);
    assert_int_equal(next(sign, sizeof sign, &t), 0);
    assert_int_equal(der_uint(&t, &p, &n), 0);
    assert_int_equal(n, 2);
    assert_ptr_equal(p, sign + 3);
    assert_int_equal(next(neg, sizeof neg, &t), 0);
    assert_int_equal(der_uint(&t, &p, &n), -1);
    expect_error("negative");
    assert_int_equal(next(empty, sizeof empty, &t), 0);
    assert_int_equal(der_uint(&t, &p, &n), -1);
    assert_int_equal(next(notint, sizeof notint, &t), 0);
    assert_int_equal(der_uint(&t, &p, &n), -1);
}

/* ------------------------------------------------------------------------------------------ */

static void expect_bytes(const uint8_t *got, size_t n, const uint8_t *want, size_t wn)
{
    if (n != wn) fail_msg("length %zu, want %zu", n, wn);
    assert_memory_equal(got, want, wn);
}

static void test_writer_lengths(void **state)
{
    (void)state;
    static uint8_t buf[70000], content[66000];
    static const size_t sizes[] = {0, 1, 127, 128, 255, 256, 65535, 65536};
    static const uint8_t hdrlen[] = {2, 2, 2, 3, 3, 4, 4, 5};
    struct der_writer w;
    struct der_tlv t, inner;
    struct der_reader r;
    size_t i, len;

    for (i = 0; i < sizeof content; i++)
        content[i] = (uint8_t)(i * 7);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t k = sizes[i];
        derw_init(&w, buf, sizeof buf);
        derw_begin(&w, DER_SEQUENCE);
        if (k >= 2) /* an OCTET STRING of k bytes in total */
            derw_raw(&w, content, k);
        else if (k == 1)
            derw_raw(&w, "\x05", 1);
        derw_end(&w);
        assert_int_equal(derw_finish(&w, &len), 0);
        assert_int_equal(len, hdrlen[i] + k);
        assert_int_equal(next(buf, len, &t), 0);
        assert_int_equal(t.tag, DER_SEQUENCE);
        assert_int_equal(t.len, k);
        assert_int_equal(t.rawlen, len);
        if (k >= 2) assert_memory_equal(t.val, content, k);
    }

    /* Nested: the inner length grows after the outer was opened. */
    derw_init(&w, buf, sizeof buf);
    derw_begin(&w, DER_SEQUENCE);
    derw_small_int(&w, 1);
    derw_begin(&w, DER_CTX_CONS(3));
    derw_tlv(&w, DER_OCTET_STRING, content, 300);
    derw_end(&w);
    derw_null(&w);
    derw_end(&w);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(next(buf, len, &t), 0);
    assert_int_equal(t.rawlen, len);
    der_enter(&t, &r);
    assert_int_equal(der_expect(&r, DER_INTEGER, &inner), 0);
    assert_int_equal(der_expect(&r, DER_CTX_CONS(3), &inner), 0);
    assert_int_equal(inner.len, 4 + 300);
    assert_int_equal(der_expect(&r, DER_NULL, &inner), 0);
    assert_true(der_at_end(&r));
}

static void test_writer_overflow_sticky(void **state)
{
    (void)state;
    uint8_t buf[140], content[128] = {0};
    struct der_writer w;
    size_t len, before;

    /* 127 content bytes fit with a one-byte length; 128 need the length widened by one. */
    derw_init(&w, buf, 2 + 128);
    derw_begin(&w, DER_SEQUENCE);
    derw_raw(&w, content, 128);
    assert_false(w.overflow);
    derw_end(&w);
    assert_true(w.overflow);
    assert_int_equal(derw_finish(&w, &len), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), "130-byte buffer too small"));

    derw_init(&w, buf, 4);
    derw_tlv(&w, DER_OCTET_STRING, "abc", 3);
    assert_true(w.overflow);
    before = w.len;
    derw_null(&w); /* would fit, but the error is sticky */
    derw_bool(&w, 1);
    assert_int_equal(w.len, before);
    assert_int_equal(derw_finish(&w, &len), -1);

    derw_init(&w, buf, sizeof buf);
    derw_tlv(&w, DER_OCTET_STRING, "abc", 3);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(len, 5);
}

static void test_writer_unbalanced_and_depth(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct der_writer w;
    size_t len;
    int i;

    derw_init(&w, buf, sizeof buf);
    derw_end(&w);
    assert_int_equal(derw_finish(&w, &len), -1);
    assert_non_null(strstr(err_msg(), "unbalanced"));

    derw_init(&w, buf, sizeof buf);
    derw_begin(&w, DER_SEQUENCE);
    assert_int_equal(derw_finish(&w, &len), -1);
    assert_non_null(strstr(err_msg(), "unbalanced"));

    derw_init(&w, buf, sizeof buf);
    for (i = 0; i < DERW_MAX_DEPTH; i++)
        derw_begin(&w, DER_SEQUENCE);
    for (i = 0; i < DERW_MAX_DEPTH; i++)
        derw_end(&w);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(len, 2 * DERW_MAX_DEPTH);

    derw_init(&w, buf, sizeof buf);
    for (i = 0; i < DERW_MAX_DEPTH + 1; i++)
        derw_begin(&w, DER_SEQUENCE);
    for (i = 0; i < DERW_MAX_DEPTH + 1; i++)
        derw_end(&w);
    assert_int_equal(derw_finish(&w, &len), -1);
    assert_non_null(strstr(err_msg(), "DERW_MAX_DEPTH"));
}

static void test_writer_integers(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct der_writer w;
    size_t len;
    static const uint8_t be[] = {0x00, 0x00, 0x80, 0x01};

    derw_init(&w, buf, sizeof buf);
    derw_uint(&w, be, sizeof be);
    derw_uint(&w, be, 2);
    derw_uint(&w, be + 3, 1);
    derw_uint(&w, NULL, 0);
    assert_int_equal(derw_finish(&w, &len), 0);
    expect_bytes(buf, len,
                 (const uint8_t *)"\x02\x03\x00\x80\x01"
                                  "\x02\x01\x00"
                                  "\x02\x01\x01"
                                  "\x02\x01\x00",
                 14);

    static const struct {
        long v;
        const char *enc;
        size_t n;
    } ints[] = {
        {0, "\x02\x01\x00", 3},          {127, "\x02\x01\x7f", 3},
        {128, "\x02\x02\x00\x80", 4},    {256, "\x02\x02\x01\x00", 4},
        {-1, "\x02\x01\xff", 3},         {-128, "\x02\x01\x80", 3},
        {-129, "\x02\x02\xff\x7f", 4},   {65535, "\x02\x03\x00\xff\xff", 5},
        {-32768, "\x02\x02\x80\x00", 4},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        derw_init(&w, buf, sizeof buf);
        derw_small_int(&w, ints[i].v);
        assert_int_equal(derw_finish(&w, &len), 0);
        expect_bytes(buf, len, (const uint8_t *)ints[i].enc, ints[i].n);
    }
    derw_init(&w, buf, sizeof buf);
    derw_small_int(&w, LONG_MIN);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(len, 2 + sizeof(long));
    assert_int_equal(buf[2], 0x80);

    derw_init(&w, buf, sizeof buf);
    derw_bool(&w, 1);
    derw_bool(&w, 0);
    derw_null(&w);
    derw_oid(&w, (const uint8_t *)"\x55\x04\x03", 3);
    assert_int_equal(derw_finish(&w, &len), 0);
    expect_bytes(buf, len, (const uint8_t *)"\x01\x01\xff\x01\x01\x00\x05\x00\x06\x03\x55\x04\x03",
                 13);
}

static void write_time(int64_t t, const char *want_text, uint8_t want_tag)
{
    uint8_t buf[32];
    struct der_writer w;
    struct der_tlv tlv;
    size_t len;
    int64_t back;

    derw_init(&w, buf, sizeof buf);
    derw_time(&w, t);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(next(buf, len, &tlv), 0);
    assert_int_equal(tlv.tag, want_tag);
    if (want_text != NULL) {
        assert_int_equal(tlv.len, strlen(want_text));
        assert_memory_equal(tlv.val, want_text, tlv.len);
    }
    assert_int_equal(der_time(&tlv, &back), 0);
    assert_true(back == t);
}

static void test_writer_time(void **state)
{
    (void)state;
    uint8_t buf[32];
    struct der_writer w;
    size_t len;
    int64_t t;

    write_time(0, "700101000000Z", DER_UTCTIME);
    write_time(-631152000, "500101000000Z", DER_UTCTIME);
    write_time(-631152001, "19491231235959Z", DER_GENERALIZEDTIME);
    write_time(2524607999, "491231235959Z", DER_UTCTIME);
    write_time(2524608000, "20500101000000Z", DER_GENERALIZEDTIME);
    write_time(951782400 + 86399, "000229235959Z", DER_UTCTIME);
    write_time(253402300799, "99991231235959Z", DER_GENERALIZEDTIME);
    write_time(-62167219200, "00000101000000Z", DER_GENERALIZEDTIME);
    /* Round trips across the whole range, on odd steps that visit every time of day. */
    for (t = -62167219200; t <= 253402300799; t += 86400 * 97 + 3607)
        write_time(t, NULL, t >= -631152000 && t < 2524608000 ? DER_UTCTIME : DER_GENERALIZEDTIME);

    derw_init(&w, buf, sizeof buf);
    derw_time(&w, 253402300800);
    assert_int_equal(derw_finish(&w, &len), -1);
    assert_non_null(strstr(err_msg(), "time outside"));
    derw_init(&w, buf, sizeof buf);
    derw_time(&w, -62167219201);
    assert_int_equal(derw_finish(&w, &len), -1);
    derw_init(&w, buf, sizeof buf);
    derw_time(&w, INT64_MIN);
    derw_time(&w, INT64_MAX);
    assert_int_equal(derw_finish(&w, &len), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_form),
        cmocka_unit_test(test_long_forms),
        cmocka_unit_test(test_rejected_lengths_and_tags),
        cmocka_unit_test(test_truncation_at_every_byte),
        cmocka_unit_test(test_expect_optional_enter),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_uint),
        cmocka_unit_test(test_writer_lengths),
        cmocka_unit_test(test_writer_overflow_sticky),
        cmocka_unit_test(test_writer_unbalanced_and_depth),
        cmocka_unit_test(test_writer_integers),
        cmocka_unit_test(test_writer_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
