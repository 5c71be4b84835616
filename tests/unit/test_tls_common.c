/* Unit tests: platform/tls_common.c and platform/clock.c (trust certificates from a PEM
 * bundle read in pieces or the built-in table, the clock and its build-time floor, the
 * certificate error messages). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "buf.h"
#include "err.h"
#include "pem.h"
#include "sys.h"
#include "x509.h"
#include "../../platform/tls_common.h"

static char dir[256];

static int setup(void **state)
{
    const char *t = getenv("TMPDIR");
    (void)state;
    snprintf(dir, sizeof dir, "%s/acme-test-tls-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[400];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text, size_t n, char *path, size_t cap)
{
    FILE *f;

    snprintf(path, cap, "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *name, const char *text, char *path, size_t cap)
{
    write_file(name, text, strlen(text), path, cap);
}

/* Records what tls_each_trust_cert() hands over. */
struct seen {
    int n;
    size_t len[8];
    uint8_t first[8];
    int stop_at; /* fail on this certificate (1-based), 0: never */
};

static int collect(void *ctx, const uint8_t *der, size_t n)
{
    struct seen *s = ctx;

    if (s->n < 8) {
        s->len[s->n] = n;
        s->first[s->n] = der[0];
    }
    s->n++;
    if (s->n == s->stop_at) return err_set(ACME_ELOCAL, "stop here");
    return 0;
}

/* A PEM bundle of the built-in certificates (with text, CRLF and long lines around). */
static size_t make_bundle(char *out, size_t cap, int crlf)
{
    struct buf b;
    static char pem[8192];
    struct buf p;
    size_t i, k;
    char line[600];

    buf_init(&b, out, cap);
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    buf_puts(&b, "# a CA bundle\n");
    buf_puts(&b, line); /* longer than any PEM line: only text here */
    buf_puts(&b, "\n");
    for (i = 0; i < acme_builtin_cert_count; i++) {
        buf_init(&p, pem, sizeof pem);
        pem_write(&p, "CERTIFICATE", acme_builtin_certs[i].der, acme_builtin_certs[i].len);
        assert_int_equal(buf_check(&p, "pem"), 0);
        for (k = 0; k < p.len; k++) {
            if (crlf && pem[k] == '\n') buf_putc(&b, '\r');
            buf_putc(&b, pem[k]);
        }
        buf_puts(&b, "some text between\n-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
    }
    assert_int_equal(buf_check(&b, "bundle"), 0);
    return b.len;
}

static void test_bundle(void **state)
{
    static char text[32768];
    char path[400];
    struct seen s;
    const char *src = NULL;
    size_t n;
    int crlf;
    (void)state;

    if (acme_builtin_cert_count == 0) skip();
    for (crlf = 0; crlf <= 1; crlf++) {
        n = make_bundle(text, sizeof text, crlf);
        write_file("bundle.pem", text, n, path, sizeof path);
        memset(&s, 0, sizeof s);
        assert_int_equal(tls_each_trust_cert(path, collect, &s, &src),
                         (int)acme_builtin_cert_count);
        assert_int_equal(s.n, (int)acme_builtin_cert_count);
        assert_int_equal(s.len[0], acme_builtin_certs[0].len);
        assert_int_equal(s.first[0], 0x30);
        assert_non_null(strstr(src, "ca_file "));
        assert_non_null(strstr(src, path));

        /* without the final line break */
        write_file("bundle2.pem", text, n - 1, path, sizeof path);
        memset(&s, 0, sizeof s);
        assert_int_equal(tls_each_trust_cert(path, collect, &s, NULL),
                         (int)acme_builtin_cert_count);
    }
    /* the callback's error stops the walk */
    memset(&s, 0, sizeof s);
    s.stop_at = 1;
    assert_int_equal(tls_each_trust_cert(path, collect, &s, NULL), -1);
    assert_string_equal(err_msg(), "stop here");
    assert_int_equal(s.n, 1);
}

static void test_bundle_errors(void **state)
{
    static char text[32768];
    char path[400], big[400];
    struct seen s;
    size_t n;
    (void)state;

    write_text("empty.pem", "just text\n", path, sizeof path);
    assert_int_equal(tls_each_trust_cert(path, collect, &s, NULL), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), "no certificates"));

    write_text("noend.pem", "x\n-----BEGIN CERTIFICATE-----\nMIIB\n", path, sizeof path);
    assert_int_equal(tls_each_trust_cert(path, collect, &s, NULL), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), "the certificate at line 2 has no END line"));

    write_text("bad.pem", "-----BEGIN CERTIFICATE-----\nMI!B\n-----END CERTIFICATE-----\n", path,
               sizeof path);
    assert_int_equal(tls_each_trust_cert(path, collect, &s, NULL), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), "the certificate at line 1"));

    /* a line inside a block longer than the line limit */
    memset(big, 'A', sizeof big);
    n = (size_t)snprintf(text, sizeof text, "-----BEGIN CERTIFICATE-----\n%.*s\n", 300, big);
    write_file("long.pem", text, n, path, sizeof path);
    assert_int_equal(tls_each_trust_cert(path, collect, &s, NULL), -1);
    assert_non_null(strstr(err_msg(), "line 2: longer than 256 bytes inside a certificate"));

    /* a block over the block limit */
    n = (size_t)snprintf(text, sizeof text, "-----BEGIN CERTIFICATE-----\n");
    while (n < 25000)
        n += (size_t)snprintf(text + n, sizeof text - n, "%.*s\n", 64, big);
    write_file("huge.pem", text, n, path, sizeof path);
    assert_int_equal(tls_each_trust_cert(path, collect, &s, NULL), -1);
    assert_non_null(strstr(err_msg(), "longer than 24576 bytes of PEM"));

    /* a directory cannot be read */
    assert_int_equal(tls_each_trust_cert(dir, collect, &s, NULL), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), dir));
}

static void test_missing_file_uses_builtin(void **state)
{
    char path[400];
    struct seen s;
    const char *src = NULL;
    int r;
    (void)state;

    snprintf(path, sizeof path, "%s/does-not-exist.pem", dir);
    memset(&s, 0, sizeof s);
    r = tls_each_trust_cert(path, collect, &s, &src);
    if (acme_builtin_cert_count == 0) {
        assert_int_equal(r, -1);
        assert_non_null(strstr(err_msg(), "no built-in trust anchors"));
        return;
    }
#ifdef CONFIG_TLS_MBEDTLS
    /* mbedTLS loads the whole built-in certificates */
    assert_int_equal(r, (int)acme_builtin_cert_count);
    assert_int_equal(s.n, (int)acme_builtin_cert_count);
#else
    /* BearSSL's built-in anchors were decoded at build time (tests/unit/test_trust_store.c):
     * nothing to hand over */
    assert_int_equal(r, 0);
    assert_int_equal(s.n, 0);
#endif
    assert_non_null(strstr(src, "built-in trust anchors"));
    assert_non_null(strstr(src, path));
}

static void test_format_time(void **state)
{
    char t[40];
    (void)state;

    tls_format_time(0, t, sizeof t);
    assert_string_equal(t, "1970-01-01 00:00:00 UTC");
    tls_format_time(951782400 + 3661, t, sizeof t);
    assert_string_equal(t, "2000-02-29 01:01:01 UTC");
    tls_format_time(4102444799, t, sizeof t);
    assert_string_equal(t, "2099-12-31 23:59:59 UTC");
    tls_format_time(-1, t, sizeof t);
    assert_string_equal(t, "1969-12-31 23:59:59 UTC");
}

static void test_clock(void **state)
{
    (void)state;

    setenv("ACME_TEST_NOW", "12345", 1);
    assert_int_equal(sys_now(), 12345);
    /* before the build: the build time (with a warning) */
    assert_int_equal(tls_validation_time(), acme_build_time);
    setenv("ACME_TEST_NOW", "4102444800", 1);
    assert_int_equal(tls_validation_time(), 4102444800);
    setenv("ACME_TEST_NOW", "12x", 1); /* not a number: the real clock */
    assert_true(sys_now() > 1600000000);
    unsetenv("ACME_TEST_NOW");
    assert_true(sys_now() >= acme_build_time - 86400);
    assert_true(acme_build_time > 1600000000);
}

static void test_host_is_ip(void **state)
{
    (void)state;
    assert_int_equal(tls_host_is_ip("127.0.0.1"), 1);
    assert_int_equal(tls_host_is_ip("::1"), 1);
    assert_int_equal(tls_host_is_ip("[2001:db8::1]"), 1);
    assert_int_equal(tls_host_is_ip("localhost"), 0);
    assert_int_equal(tls_host_is_ip("1.2.3"), 0);
    assert_int_equal(tls_host_is_ip(""), 0);
}

static void test_cert_errors(void **state)
{
    struct x509_info x;
    const uint8_t *der;
    size_t n;
    (void)state;

    if (acme_builtin_cert_count == 0) skip();
    der = acme_builtin_certs[0].der; /* a self-signed root */
    n = acme_builtin_certs[0].len;
    assert_int_equal(x509_parse(der, n, &x), 0);

    assert_int_equal(
        tls_cert_error("h.example", "443", TLS_CERT_BAD_NAME, der, n, 1, x.not_before, "src", NULL),
        -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_non_null(strstr(err_msg(), "TLS to h.example port 443: "));
    assert_non_null(strstr(err_msg(), "not valid for host name h.example (it is for "));

    tls_cert_error("h", "1", TLS_CERT_VALIDITY, der, n, 1, x.not_before - 1, "src", NULL);
    assert_non_null(strstr(err_msg(), "is not yet valid: valid from "));
    assert_null(strstr(err_msg(), "expired"));

    tls_cert_error("h", "1", TLS_CERT_VALIDITY, der, n, 1, x.not_after + 1, "src", NULL);
    assert_non_null(strstr(err_msg(), "expired on "));

    tls_cert_error("h", "1", TLS_CERT_VALIDITY, der, n, 1, x.not_after - 1, "src", NULL);
    assert_non_null(strstr(err_msg(), "a certificate in the server's chain has expired"));

    tls_cert_error("h", "1", TLS_CERT_UNTRUSTED, der, n, 1, x.not_before, "the src", NULL);
    assert_non_null(strstr(err_msg(), "is self-signed and not among the trust anchors (the src)"));

    tls_cert_error("h", "1", TLS_CERT_UNTRUSTED, der, n, 2, x.not_before, "the src", NULL);
    assert_non_null(strstr(err_msg(), "untrusted or unknown issuer (issuer CN="));
    assert_non_null(strstr(err_msg(), "no trust anchor in the src"));
    assert_null(strstr(err_msg(), "self-signed"));

    tls_cert_error("h", "1", TLS_CERT_UNTRUSTED, NULL, 0, 0, 0, "the src", NULL);
    assert_non_null(strstr(err_msg(), "untrusted or unknown issuer: no trust anchor in the src"));

    tls_cert_error("h", "1", TLS_CERT_OTHER, der, n, 1, 0, "s", "weird chain");
    assert_non_null(strstr(err_msg(), "certificate chain rejected: weird chain"));

    assert_int_equal(tls_leaf_has_name(der, n, "h.example"), 0);
    assert_int_equal(tls_leaf_has_name(NULL, 0, "h.example"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle),
        cmocka_unit_test(test_bundle_errors),
        cmocka_unit_test(test_missing_file_uses_builtin),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_host_is_ip),
        cmocka_unit_test(test_cert_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
