/* Unit tests: the JSON reader (tokens, lookups, strings, integers, limits) and writer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "build_config.h"
#include "buf.h"
#include "err.h"
#include "json.h"

static struct json_tok toks[256];

static int parse(struct json_doc *d, const char *s)
{
    return json_parse(d, s, strlen(s), toks, sizeof toks / sizeof toks[0]);
}

static void test_tokens_and_next(void **state)
{
    (void)state;
    struct json_doc d;
    const char *s = " {\"a\": [1, {\"b\": null}, \"x\"], \"c\": true, \"d\": {}} ";
    assert_int_equal(parse(&d, s), 0);
    /* { a [ 1 { b null } x ] c true d {} } */
    assert_int_equal(d.ntok, 12);
    assert_int_equal(json_type(&d, 0), JSON_OBJECT);
    assert_int_equal(d.toks[0].size, 3);
    assert_int_equal(d.toks[0].next, 12);
    assert_int_equal(d.toks[0].start, 1);
    assert_int_equal(d.toks[0].end, strlen(s) - 1);
    assert_int_equal(json_type(&d, 1), JSON_STRING);
    assert_int_equal(d.toks[1].next, 2);
    assert_int_equal(json_type(&d, 2), JSON_ARRAY);
    assert_int_equal(d.toks[2].size, 3);
    assert_int_equal(d.toks[2].next, 8);
    assert_int_equal(json_type(&d, 4), JSON_OBJECT);
    assert_int_equal(d.toks[4].size, 1);
    assert_int_equal(d.toks[4].next, 7);
    assert_int_equal(json_type(&d, 6), JSON_NULL);
    assert_int_equal(json_type(&d, 9), JSON_TRUE);
    assert_int_equal(json_type(&d, 11), JSON_OBJECT);
    assert_int_equal(d.toks[11].size, 0);
    assert_int_equal(json_type(&d, 12), -1);
    assert_int_equal(json_type(&d, -1), -1);
    /* string token offsets exclude the quotes */
    assert_int_equal(d.toks[1].end - d.toks[1].start, 1);
    assert_int_equal(s[d.toks[1].start], 'a');
}

static void test_get_index_path(void **state)
{
    (void)state;
    struct json_doc d;
    const char *s = "{\"meta\":{\"profiles\":{\"classic\":\"x\"},\"n.dot\":1},"
                    "\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"},"
                    "{\"type\":\"ip\",\"value\":\"192.0.2.1\"}],\"k\\u0065y\":5}";
    assert_int_equal(parse(&d, s), 0);
    int meta = json_get(&d, 0, "meta");
    assert_int_equal(json_type(&d, meta), JSON_OBJECT);
    assert_int_equal(json_path(&d, 0, "meta.profiles"), json_get(&d, meta, "profiles"));
    int v = json_path(&d, 0, "identifiers.1.value");
    assert_true(v > 0);
    assert_true(json_str_eq(&d, v, "192.0.2.1"));
    assert_true(json_str_eq(&d, json_path(&d, 0, "identifiers.0.type"), "dns"));
    assert_int_equal(json_path(&d, 0, "identifiers.2.value"), -1);
    assert_int_equal(json_path(&d, 0, "identifiers.x"), -1);
    assert_int_equal(json_path(&d, 0, "identifiers."), -1);
    assert_int_equal(json_path(&d, 0, "identifiers.-1"), -1);
    assert_int_equal(json_path(&d, 0, "meta.profiles.classic.deeper"), -1);
    assert_int_equal(json_path(&d, 0, "nope"), -1);
    assert_int_equal(json_path(&d, -1, "meta"), -1);
    /* keys are compared after unescaping */
    assert_true(json_get(&d, 0, "key") > 0);
    assert_int_equal(json_get(&d, 0, "k\\u0065y"), -1);
    /* lookups on the wrong container type */
    assert_int_equal(json_get(&d, json_get(&d, 0, "identifiers"), "type"), -1);
    assert_int_equal(json_index(&d, 0, 0), -1);
    int arr = json_get(&d, 0, "identifiers");
    assert_int_equal(json_index(&d, arr, 1), json_path(&d, 0, "identifiers.1"));
    assert_int_equal(json_index(&d, arr, 2), -1);
    int64_t n = 0;
    assert_int_equal(json_int(&d, json_get(&d, 0, "key"), &n), 0);
    assert_int_equal(n, 5);
    /* the first of duplicate keys wins */
    assert_int_equal(parse(&d, "{\"a\":1,\"a\":2}"), 0);
    assert_int_equal(json_int(&d, json_get(&d, 0, "a"), &n), 0);
    assert_int_equal(n, 1);
}

static void test_strings(void **state)
{
    (void)state;
    struct json_doc d;
    char out[64];
    size_t len = 99;
    assert_int_equal(parse(&d,
                           "[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20ac\\ud834\\udd1e\","
                           "\"\xc3\xa9\", \"\", \"a\\u0000b\"]"),
                     0);
    int t = json_index(&d, 0, 0);
    assert_int_equal(json_str(&d, t, out, sizeof out, &len), 0);
    assert_string_equal(out, "a\"b\\c/d\b\f\n\r\t");
    assert_int_equal(len, 12);
    assert_true(json_str_eq(&d, t, "a\"b\\c/d\b\f\n\r\t"));
    assert_false(json_str_eq(&d, t, "a\"b\\c/d\b\f\n\r"));
    assert_false(json_str_eq(&d, t, "a\"b\\c/d\b\f\n\r\tx"));
    t = json_index(&d, 0, 1);
    assert_int_equal(json_str(&d, t, out, sizeof out, NULL), 0);
    assert_string_equal(out, "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e");
    assert_true(json_str_eq(&d, t, "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e"));
    assert_true(json_str_eq(&d, json_index(&d, 0, 2), "\xc3\xa9"));
    assert_int_equal(json_str(&d, json_index(&d, 0, 3), out, 1, &len), 0);
    assert_int_equal(len, 0);
    assert_string_equal(out, "");

    /* buffer too small: an error naming the size, never a truncated string */
    t = json_index(&d, 0, 1);
    memset(out, 'X', sizeof out);
    assert_int_equal(json_str(&d, t, out, 9, NULL), -1);
    assert_non_null(strstr(err_msg(), "does not fit in a 9-byte buffer"));
    assert_int_equal(json_str(&d, t, out, 10, NULL), 0);
    /* U+0000 cannot be a C string */
    assert_int_equal(json_str(&d, json_index(&d, 0, 4), out, sizeof out, NULL), -1);
    assert_non_null(strstr(err_msg(), "\\u0000"));
    assert_false(json_str_eq(&d, json_index(&d, 0, 4), "a"));
    /* not a string */
    assert_int_equal(json_str(&d, 0, out, sizeof out, NULL), -1);
    assert_false(json_str_eq(&d, 0, ""));

    static unsigned char mem[128];
    struct arena a;
    arena_init(&a, mem, sizeof mem);
    char *dup = json_str_dup(&d, json_index(&d, 0, 0), &a);
    assert_non_null(dup);
    assert_string_equal(dup, "a\"b\\c/d\b\f\n\r\t");
    assert_null(json_str_dup(&d, json_index(&d, 0, 4), &a));
    arena_init(&a, mem, 8);
    assert_null(json_str_dup(&d, json_index(&d, 0, 0), &a));
    assert_non_null(strstr(err_msg(), "arena"));
}

static void expect_reject(const char *s, const char *what)
{
    struct json_doc d;
    if (parse(&d, s) != -1) fail_msg("accepted: %s", s);
    if (strstr(err_msg(), what) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", s, err_msg(), what);
    assert_int_equal(err_status(), ACME_ETEMP);
}

static void test_rejects(void **state)
{
    (void)state;
    expect_reject("", "unexpected end of input");
    expect_reject("[1,]", "value expected at offset 3");
    expect_reject("{\"a\":1,}", "object key");
    expect_reject("{\"a\" 1}", "':' expected");
    expect_reject("[1 2]", "',' or ']' expected");
    expect_reject("{\"a\":1]", "',' or '}' expected");
    expect_reject("[1] x", "unexpected data after the JSON value");
    expect_reject("\"\\ud800\"", "unpaired surrogate");
    expect_reject("\"\\udc00\"", "unpaired surrogate");
    expect_reject("\"\\ud800\\u0041\"", "unpaired surrogate");
    expect_reject("\"\\x\"", "invalid escape");
    expect_reject("\"\\u12\"", "invalid \\u escape");
    expect_reject("\"a\tb\"", "control character");
    expect_reject("\"\xc0\xaf\"", "invalid UTF-8");         /* overlong */
    expect_reject("\"\xed\xa0\x80\"", "invalid UTF-8");     /* UTF-8 surrogate */
    expect_reject("\"\xf4\x90\x80\x80\"", "invalid UTF-8"); /* above U+10FFFF */
    expect_reject("\"\xe2\x82\"", "invalid UTF-8");         /* truncated */
    expect_reject("\"abc", "unterminated string");
    expect_reject("01", "unexpected data");
    expect_reject("1.", "digit expected after '.'");
    expect_reject("1e+", "exponent");
    expect_reject("-", "invalid number");
    expect_reject("tru", "invalid literal");
    expect_reject("[nulls]", "',' or ']' expected");
    expect_reject("\xef\xbb\xbf{}", "unexpected character");
}

static void test_limits(void **state)
{
    (void)state;
    struct json_doc d;
    char deep[2 * CONFIG_JSON_MAX_DEPTH + 8];
    size_t i;
    /* exactly the limit is fine */
    for (i = 0; i < CONFIG_JSON_MAX_DEPTH; i++) {
        deep[i] = '[';
        deep[CONFIG_JSON_MAX_DEPTH + i] = ']';
    }
    deep[2 * CONFIG_JSON_MAX_DEPTH] = '\0';
    assert_int_equal(parse(&d, deep), 0);
    assert_int_equal(d.ntok, CONFIG_JSON_MAX_DEPTH);
    /* one more level is an error naming the limit */
    memmove(deep + 1, deep, strlen(deep) + 1);
    deep[0] = '[';
    strcat(deep, "]");
    assert_int_equal(parse(&d, deep), -1);
    assert_non_null(strstr(err_msg(), "CONFIG_JSON_MAX_DEPTH"));

    /* token cap */
    assert_int_equal(json_parse(&d, "[1,2,3]", 7, toks, 4), 0);
    assert_int_equal(json_parse(&d, "[1,2,3]", 7, toks, 3), -1);
    assert_non_null(strstr(err_msg(), "more than 3 tokens"));
    assert_non_null(strstr(err_msg(), "CONFIG_JSON_MAX_TOKENS"));
    /* a failed parse leaves an empty document: lookups fail cleanly */
    assert_int_equal(d.ntok, 0);
    assert_int_equal(json_get(&d, 0, "a"), -1);
}

static void test_ints(void **state)
{
    (void)state;
    struct json_doc d;
    int64_t v = 7;
    assert_int_equal(parse(&d, "[0, -0, 42, -42, 9223372036854775807, -9223372036854775808, "
                               "9223372036854775808, -9223372036854775809, 1.5, 1e3, \"1\", "
                               "99999999999999999999999]"),
                     0);
    assert_int_equal(json_int(&d, json_index(&d, 0, 0), &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(json_int(&d, json_index(&d, 0, 1), &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(json_int(&d, json_index(&d, 0, 2), &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(json_int(&d, json_index(&d, 0, 3), &v), 0);
    assert_int_equal(v, -42);
    assert_int_equal(json_int(&d, json_index(&d, 0, 4), &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(json_int(&d, json_index(&d, 0, 5), &v), 0);
    assert_true(v == INT64_MIN);
    v = 7;
    assert_int_equal(json_int(&d, json_index(&d, 0, 6), &v), -1);
    assert_non_null(strstr(err_msg(), "64-bit range"));
    assert_int_equal(json_int(&d, json_index(&d, 0, 7), &v), -1);
    assert_int_equal(json_int(&d, json_index(&d, 0, 8), &v), -1);
    assert_non_null(strstr(err_msg(), "integer expected"));
    assert_int_equal(json_int(&d, json_index(&d, 0, 9), &v), -1);
    assert_int_equal(json_int(&d, json_index(&d, 0, 10), &v), -1);
    assert_non_null(strstr(err_msg(), "number expected"));
    assert_int_equal(json_int(&d, json_index(&d, 0, 11), &v), -1);
    assert_int_equal(v, 7);
}

static void test_writer(void **state)
{
    (void)state;
    char mem[512];
    struct buf b;
    struct json_writer w;
    buf_init(&b, mem, sizeof mem);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_key(&w, "protected");
    jw_str(&w, "eyJ");
    jw_key(&w, "list");
    jw_arr_begin(&w);
    jw_int(&w, -5);
    jw_bool(&w, 1);
    jw_bool(&w, 0);
    jw_null(&w);
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_strn(&w, "abcdef", 3);
    jw_arr_end(&w);
    jw_key(&w, "jwk");
    jw_raw(&w, "{\"kty\":\"EC\"}", 12);
    jw_key(&w, "big");
    jw_int(&w, INT64_MIN);
    jw_obj_end(&w);
    assert_int_equal(buf_check(&b, "json"), 0);
    assert_string_equal(buf_cstr(&b),
                        "{\"protected\":\"eyJ\",\"list\":[-5,true,false,null,[],{},\"abc\"],"
                        "\"jwk\":{\"kty\":\"EC\"},\"big\":-9223372036854775808}");
}

static void test_writer_escaping_round_trip(void **state)
{
    (void)state;
    char mem[1024], in[300], out[300];
    struct buf b;
    struct json_writer w;
    struct json_doc d;
    size_t i, n = 0, len;
    /* every byte 0x01..0x7f plus some UTF-8 */
    for (i = 1; i < 0x80; i++)
        in[n++] = (char)i;
    memcpy(in + n, "\xc3\xa9\xf0\x9f\x94\x92", 6);
    n += 6;
    in[n] = '\0';
    buf_init(&b, mem, sizeof mem);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_key(&w, "k\"\n");
    jw_str(&w, in);
    jw_obj_end(&w);
    const char *json = buf_cstr(&b);
    assert_non_null(json);
    assert_non_null(strstr(json, "\\u0001\\u0002"));
    assert_non_null(strstr(json, "\\u001f !\\\"#"));
    assert_non_null(strstr(json, "[\\\\]"));
    assert_non_null(strstr(json, "\"k\\\"\\u000a\":"));
    assert_int_equal(json_parse(&d, json, strlen(json), toks, 256), 0);
    int t = json_get(&d, 0, "k\"\n");
    assert_true(t > 0);
    assert_int_equal(json_str(&d, t, out, sizeof out, &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, in, n);

    /* overflow is sticky and reported by buf_check() */
    buf_init(&b, mem, 8);
    jw_init(&w, &b);
    jw_arr_begin(&w);
    jw_str(&w, "0123456789");
    jw_arr_end(&w);
    assert_int_equal(buf_check(&b, "the JWS"), -1);
    assert_non_null(strstr(err_msg(), "8-byte buffer too small"));

    /* nesting the writer cannot track is reported the same way */
    buf_init(&b, mem, sizeof mem);
    jw_init(&w, &b);
    for (i = 0; i < 30; i++)
        jw_arr_begin(&w);
    assert_int_equal(buf_check(&b, "deep"), 0);
    jw_arr_begin(&w);
    assert_int_equal(buf_check(&b, "deep"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_and_next), cmocka_unit_test(test_get_index_path),
        cmocka_unit_test(test_strings),         cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_limits),          cmocka_unit_test(test_ints),
        cmocka_unit_test(test_writer),          cmocka_unit_test(test_writer_escaping_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
