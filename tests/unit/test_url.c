/* Unit tests: URL parsing, authority, resolution. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "url.h"

static struct url u;

static void test_url_ok(void **state)
{
    (void)state;
    assert_int_equal(url_parse(&u, "https://acme-v02.api.letsencrypt.org/directory"), 0);
    assert_int_equal(u.https, 1);
    assert_string_equal(u.host, "acme-v02.api.letsencrypt.org");
    assert_string_equal(u.port, "443");
    assert_int_equal(u.default_port, 1);
    assert_string_equal(u.path, "/directory");

    assert_int_equal(url_parse(&u, "HTTP://LocalHost:14000"), 0);
    assert_int_equal(u.https, 0);
    assert_string_equal(u.host, "localhost");
    assert_string_equal(u.port, "14000");
    assert_int_equal(u.default_port, 0);
    assert_string_equal(u.path, "/");

    assert_int_equal(url_parse(&u, "http://127.0.0.1?x=1#frag"), 0);
    assert_string_equal(u.port, "80");
    assert_string_equal(u.path, "/?x=1");

    assert_int_equal(url_parse(&u, "https://[::1]:8443/a/b%20c?d=e&f#g"), 0);
    assert_int_equal(u.ipv6, 1);
    assert_string_equal(u.host, "::1");
    assert_string_equal(u.port, "8443");
    assert_string_equal(u.path, "/a/b%20c?d=e&f");

    assert_int_equal(url_parse(&u, "https://[2001:DB8::1]/"), 0);
    assert_string_equal(u.host, "2001:db8::1");
    assert_string_equal(u.port, "443");

    assert_int_equal(url_parse(&u, "https://h:/p"), 0);
    assert_string_equal(u.port, "443");
    assert_int_equal(url_parse(&u, "https://h:0443/p"), 0);
    assert_string_equal(u.port, "443");
    assert_int_equal(u.default_port, 1);
}

static void bad(const char *s, const char *why)
{
    err_clear();
    assert_int_equal(url_parse(&u, s), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    if (strstr(err_msg(), why) == NULL) fail_msg("'%s': error '%s' lacks '%s'", s, err_msg(), why);
}

static void test_url_bad(void **state)
{
    static char longurl[HTTP_URL_MAX + 10];
    (void)state;
    bad("ftp://h/", "not an http:// or https:// URL");
    bad("https:/h/", "not an http");
    bad("https://user:pw@h/", "user information");
    bad("https://h@x/", "user information");
    bad("https:///p", "no host");
    bad("https://h:65536/", "port out of range");
    bad("https://h:0/", "port out of range");
    bad("https://h:12a/", "bad port");
    bad("https://h:99999999999999999999/", "bad port");
    bad("https://[::1/", "unterminated IPv6");
    bad("https://[::1]x/", "junk after");
    bad("https://[fe80::1%25eth0]/", "bad IPv6");
    bad("https://[1.2.3.4]/", "bad IPv6");
    bad("https://h_%41/", "bad host name");
    bad("https://h/a b", "space");
    bad("https://h/\xc3\xa9", "non-ASCII");
    bad("https://h/a%4", "percent");
    bad("https://h/a%zz", "percent");
    bad("https://h/a<b>", "not allowed");
    memcpy(longurl, "https://h/", 10);
    memset(longurl + 10, 'a', HTTP_URL_MAX - 10);
    longurl[HTTP_URL_MAX] = '\0';
    bad(longurl, "exceeds the limit of 1023 bytes (HTTP_URL_MAX)");
    longurl[HTTP_URL_MAX - 1] = '\0';
    assert_int_equal(url_parse(&u, longurl), 0);
}

static void test_authority_resolve(void **state)
{
    char out[HTTP_URL_MAX];
    (void)state;
    assert_int_equal(url_parse(&u, "https://[::1]:14000/dir"), 0);
    assert_int_equal(url_authority(&u, 0, out, sizeof out), 11);
    assert_string_equal(out, "[::1]:14000");
    assert_int_equal(url_resolve(&u, "/acme/acct/1", out, sizeof out), 0);
    assert_string_equal(out, "https://[::1]:14000/acme/acct/1");
    assert_int_equal(url_resolve(&u, "https://x/y", out, sizeof out), 0);
    assert_string_equal(out, "https://x/y");
    assert_int_equal(url_parse(&u, "https://ca.example/dir"), 0);
    assert_int_equal(url_authority(&u, 0, out, sizeof out), 10);
    assert_string_equal(out, "ca.example");
    assert_int_equal(url_authority(&u, 1, out, sizeof out), 14);
    assert_string_equal(out, "ca.example:443");
    assert_int_equal(url_authority(&u, 1, out, 5), -1);
    assert_int_equal(url_resolve(&u, "/abc", out, 20), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_ok),
        cmocka_unit_test(test_url_bad),
        cmocka_unit_test(test_authority_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
