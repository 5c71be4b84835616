/* Unit tests: core/x509.c on two certificates made once with openssl (a CA and a leaf it
 * signed), and on certificates built here with the DER writer for the cases openssl will not
 * make (v1, string types, IPv6 forms, malformed fields). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "der.h"
#include "err.h"
#include "pem.h"
#include "x509.h"
#include "crypto.h"

/* openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=acme.c test CA"
 *   -days 3650 */
static const char CA_PEM[] = "-----BEGIN CERTIFICATE-----\n"
                             "MIIBhzCCAS2gAwIBAgIUEQYCi1rScz7h7JWWjudNfD6Zu2UwCgYIKoZIzj0EAwIw\n"
                             "GTEXMBUGA1UEAwwOYWNtZS5jIHRlc3QgQ0EwHhcNMjYxMTIyMTgzNTI2WhcNMzYx\n"
                             "MTE5MTgzNTI2WjAZMRcwFQYDVQQDDA5hY21lLmMgdGVzdCBDQTBZMBMGByqGSM49\n"
                             "AgEGCCqGSM49AwEHA0IABP+/m41fntPyCWD+jUkCSdUFf72S4FiIDT3ciAqpm0qJ\n"
                             "RQe85z7iIf2Mgnwf5zzltD5uFSJ34a6Xa/tIyzC5yK6jUzBRMB0GA1UdDgQWBBR7\n"
                             "CDP16Uf774LdpkOwHaem9ETmqjAfBgNVHSMEGDAWgBR7CDP16Uf774LdpkOwHaem\n"
                             "9ETmqjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIFqbK8t+9Yht\n"
                             "iDcuzNf+gkUIMI5efA6BeVv0xpsdxkQBAiEAtvykHOwuJ8n+QMvD/0jxuCKFtMY1\n"
                             "NiR9TerMzZBEXO4=\n"
                             "-----END CERTIFICATE-----\n";

/* openssl ca -startdate 20240229120000Z -enddate 20500101000000Z with serial 00C0FFEE,
 * subject /CN=leaf.example/O=acme.c and the extensions
 *   subjectAltName = DNS:leaf.example,DNS:*.Wild.example,email:x@leaf.example,
 *                    IP:192.0.2.1,IP:2001:db8::1
 *   authorityKeyIdentifier = keyid, subjectKeyIdentifier = hash,
 *   basicConstraints = critical,CA:FALSE */
static const char LEAF_PEM[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIIB2DCCAX6gAwIBAgIEAMD/7jAKBggqhkjOPQQDAjAZMRcwFQYDVQQDDA5hY21l\n"
                               "LmMgdGVzdCBDQTAgFw0yNDAyMjkxMjAwMDBaGA8yMDUwMDEwMTAwMDAwMFowKDEV\n"
                               "MBMGA1UEAwwMbGVhZi5leGFtcGxlMQ8wDQYDVQQKDAZhY21lLmMwWTATBgcqhkjO\n"
                               "PQIBBggqhkjOPQMBBwNCAAQHVLm1Exwq4MXLQgyhVUr4XKG5s/0Vkl8ngZuyut1k\n"
                               "QlsdV2lWSpGZZmQQLtB8UWKWa2N+XV4SmVRefhQQ1fUqo4GiMIGfME8GA1UdEQRI\n"
                               "MEaCDGxlYWYuZXhhbXBsZYIOKi5XaWxkLmV4YW1wbGWBDnhAbGVhZi5leGFtcGxl\n"
                               "hwTAAAIBhxAgAQ24AAAAAAAAAAAAAAABMB8GA1UdIwQYMBaAFHsIM/XpR/vvgt2m\n"
                               "Q7Adp6b0ROaqMB0GA1UdDgQWBBTvgeEG+W/BxFFFByB4FuqreZTIhzAMBgNVHRMB\n"
                               "Af8EAjAAMAoGCCqGSM49BAMCA0gAMEUCIQCc9eqkoyn4VnrMmo8KES+X1+FAIdFH\n"
                               "WRncj166JofGrwIgERr91cdg0+YGmV88XUtoTfBttNGc63sUsoSEsgP/lwQ=\n"
                               "-----END CERTIFICATE-----\n";

static const uint8_t CA_KEYID[] = {0x7B, 0x08, 0x33, 0xF5, 0xE9, 0x47, 0xFB, 0xEF, 0x82, 0xDD,
                                   0xA6, 0x43, 0xB0, 0x1D, 0xA7, 0xA6, 0xF4, 0x44, 0xE6, 0xAA};
static const uint8_t LEAF_SKI[] = {0xEF, 0x81, 0xE1, 0x06, 0xF9, 0x6F, 0xC1, 0xC4, 0x51, 0x45,
                                   0x07, 0x20, 0x78, 0x16, 0xEA, 0xAB, 0x79, 0x94, 0xC8, 0x87};
static const uint8_t CA_SERIAL[] = {0x11, 0x06, 0x02, 0x8B, 0x5A, 0xD2, 0x73, 0x3E, 0xE1, 0xEC,
                                    0x95, 0x96, 0x8E, 0xE7, 0x4D, 0x7C, 0x3E, 0x99, 0xBB, 0x65};

static uint8_t ca_der[1024], leaf_der[1024];
static size_t ca_len, leaf_len;

static int setup(void **state)
{
    size_t pos = 0;
    (void)state;
    if (pem_next(CA_PEM, sizeof CA_PEM - 1, &pos, "CERTIFICATE", NULL, ca_der, sizeof ca_der,
                 &ca_len) != 1)
        return -1;
    pos = 0;
    if (pem_next(LEAF_PEM, sizeof LEAF_PEM - 1, &pos, "CERTIFICATE", NULL, leaf_der,
                 sizeof leaf_der, &leaf_len) != 1)
        return -1;
    return 0;
}

static void expect_error(const char *fragment)
{
    assert_int_equal(err_status(), ACME_ETEMP);
    if (strstr(err_msg(), fragment) == NULL)
        fail_msg("error '%s' does not mention '%s'", err_msg(), fragment);
}

static int within(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
    return p >= base && p + n <= base + len;
}

static void test_leaf_fields(void **state)
{
    (void)state;
    struct x509_info c;
    static const uint8_t serial[] = {0xc0, 0xff, 0xee};

    assert_int_equal(leaf_len, 476);
    assert_int_equal(x509_parse(leaf_der, leaf_len, &c), 0);
    assert_true(c.not_before == 1709208000); /* 2024-02-29 12:00:00, UTCTime */
    assert_true(c.not_after == 2524608000);  /* 2050-01-01, GeneralizedTime */
    assert_int_equal(c.serial_len, 3);
    assert_memory_equal(c.serial, serial, 3);
    assert_int_equal(c.aki_len, sizeof CA_KEYID);
    assert_memory_equal(c.aki, CA_KEYID, sizeof CA_KEYID);
    assert_int_equal(c.ski_len, sizeof LEAF_SKI);
    assert_memory_equal(c.ski, LEAF_SKI, sizeof LEAF_SKI);
    assert_string_equal(c.issuer_cn, "acme.c test CA");
    assert_string_equal(c.subject_cn, "leaf.example");
    assert_int_equal(c.is_ca, 0);
    assert_true(within(c.spki, c.spki_len, leaf_der, leaf_len));
    assert_int_equal(c.spki[0], 0x30);
    assert_int_equal(c.spki_len, 91); /* P-256 SPKI */
    assert_true(within(c.issuer_name, c.issuer_name_len, leaf_der, leaf_len));
    assert_true(within(c.subject_name, c.subject_name_len, leaf_der, leaf_len));
    assert_int_equal(c.subject_name_len, 42);
    assert_true(within(c.san, c.san_len, leaf_der, leaf_len));
    assert_int_equal(c.san_len, 70);
}

static void test_ca_fields_and_chain(void **state)
{
    (void)state;
    struct x509_info ca, leaf;

    assert_int_equal(x509_parse(ca_der, ca_len, &ca), 0);
    assert_int_equal(x509_parse(leaf_der, leaf_len, &leaf), 0);
    assert_true(ca.not_before == 1795372526);
    assert_true(ca.not_after == 2110732526);
    assert_int_equal(ca.serial_len, sizeof CA_SERIAL);
    assert_memory_equal(ca.serial, CA_SERIAL, sizeof CA_SERIAL);
    assert_int_equal(ca.is_ca, 1);
    assert_int_equal(ca.ski_len, sizeof CA_KEYID);
    assert_memory_equal(ca.ski, CA_KEYID, sizeof CA_KEYID);
    assert_memory_equal(ca.aki, CA_KEYID, sizeof CA_KEYID);
    assert_string_equal(ca.subject_cn, "acme.c test CA");
    assert_int_equal(ca.san_len, 0);
    assert_null(ca.san);
    /* The leaf's issuer Name is byte for byte the CA's subject Name. */
    assert_int_equal(leaf.issuer_name_len, ca.subject_name_len);
    assert_memory_equal(leaf.issuer_name, ca.subject_name, ca.subject_name_len);
    assert_int_equal(ca.issuer_name_len, ca.subject_name_len);

    size_t pos = 0;
    int kind;
    char name[64];
    assert_int_equal(x509_san_next(&ca, &pos, &kind, name, sizeof name), 0);
    assert_int_equal(x509_has_name(&ca, "acme.c test CA"), 0);
}

static void test_leaf_san(void **state)
{
    (void)state;
    struct x509_info c;
    size_t pos = 0;
    int kind;
    char name[64];
    static const char *want[] = {"leaf.example", "*.Wild.example", "192.0.2.1", "2001:db8::1"};
    static const int kinds[] = {X509_SAN_DNS, X509_SAN_DNS, X509_SAN_IP, X509_SAN_IP};

    assert_int_equal(x509_parse(leaf_der, leaf_len, &c), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(x509_san_next(&c, &pos, &kind, name, sizeof name), 1);
        assert_int_equal(kind, kinds[i]);
        assert_string_equal(name, want[i]);
    }
    assert_int_equal(x509_san_next(&c, &pos, &kind, name, sizeof name), 0); /* email skipped */
    assert_int_equal(x509_san_next(&c, &pos, &kind, name, sizeof name), 0);

    /* A buffer one byte short for "leaf.example". */
    pos = 0;
    assert_int_equal(x509_san_next(&c, &pos, &kind, name, 12), -1);
    expect_error("longer than");
    pos = 0;
    assert_int_equal(x509_san_next(&c, &pos, &kind, name, 13), 1);

    assert_int_equal(x509_has_name(&c, "leaf.example"), 1);
    assert_int_equal(x509_has_name(&c, "LEAF.Example"), 1);
    assert_int_equal(x509_has_name(&c, "*.wild.example"), 1);
    assert_int_equal(x509_has_name(&c, "x.wild.example"), 0);
    assert_int_equal(x509_has_name(&c, "leaf.example."), 0);
    assert_int_equal(x509_has_name(&c, "leaf.exampl"), 0);
    assert_int_equal(x509_has_name(&c, "x@leaf.example"), 0);
    assert_int_equal(x509_has_name(&c, "192.0.2.1"), 1);
    assert_int_equal(x509_has_name(&c, "192.0.2.01"), 0);
    assert_int_equal(x509_has_name(&c, "192.0.2.2"), 0);
    assert_int_equal(x509_has_name(&c, "2001:DB8:0:0::1"), 1);
    assert_int_equal(x509_has_name(&c, "2001:db8:0:0:0:0:0:1"), 1);
    assert_int_equal(x509_has_name(&c, "2001:db8::2"), 0);
    assert_int_equal(x509_has_name(&c, "::ffff:192.0.2.1"), 0); /* v4-mapped is not v4 */
    assert_int_equal(x509_has_name(&c, ""), 0);
}

static void test_truncated_and_trailing(void **state)
{
    (void)state;
    struct x509_info c;
    static uint8_t buf[1025];

    for (size_t n = 0; n < leaf_len; n++)
        if (x509_parse(leaf_der, n, &c) == 0) fail_msg("%zu-byte prefix accepted", n);
    memcpy(buf, leaf_der, leaf_len);
    buf[leaf_len] = 0;
    assert_int_equal(x509_parse(buf, leaf_len + 1, &c), -1);
    expect_error("X.509");
    /* One flipped length byte anywhere must never crash and usually fails. */
    for (size_t i = 0; i < leaf_len; i++) {
        memcpy(buf, leaf_der, leaf_len);
        buf[i] ^= 0x01;
        (void)x509_parse(buf, leaf_len, &c);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Certificates built with the DER writer. */

struct spec {
    int version; /* -1: field omitted (v1) */
    const uint8_t *serial;
    size_t serial_len;
    uint8_t cn_tag;
    const void *cn;
    size_t cn_len;
    uint8_t nb_tag, na_tag;
    const char *nb, *na;
    const uint8_t *exts; /* Extension TLVs, or NULL for no [3] */
    size_t exts_len;
};

static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};
static const uint8_t OID_ECDSA_SHA256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t OID_SAN[] = {0x55, 0x1d, 0x11};
static const uint8_t OID_AKI[] = {0x55, 0x1d, 0x23};
static const uint8_t OID_SKI[] = {0x55, 0x1d, 0x0e};
static const uint8_t OID_BC[] = {0x55, 0x1d, 0x13};

static void name(struct der_writer *w, const struct spec *s)
{
    derw_begin(w, DER_SEQUENCE);
    derw_begin(w, DER_SET);
    derw_begin(w, DER_SEQUENCE);
    derw_oid(w, OID_CN, sizeof OID_CN);
    derw_tlv(w, s->cn_tag, s->cn, s->cn_len);
    derw_end(w);
    derw_end(w);
    derw_end(w);
}

static size_t build(uint8_t *out, size_t cap, const struct spec *s)
{
    struct der_writer w;
    size_t len;
    static const uint8_t one = 1;

    derw_init(&w, out, cap);
    derw_begin(&w, DER_SEQUENCE);
    derw_begin(&w, DER_SEQUENCE);
    if (s->version >= 0) {
        derw_begin(&w, DER_CTX_CONS(0));
        derw_small_int(&w, s->version);
        derw_end(&w);
    }
    derw_tlv(&w, DER_INTEGER, s->serial ? s->serial : &one, s->serial ? s->serial_len : 1);
    derw_begin(&w, DER_SEQUENCE);
    derw_oid(&w, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256);
    derw_end(&w);
    name(&w, s);
    derw_begin(&w, DER_SEQUENCE);
    derw_tlv(&w, s->nb_tag ? s->nb_tag : DER_UTCTIME, s->nb ? s->nb : "240101000000Z",
             strlen(s->nb ? s->nb : "240101000000Z"));
    derw_tlv(&w, s->na_tag ? s->na_tag : DER_GENERALIZEDTIME, s->na ? s->na : "20991231235959Z",
             strlen(s->na ? s->na : "20991231235959Z"));
    derw_end(&w);
    name(&w, s);
    derw_begin(&w, DER_SEQUENCE); /* a stand-in SubjectPublicKeyInfo */
    derw_begin(&w, DER_SEQUENCE);
    derw_oid(&w, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256);
    derw_end(&w);
    derw_tlv(&w, DER_BIT_STRING, "\x00\x04", 2);
    derw_end(&w);
    if (s->exts != NULL) {
        derw_begin(&w, DER_CTX_CONS(3));
        derw_begin(&w, DER_SEQUENCE);
        derw_raw(&w, s->exts, s->exts_len);
        derw_end(&w);
        derw_end(&w);
    }
    derw_end(&w);
    derw_begin(&w, DER_SEQUENCE);
    derw_oid(&w, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256);
    derw_end(&w);
    derw_tlv(&w, DER_BIT_STRING, "\x00\x30\x00", 3);
    derw_end(&w);
    assert_int_equal(derw_finish(&w, &len), 0);
    return len;
}

static void spec_default(struct spec *s)
{
    memset(s, 0, sizeof *s);
    s->version = 2;
    s->cn_tag = DER_UTF8STRING;
    s->cn = "x";
    s->cn_len = 1;
}

/* Extension { oid, [critical], OCTET STRING { value } } appended to w. */
static void ext(struct der_writer *w, const uint8_t *oid, size_t oidlen, const void *val, size_t n)
{
    derw_begin(w, DER_SEQUENCE);
    derw_oid(w, oid, oidlen);
    derw_tlv(w, DER_OCTET_STRING, val, n);
    derw_end(w);
}

/* A SAN extension value (GeneralNames) from raw GeneralName TLVs. */
static size_t san_ext(uint8_t *out, size_t cap, const uint8_t *names, size_t n)
{
    uint8_t val[512];
    struct der_writer w;
    size_t len, vlen;

    derw_init(&w, val, sizeof val);
    derw_tlv(&w, DER_SEQUENCE, names, n);
    assert_int_equal(derw_finish(&w, &vlen), 0);
    derw_init(&w, out, cap);
    ext(&w, OID_SAN, sizeof OID_SAN, val, vlen);
    assert_int_equal(derw_finish(&w, &len), 0);
    return len;
}

static void test_v1_without_extensions(void **state)
{
    (void)state;
    struct spec s;
    struct x509_info c;
    static uint8_t der[512];
    size_t n;

    spec_default(&s);
    s.version = -1;
    s.nb_tag = DER_GENERALIZEDTIME;
    s.nb = "19491231235959Z";
    s.na_tag = DER_UTCTIME;
    s.na = "491231235959Z";
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), 0);
    assert_true(c.not_before == -631152001);
    assert_true(c.not_after == 2524607999);
    assert_int_equal(c.aki_len, 0);
    assert_int_equal(c.ski_len, 0);
    assert_int_equal(c.san_len, 0);
    assert_int_equal(c.is_ca, 0);
    assert_string_equal(c.subject_cn, "x");
    assert_int_equal(x509_has_name(&c, "x"), 0);

    s.version = 0; /* explicit v1 */
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), 0);
    s.version = 3;
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), -1);
    expect_error("version");
}

static void cn_case(uint8_t tag, const void *val, size_t n, const char *want)
{
    struct spec s;
    struct x509_info c;
    static uint8_t der[1024];
    size_t len;

    spec_default(&s);
    s.cn_tag = tag;
    s.cn = val;
    s.cn_len = n;
    len = build(der, sizeof der, &s);
    if (want == NULL) {
        assert_int_equal(x509_parse(der, len, &c), -1);
        return;
    }
    if (x509_parse(der, len, &c) != 0) fail_msg("CN tag 0x%02x rejected: %s", tag, err_msg());
    assert_string_equal(c.subject_cn, want);
    assert_string_equal(c.issuer_cn, want);
}

static void test_cn_string_types(void **state)
{
    (void)state;
    static char longcn[300];

    cn_case(DER_PRINTABLESTRING, "Example CA 1", 12, "Example CA 1");
    cn_case(DER_IA5STRING, "ia5.example", 11, "ia5.example");
    cn_case(DER_UTF8STRING, "K\xc3\xb6ln", 5, "K\xc3\xb6ln");
    cn_case(0x14, "K\xf6ln", 4, "K\xc3\xb6ln");                         /* T61 as Latin-1 */
    cn_case(0x1e, "\x00K\x00\xf6\x20\xac", 6, "K\xc3\xb6\xe2\x82\xac"); /* BMP: Kö€ */
    cn_case(0x1c, "\x00\x01\xf6\x00", 4, "\xf0\x9f\x98\x80");           /* Universal: U+1F600 */
    cn_case(0x1e, "\x00K\x00", 3, NULL);                                /* odd BMP length */
    cn_case(0x1e, "\xd8\x00", 2, NULL);                                 /* lone surrogate */
    cn_case(DER_UTF8STRING, "a\0b", 3, NULL);                           /* NUL */
    cn_case(DER_OCTET_STRING, "abc", 3, "");                            /* unknown type */
    memset(longcn, 'a', sizeof longcn);
    cn_case(DER_UTF8STRING, longcn, sizeof longcn, NULL);
    expect_error("X509_CN_MAX");
    cn_case(0x1e, "\x00\xf6\x00\xf6", 4, "\xc3\xb6\xc3\xb6");
}

static void test_cn_longest(void **state)
{
    (void)state;
    static char longcn[X509_CN_MAX], want[X509_CN_MAX];
    memset(longcn, 'b', sizeof longcn);
    memcpy(want, longcn, X509_CN_MAX - 1);
    want[X509_CN_MAX - 1] = '\0';
    cn_case(DER_UTF8STRING, longcn, X509_CN_MAX - 1, want);
    cn_case(DER_UTF8STRING, longcn, X509_CN_MAX, NULL);
}

static void san_case(const uint8_t *names, size_t n, const char *const *want, int count)
{
    struct spec s;
    struct x509_info c;
    static uint8_t der[2048], exts[1024];
    size_t len, pos = 0;
    int kind;
    char out[64];

    spec_default(&s);
    s.exts = exts;
    s.exts_len = san_ext(exts, sizeof exts, names, n);
    len = build(der, sizeof der, &s);
    if (count < 0) {
        if (x509_parse(der, len, &c) == 0)
            assert_int_equal(x509_san_next(&c, &pos, &kind, out, sizeof out), -1);
        return;
    }
    assert_int_equal(x509_parse(der, len, &c), 0);
    for (int i = 0; i < count; i++) {
        if (x509_san_next(&c, &pos, &kind, out, sizeof out) != 1)
            fail_msg("name %d missing: %s", i, err_msg());
        assert_string_equal(out, want[i]);
        assert_int_equal(x509_has_name(&c, out), 1);
    }
    assert_int_equal(x509_san_next(&c, &pos, &kind, out, sizeof out), 0);
}

#define IP6(...) 0x87, 0x10, __VA_ARGS__

static void test_san_ipv6_rfc5952(void **state)
{
    (void)state;
    static const uint8_t names[] = {
        IP6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1),
        IP6(0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1),
        IP6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        IP6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
        IP6(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        IP6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1),
        IP6(0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd, 0x00, 0x12, 0x0f, 0xff, 0xf0, 0x00, 0, 0, 0, 0),
        IP6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 33),
        IP6(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0xab, 0xcd),
        0x87,
        0x04,
        10,
        0,
        0,
        255,
        0x81,
        0x03,
        'a',
        '@',
        'b', /* rfc822Name: skipped */
        0xa4,
        0x02,
        0x30,
        0x00, /* directoryName: skipped */
        0x82,
        0x03,
        'A',
        '.',
        'b',
    };
    static const char *const want[] = {
        "2001:db8::1:0:0:1",
        "2001:0:0:1::1",
        "::",
        "::1",
        "1::",
        "2001:db8:0:1:1:1:1:1",
        "2001:db8:abcd:12:fff:f000::",
        "::ffff:c000:221",
        "fe80::1234:0:0:abcd",
        "10.0.0.255",
        "A.b",
    };
    san_case(names, sizeof names, want, 11);
}

static void test_san_malformed(void **state)
{
    (void)state;
    static const uint8_t ip5[] = {0x87, 0x05, 1, 2, 3, 4, 5};
    static const uint8_t ip8[] = {0x87, 0x08, 1, 2, 3, 4, 255, 255, 255, 0}; /* constraint form */
    static const uint8_t dns_nul[] = {0x82, 0x03, 'a', 0, 'b'};
    static const uint8_t dns_empty[] = {0x82, 0x00};
    static const uint8_t truncated[] = {0x82, 0x05, 'a'};
    static const uint8_t long_dns[] = {
        0x82, 0x40, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
        'a',  'a',  'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
        'a',  'a',  'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
        'a',  'a',  'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'};
    san_case(ip5, sizeof ip5, NULL, -1);
    san_case(ip8, sizeof ip8, NULL, -1);
    san_case(dns_nul, sizeof dns_nul, NULL, -1);
    san_case(dns_empty, sizeof dns_empty, NULL, -1);
    san_case(truncated, sizeof truncated, NULL, -1);
    san_case(long_dns, sizeof long_dns, NULL, -1); /* 64 bytes into a 64-byte buffer */
    expect_error("longer than");
}

/* Builds a certificate with these extension TLVs and parses it. */
static int parse_with_exts(const uint8_t *exts, size_t n, struct x509_info *c)
{
    struct spec s;
    static uint8_t der[2048];
    spec_default(&s);
    s.exts = exts;
    s.exts_len = n;
    return x509_parse(der, build(der, sizeof der, &s), c);
}

static void test_extensions(void **state)
{
    (void)state;
    static uint8_t exts[1024], val[256];
    static const uint8_t names[] = {0x82, 0x01, 'a'};
    struct der_writer w, v;
    struct x509_info c;
    size_t len, vlen;

    /* basicConstraints cA TRUE with a pathLen, AKI with issuer and serial too, critical flag. */
    derw_init(&w, exts, sizeof exts);
    derw_init(&v, val, sizeof val);
    derw_begin(&v, DER_SEQUENCE);
    derw_bool(&v, 1);
    derw_small_int(&v, 0);
    derw_end(&v);
    assert_int_equal(derw_finish(&v, &vlen), 0);
    derw_begin(&w, DER_SEQUENCE);
    derw_oid(&w, OID_BC, sizeof OID_BC);
    derw_bool(&w, 1);
    derw_tlv(&w, DER_OCTET_STRING, val, vlen);
    derw_end(&w);
    derw_init(&v, val, sizeof val);
    derw_begin(&v, DER_SEQUENCE);
    derw_tlv(&v, DER_CTX(0), "\x01\x02\x03", 3);
    derw_begin(&v, DER_CTX_CONS(1));
    derw_end(&v);
    derw_tlv(&v, DER_CTX(2), "\x05", 1);
    derw_end(&v);
    assert_int_equal(derw_finish(&v, &vlen), 0);
    ext(&w, OID_AKI, sizeof OID_AKI, val, vlen);
    ext(&w, (const uint8_t *)"\x2b\x06\x01", 3, "\x05\x00", 2); /* unknown: ignored */
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), 0);
    assert_int_equal(c.is_ca, 1);
    assert_int_equal(c.aki_len, 3);
    assert_memory_equal(c.aki, "\x01\x02\x03", 3);

    /* AKI without keyIdentifier: absent. */
    derw_init(&w, exts, sizeof exts);
    ext(&w, OID_AKI, sizeof OID_AKI, "\x30\x03\x82\x01\x05", 5);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), 0);
    assert_int_equal(c.aki_len, 0);

    /* SKI of 65 bytes: over X509_KEYID_MAX. */
    memset(val, 0x11, sizeof val);
    val[0] = DER_OCTET_STRING;
    val[1] = X509_KEYID_MAX + 1;
    derw_init(&w, exts, sizeof exts);
    ext(&w, OID_SKI, sizeof OID_SKI, val, 2 + X509_KEYID_MAX + 1);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), -1);
    expect_error("X509_KEYID_MAX");
    val[1] = X509_KEYID_MAX;
    derw_init(&w, exts, sizeof exts);
    ext(&w, OID_SKI, sizeof OID_SKI, val, 2 + X509_KEYID_MAX);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), 0);
    assert_int_equal(c.ski_len, X509_KEYID_MAX);

    /* Two SAN extensions. */
    len = san_ext(exts, sizeof exts, names, sizeof names);
    memcpy(exts + len, exts, len);
    assert_int_equal(parse_with_exts(exts, 2 * len, &c), -1);
    expect_error("two subjectAltName");

    /* SAN value with trailing data inside the OCTET STRING. */
    derw_init(&w, exts, sizeof exts);
    ext(&w, OID_SAN, sizeof OID_SAN, "\x30\x03\x82\x01\x61\x00", 6);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), -1);

    /* basicConstraints with data after pathLenConstraint, or after its SEQUENCE. */
    derw_init(&w, exts, sizeof exts);
    ext(&w, OID_BC, sizeof OID_BC, "\x30\x08\x01\x01\xff\x02\x01\x00\x05\x00", 10);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), -1);
    expect_error("basicConstraints");
    derw_init(&w, exts, sizeof exts);
    ext(&w, OID_BC, sizeof OID_BC, "\x30\x03\x01\x01\xff\x00", 6);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), -1);
    /* A constructed BOOLEAN is not cA. */
    derw_init(&w, exts, sizeof exts);
    ext(&w, OID_BC, sizeof OID_BC, "\x30\x03\x21\x01\xff", 5);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), -1);
    /* basicConstraints without cA. */
    derw_init(&w, exts, sizeof exts);
    ext(&w, OID_BC, sizeof OID_BC, "\x30\x00", 2);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), 0);
    assert_int_equal(c.is_ca, 0);

    /* An extension without its OCTET STRING. */
    derw_init(&w, exts, sizeof exts);
    derw_begin(&w, DER_SEQUENCE);
    derw_oid(&w, OID_SAN, sizeof OID_SAN);
    derw_end(&w);
    assert_int_equal(derw_finish(&w, &len), 0);
    assert_int_equal(parse_with_exts(exts, len, &c), -1);
}

static void test_serials_and_times(void **state)
{
    (void)state;
    struct spec s;
    struct x509_info c;
    static uint8_t der[1024], serial[40];
    size_t n;

    spec_default(&s);
    memset(serial, 0xab, sizeof serial);
    serial[0] = 0x00; /* sign byte, then 32 bytes */
    s.serial = serial;
    s.serial_len = 1 + X509_SERIAL_MAX;
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), 0);
    assert_int_equal(c.serial_len, X509_SERIAL_MAX);
    assert_int_equal(c.serial[0], 0xab);
    s.serial_len = 2 + X509_SERIAL_MAX;
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), -1);
    expect_error("X509_SERIAL_MAX");
    s.serial = (const uint8_t *)"\xff\x01";
    s.serial_len = 2;
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), -1);
    expect_error("negative");

    spec_default(&s);
    s.nb = "240230000000Z";
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), -1);
    expect_error("notBefore");
    spec_default(&s);
    s.na_tag = DER_OCTET_STRING;
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), -1);
    expect_error("notAfter");
    spec_default(&s);
    s.na = "99991231235959Z";
    n = build(der, sizeof der, &s);
    assert_int_equal(x509_parse(der, n, &c), 0);
    assert_true(c.not_after == 253402300799);
}

/* The outer signatureAlgorithm must start with an OID, the signature be whole bytes. */
static void test_signature_fields(void **state)
{
    (void)state;
    static uint8_t buf[1024];
    struct der_reader r, cert;
    struct der_tlv c, tbs, alg, sig;
    struct x509_info x;
    size_t n = leaf_len;

    memcpy(buf, leaf_der, n);
    der_init(&r, buf, n);
    assert_int_equal(der_expect(&r, DER_SEQUENCE, &c), 0);
    der_enter(&c, &cert);
    assert_int_equal(der_expect(&cert, DER_SEQUENCE, &tbs), 0);
    assert_int_equal(der_expect(&cert, DER_SEQUENCE, &alg), 0);
    assert_int_equal(der_expect(&cert, DER_BIT_STRING, &sig), 0);
    assert_int_equal(x509_parse(buf, n, &x), 0);
    buf[alg.val - buf] = DER_NULL; /* the OID's tag */
    assert_int_equal(x509_parse(buf, n, &x), -1);
    expect_error("signatureAlgorithm");
    buf[alg.val - buf] = DER_OID;
    buf[sig.val - buf] = 1; /* one unused bit */
    assert_int_equal(x509_parse(buf, n, &x), -1);
    expect_error("signatureValue");
}

/* x509_spki_key(): EC on the three curves, RSA, and keys it does not know. */
static void test_spki_key(void **state)
{
    (void)state;
    /* SEQUENCE { SEQUENCE { id-ecPublicKey, curve }, BIT STRING { 0, 04 01 02 } } */
    static const uint8_t ec[] = {0x30, 0x1b, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
                                 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                 0x03, 0x01, 0x07, 0x03, 0x04, 0x00, 0x04, 0x01, 0x02};
    static const uint8_t p384[] = {0x30, 0x18, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                   0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04,
                                   0x00, 0x22, 0x03, 0x04, 0x00, 0x04, 0x01, 0x02};
    /* rsaEncryption, NULL; RSAPublicKey { 00 c3, 01 00 01 } */
    static const uint8_t rsa[] = {0x30, 0x1c, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                  0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x0b, 0x00,
                                  0x30, 0x08, 0x02, 0x02, 0x00, 0xc3, 0x02, 0x02, 0x01, 0x00};
    uint8_t buf[64];
    struct x509_pubkey k;

    assert_int_equal(x509_spki_key(ec, sizeof ec, &k), 0);
    assert_int_equal(k.type, X509_KEY_EC);
    assert_int_equal(k.curve, KEY_EC256);
    assert_int_equal(k.q_len, 3);
    assert_memory_equal(k.q, "\x04\x01\x02", 3);
    assert_int_equal(x509_spki_key(p384, sizeof p384, &k), 0);
    assert_int_equal(k.curve, KEY_EC384);
    memcpy(buf, p384, sizeof p384);
    buf[19] = 0x23;
    assert_int_equal(x509_spki_key(buf, sizeof p384, &k), 0);
    assert_int_equal(k.curve, KEY_EC521);
    buf[19] = 0x0a; /* secp256k1: not supported, not an error */
    assert_int_equal(x509_spki_key(buf, sizeof p384, &k), 0);
    assert_int_equal(k.type, 0);
    assert_int_equal(x509_spki_key(rsa, sizeof rsa, &k), 0);
    assert_int_equal(k.type, X509_KEY_RSA);
    assert_int_equal(k.n_len, 1);
    assert_int_equal(k.n[0], 0xc3);
    assert_int_equal(k.e_len, 2);
    assert_memory_equal(k.e, "\x01\x00", 2);
    memcpy(buf, rsa, sizeof rsa);
    buf[25] = 0x83; /* a negative modulus */
    buf[24] = 0xff;
    assert_int_equal(x509_spki_key(buf, sizeof rsa, &k), -1);
    expect_error("RSA public key");
    memcpy(buf, rsa, sizeof rsa);
    buf[19] = 1; /* unused bits in the key */
    assert_int_equal(x509_spki_key(buf, sizeof rsa, &k), -1);
    assert_int_equal(x509_spki_key(rsa, sizeof rsa - 1, &k), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf_fields),
        cmocka_unit_test(test_signature_fields),
        cmocka_unit_test(test_spki_key),
        cmocka_unit_test(test_ca_fields_and_chain),
        cmocka_unit_test(test_leaf_san),
        cmocka_unit_test(test_truncated_and_trailing),
        cmocka_unit_test(test_v1_without_extensions),
        cmocka_unit_test(test_cn_string_types),
        cmocka_unit_test(test_cn_longest),
        cmocka_unit_test(test_san_ipv6_rfc5952),
        cmocka_unit_test(test_san_malformed),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_serials_and_times),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
