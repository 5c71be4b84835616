/* Unit tests: core/pem.c reading (surrounding text, line endings, other labels, malformed blocks)
 * and writing (64-column lines, round trips). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "pem.h"

/* 30 03 02 01 05 = SEQUENCE { INTEGER 5 } */
static const uint8_t SEQ5[] = {0x30, 0x03, 0x02, 0x01, 0x05};
/* 48 bytes 0..47 = exactly one 64-column line */
#define LINE48 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"

static int next(const char *text, size_t *pos, const char *label, char *label_out, uint8_t *der,
                size_t cap, size_t *n)
{
    return pem_next(text, strlen(text), pos, label, label_out, der, cap, n);
}

static void expect_error(int status, const char *fragment)
{
    assert_int_equal(err_status(), status);
    if (strstr(err_msg(), fragment) == NULL)
        fail_msg("error '%s' does not mention '%s'", err_msg(), fragment);
}

static void test_single_block_lf_and_crlf(void **state)
{
    (void)state;
    const char *lf = "-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n";
    const char *crlf =
        "-----BEGIN CERTIFICATE-----\r\nMAMC\r\nAQU=\r\n-----END CERTIFICATE-----\r\n";
    const char *noeol = "-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----";
    const char *texts[] = {lf, crlf, noeol};
    uint8_t der[64];
    char label[PEM_LABEL_MAX];
    size_t pos, n;

    for (size_t i = 0; i < 3; i++) {
        pos = 0;
        assert_int_equal(next(texts[i], &pos, "CERTIFICATE", label, der, sizeof der, &n), 1);
        assert_string_equal(label, "CERTIFICATE");
        assert_int_equal(n, sizeof SEQ5);
        assert_memory_equal(der, SEQ5, sizeof SEQ5);
        assert_int_equal(pos, strlen(texts[i]));
        assert_int_equal(next(texts[i], &pos, "CERTIFICATE", NULL, der, sizeof der, &n), 0);
    }
}

static void test_text_around_and_other_labels(void **state)
{
    (void)state;
    const char *text = "Bundle made by hand\n"
                       "subject=CN = x\n"
                       "-----BEGIN PRIVATE KEY-----\n"
                       "AQID\n"
                       "-----END PRIVATE KEY-----\n"
                       "between blocks\r\n"
                       "-----BEGIN CERTIFICATE-----   \n"
                       "  MAMCAQU=\t\n"
                       "-----END CERTIFICATE-----\n"
                       "\n"
                       "-----BEGIN CERTIFICATE-----\n" LINE48 "\n"
                       "AAEC\n"
                       "-----END CERTIFICATE-----\n"
                       "trailing junk -----BEGIN nothing\n";
    uint8_t der[128];
    char label[PEM_LABEL_MAX];
    size_t pos = 0, n;

    assert_int_equal(next(text, &pos, "CERTIFICATE", NULL, der, sizeof der, &n), 1);
    assert_int_equal(n, sizeof SEQ5);
    assert_memory_equal(der, SEQ5, sizeof SEQ5);
    assert_int_equal(next(text, &pos, "CERTIFICATE", label, der, sizeof der, &n), 1);
    assert_string_equal(label, "CERTIFICATE");
    assert_int_equal(n, 51);
    for (size_t i = 0; i < 48; i++)
        assert_int_equal(der[i], i);
    assert_int_equal(der[48], 0);
    assert_int_equal(der[50], 2);
    assert_int_equal(next(text, &pos, "CERTIFICATE", NULL, der, sizeof der, &n), 0);

    /* Any label: the key first. */
    pos = 0;
    assert_int_equal(next(text, &pos, NULL, label, der, sizeof der, &n), 1);
    assert_string_equal(label, "PRIVATE KEY");
    assert_int_equal(n, 3);
    assert_int_equal(next(text, &pos, NULL, label, der, sizeof der, &n), 1);
    assert_string_equal(label, "CERTIFICATE");
    assert_int_equal(next(text, &pos, NULL, label, der, sizeof der, &n), 1);
    assert_int_equal(next(text, &pos, NULL, label, der, sizeof der, &n), 0);

    /* Only a label nobody has. */
    pos = 0;
    assert_int_equal(next(text, &pos, "EC PRIVATE KEY", NULL, der, sizeof der, &n), 0);
    pos = 0;
    assert_int_equal(next("", &pos, NULL, NULL, der, sizeof der, &n), 0);
    pos = 0;
    assert_int_equal(next("no pem here\n", &pos, NULL, NULL, der, sizeof der, &n), 0);
}

static void bad(const char *text, int status, const char *fragment)
{
    uint8_t der[64];
    size_t pos = 0, n;
    int rc = next(text, &pos, "CERTIFICATE", NULL, der, sizeof der, &n);
    if (rc != -1) fail_msg("accepted (%d): %s", rc, text);
    assert_int_equal(pos, 0);
    expect_error(status, fragment);
}

static void test_malformed(void **state)
{
    (void)state;
    bad("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n", ACME_ETEMP, "no END line");
    bad("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE---\n", ACME_ETEMP,
        "does not end in");
    bad("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END X509 CRL-----\n", ACME_ETEMP,
        "ended by END");
    bad("-----BEGIN CERTIFICATE-----\nMAMC*QU=\n-----END CERTIFICATE-----\n", ACME_ETEMP, "base64");
    bad("-----BEGIN CERTIFICATE-----\nMAMCAQU\n-----END CERTIFICATE-----\n", ACME_ETEMP, "base64");
    bad("-----BEGIN CERTIFICATE-----\nMAMCAQU=MAMC\n-----END CERTIFICATE-----\n", ACME_ETEMP,
        "base64");
    bad("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n", ACME_ETEMP, "empty");
    bad("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nMAMCAQU=\n"
        "-----END CERTIFICATE-----\n",
        ACME_ETEMP, "encapsulated headers");
    bad("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----BEGIN CERTIFICATE-----\n", ACME_ETEMP,
        "unexpected");
    bad("-----BEGIN CERTIFICATE\nMAMCAQU=\n-----END CERTIFICATE-----\n", ACME_ETEMP,
        "does not end in");
    bad("-----BEGIN -----\nMAMCAQU=\n-----END -----\n", ACME_ETEMP, "empty label");
    bad("-----BEGIN "
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-----"
        "\n",
        ACME_ETEMP, "PEM_LABEL_MAX");
    /* DER larger than the caller's buffer: a limit, named as such. */
    bad("-----BEGIN CERTIFICATE-----\n" LINE48 "\n" LINE48 "\n-----END CERTIFICATE-----\n",
        ACME_ELOCAL, "64-byte buffer");
}

static void test_padding_at_chunk_boundary(void **state)
{
    (void)state;
    /* 252 characters, then "AQ==" ends the first 256-character decoding chunk; anything after
     * that padding must be rejected even though each chunk alone is valid base64. */
    static char text[1024];
    static uint8_t der[512];
    size_t pos = 0, n, len;

    strcpy(text, "-----BEGIN CERTIFICATE-----\n");
    for (int i = 0; i < 63; i++)
        strcat(text, "AAAA");
    strcat(text, "AQ==\n");
    len = strlen(text);
    strcat(text, "-----END CERTIFICATE-----\n");
    assert_int_equal(next(text, &pos, "CERTIFICATE", NULL, der, sizeof der, &n), 1);
    assert_int_equal(n, 63 * 3 + 1);
    assert_int_equal(der[n - 1], 1);

    text[len] = '\0';
    strcat(text, "AAAA\n-----END CERTIFICATE-----\n");
    pos = 0;
    assert_int_equal(next(text, &pos, "CERTIFICATE", NULL, der, sizeof der, &n), -1);
    expect_error(ACME_ETEMP, "after the padding");
}

static void test_write_format(void **state)
{
    (void)state;
    static uint8_t data[100];
    static char mem[512];
    struct buf b;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    buf_init(&b, mem, sizeof mem);
    pem_write(&b, "CERTIFICATE", data, 48);
    assert_string_equal(buf_cstr(&b), "-----BEGIN CERTIFICATE-----\n" LINE48 "\n"
                                      "-----END CERTIFICATE-----\n");

    buf_init(&b, mem, sizeof mem);
    pem_write(&b, "EC PRIVATE KEY", SEQ5, sizeof SEQ5);
    assert_string_equal(buf_cstr(&b),
                        "-----BEGIN EC PRIVATE KEY-----\nMAMCAQU=\n-----END EC PRIVATE KEY-----\n");

    /* Every line of a longer block is at most 64 columns, all but the last exactly 64. */
    buf_init(&b, mem, sizeof mem);
    pem_write(&b, "X", data, sizeof data);
    const char *s = buf_cstr(&b), *nl;
    assert_non_null(s);
    s = strchr(s, '\n') + 1;
    assert_int_equal(strchr(s, '\n') - s, 64);
    s = strchr(s, '\n') + 1;
    assert_int_equal(strchr(s, '\n') - s, 64);
    s = strchr(s, '\n') + 1;
    nl = strchr(s, '\n');
    assert_int_equal(nl - s, 8); /* 4 bytes left */
    assert_string_equal(nl + 1, "-----END X-----\n");

    buf_init(&b, mem, 40);
    pem_write(&b, "CERTIFICATE", data, sizeof data);
    assert_true(b.overflow);
    assert_int_equal(buf_check(&b, "PEM"), -1);
}

static void test_write_read_round_trip(void **state)
{
    (void)state;
    static uint8_t data[700], der[700];
    static char mem[2048];
    struct buf b;
    size_t pos, n, len;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 131 + 7);
    for (len = 1; len <= sizeof data; len += len < 100 ? 1 : 37) {
        buf_init(&b, mem, sizeof mem);
        buf_puts(&b, "junk before\n");
        pem_write(&b, "CERTIFICATE", data, len);
        pem_write(&b, "CERTIFICATE", data + 1, len - 1 > 0 ? len - 1 : 1);
        assert_int_equal(buf_check(&b, "PEM"), 0);
        pos = 0;
        assert_int_equal(
            pem_next((const char *)b.p, b.len, &pos, "CERTIFICATE", NULL, der, sizeof der, &n), 1);
        assert_int_equal(n, len);
        assert_memory_equal(der, data, len);
        assert_int_equal(
            pem_next((const char *)b.p, b.len, &pos, "CERTIFICATE", NULL, der, sizeof der, &n), 1);
        assert_int_equal(
            pem_next((const char *)b.p, b.len, &pos, "CERTIFICATE", NULL, der, sizeof der, &n), 0);
        assert_int_equal(pos, b.len);
        /* Exactly-sized and one-short output buffers. */
        pos = 0;
        assert_int_equal(
            pem_next((const char *)b.p, b.len, &pos, "CERTIFICATE", NULL, der, len, &n), 1);
        pos = 0;
        assert_int_equal(
            pem_next((const char *)b.p, b.len, &pos, "CERTIFICATE", NULL, der, len - 1, &n), -1);
        assert_int_equal(err_status(), ACME_ELOCAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_block_lf_and_crlf),
        cmocka_unit_test(test_text_around_and_other_labels),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_padding_at_chunk_boundary),
        cmocka_unit_test(test_write_format),
        cmocka_unit_test(test_write_read_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
