/* Unit tests: base64 / base64url (RFC 4648 section 10 vectors, strict decoding). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "base64.h"
#include "err.h"

static const struct {
    const char *in, *std, *url;
} vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    size_t i;
    char enc[32];
    unsigned char dec[32];
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        size_t n = strlen(vectors[i].in);
        assert_int_equal(b64_encoded_len(n, B64_STD), strlen(vectors[i].std));
        assert_int_equal(b64_encoded_len(n, B64_URL), strlen(vectors[i].url));
        assert_int_equal(b64_encode(enc, sizeof enc, vectors[i].in, n, B64_STD),
                         (long)strlen(vectors[i].std));
        assert_string_equal(enc, vectors[i].std);
        assert_int_equal(b64_encode(enc, sizeof enc, vectors[i].in, n, B64_URL),
                         (long)strlen(vectors[i].url));
        assert_string_equal(enc, vectors[i].url);
        assert_int_equal(
            b64_decode(dec, sizeof dec, vectors[i].std, strlen(vectors[i].std), B64_STD), (long)n);
        assert_memory_equal(dec, vectors[i].in, n);
        assert_int_equal(
            b64_decode(dec, sizeof dec, vectors[i].url, strlen(vectors[i].url), B64_URL), (long)n);
        assert_memory_equal(dec, vectors[i].in, n);
    }
}

static void test_alphabets(void **state)
{
    (void)state;
    const unsigned char bin[] = {0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83};
    char enc[16];
    unsigned char dec[8];
    assert_int_equal(b64_encode(enc, sizeof enc, bin, sizeof bin, B64_STD), 8);
    assert_string_equal(enc, "+/+/ABCD");
    assert_int_equal(b64_encode(enc, sizeof enc, bin, sizeof bin, B64_URL), 8);
    assert_string_equal(enc, "-_-_ABCD");
    assert_int_equal(b64_decode(dec, sizeof dec, "-_-_ABCD", 8, B64_URL), 6);
    assert_memory_equal(dec, bin, 6);
    /* each alphabet refuses the other's characters */
    assert_int_equal(b64_decode(dec, sizeof dec, "+/+/ABCD", 8, B64_URL), -1);
    assert_non_null(strstr(err_msg(), "invalid character 0x2b at offset 0"));
    assert_int_equal(b64_decode(dec, sizeof dec, "-_-_ABCD", 8, B64_STD), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
}

static void expect_bad(const char *in, int variant, const char *what)
{
    unsigned char dec[64];
    if (b64_decode(dec, sizeof dec, in, strlen(in), variant) != -1) fail_msg("accepted \"%s\"", in);
    if (strstr(err_msg(), what) == NULL)
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err_msg(), what);
}

static void test_strict_decoding(void **state)
{
    (void)state;
    expect_bad("Zg", B64_STD, "not a multiple of 4");
    expect_bad("Zg=", B64_STD, "not a multiple of 4");
    expect_bad("Zh==", B64_STD, "non-zero trailing bits");
    expect_bad("Zm9=", B64_STD, "non-zero trailing bits");
    expect_bad("Zg==Zg==", B64_STD, "unexpected '=' at offset 2");
    expect_bad("Z===", B64_STD, "unexpected '='");
    expect_bad("====", B64_STD, "unexpected '='");
    expect_bad("Zm9v\n", B64_STD, "not a multiple of 4");
    expect_bad("Zm 9", B64_STD, "invalid character 0x20 at offset 2");
    expect_bad("Zg==", B64_URL, "unexpected '=' at offset 2");
    expect_bad("Z", B64_URL, "invalid length 1");
    expect_bad("Zm9vY", B64_URL, "invalid length 5");
    expect_bad("Zh", B64_URL, "non-zero trailing bits");
    expect_bad("Zm9", B64_URL, "non-zero trailing bits");
    expect_bad("Zm\x80v", B64_URL, "invalid character 0x80");
    assert_int_equal(err_status(), ACME_ETEMP);
}

static void test_buffer_limits(void **state)
{
    (void)state;
    char enc[9];
    unsigned char dec[6];
    /* encode: the NUL must fit too */
    assert_int_equal(b64_encode(enc, 8, "foobar", 6, B64_STD), -1);
    assert_non_null(strstr(err_msg(), "8-byte buffer too small"));
    assert_int_equal(b64_encode(enc, 9, "foobar", 6, B64_STD), 8);
    assert_int_equal(b64_encode(enc, 1, "", 0, B64_URL), 0);
    assert_string_equal(enc, "");
    assert_int_equal(b64_encode(enc, 0, "", 0, B64_URL), -1);
    /* decode: exact fit works, one byte short is an error */
    assert_int_equal(b64_decode(dec, 6, "Zm9vYmFy", 8, B64_STD), 6);
    assert_int_equal(b64_decode(dec, 5, "Zm9vYmFy", 8, B64_STD), -1);
    assert_non_null(strstr(err_msg(), "6 decoded bytes do not fit in a 5-byte buffer"));
    assert_int_equal(b64_decode(dec, 1, "Zg==", 4, B64_STD), 1);
    assert_int_equal(b64_decode(dec, 0, "", 0, B64_STD), 0);
}

static void test_round_trip_all_lengths(void **state)
{
    (void)state;
    unsigned char in[70], dec[70];
    char enc[100];
    size_t n, i;
    int v;
    for (i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i * 37 + 11);
    for (v = B64_STD; v <= B64_URL; v++) {
        for (n = 0; n <= sizeof in; n++) {
            long e = b64_encode(enc, sizeof enc, in, n, v);
            assert_int_equal(e, (long)b64_encoded_len(n, v));
            assert_int_equal(b64_decode(dec, sizeof dec, enc, (size_t)e, v), (long)n);
            assert_memory_equal(dec, in, n);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),        cmocka_unit_test(test_alphabets),
        cmocka_unit_test(test_strict_decoding),        cmocka_unit_test(test_buffer_limits),
        cmocka_unit_test(test_round_trip_all_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
