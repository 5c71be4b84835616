/* Unit tests: core/tls_hello.c, the TLS 1.2 wire format of the TLS-ALPN-01 responder. The
 * ClientHellos are built here field by field, like a current OpenSSL or Go client sends them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tls_hello.h"

/* What the built ClientHello contains; each test changes one thing. */
struct hello_opts {
    unsigned version;
    int with_suite, with_scsv, null_compression;
    const char *sni;       /* NULL: no server_name extension */
    const char *alpn;      /* names separated by ',', NULL: no ALPN extension */
    unsigned group;        /* listed with x25519; 0: no supported_groups */
    int point_format;      /* -1: no ec_point_formats */
    unsigned sig_alg;      /* listed with rsa_pss_rsae_sha256; 0: no signature_algorithms */
    int renegotiation_ext; /* -1: none, else its renegotiated_connection length */
    int duplicate;         /* a second supported_groups */
    int with_chacha;       /* ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 too */
};

static const struct hello_opts good = {
    0x0303, 1, 0, 1, "Probe.Example.org", "h2,acme-tls/1", 23, 0, 0x0403, 0, 0, 0,
};

struct w {
    uint8_t *p;
    size_t len;
};

static void put8(struct w *w, unsigned v)
{
    w->p[w->len++] = (uint8_t)v;
}
static void put16(struct w *w, unsigned v)
{
    put8(w, v >> 8);
    put8(w, v & 0xFF);
}
static void put(struct w *w, const void *p, size_t n)
{
    memcpy(w->p + w->len, p, n);
    w->len += n;
}
/* Opens a vector with a len_bytes length; close_vec() fills it in. */
static size_t open_vec(struct w *w, int len_bytes)
{
    size_t at = w->len;
    w->len += (size_t)len_bytes;
    return at;
}
static void close_vec(struct w *w, size_t at, int len_bytes)
{
    size_t n = w->len - at - (size_t)len_bytes;
    if (len_bytes == 2) w->p[at++] = (uint8_t)(n >> 8);
    w->p[at] = (uint8_t)n;
}

/* The body of a ClientHello (no handshake header); its extensions start at *ext_at. */
static size_t build_hello(uint8_t *out, const struct hello_opts *o, size_t *ext_at)
{
    struct w w = {out, 0};
    size_t exts, v, l;
    int i;

    put16(&w, o->version);
    for (i = 0; i < 32; i++)
        put8(&w, (unsigned)i + 1);
    v = open_vec(&w, 1);
    for (i = 0; i < 32; i++)
        put8(&w, 0xA0); /* a TLS 1.3 client's fake session id */
    close_vec(&w, v, 1);
    v = open_vec(&w, 2);
    put16(&w, 0x1301);
    put16(&w, 0xC02F);
    if (o->with_suite) put16(&w, 0xC02B);
    if (o->with_chacha) put16(&w, 0xCCA9);
    if (o->with_scsv) put16(&w, 0x00FF);
    close_vec(&w, v, 2);
    v = open_vec(&w, 1);
    if (!o->null_compression) put8(&w, 1);
    if (o->null_compression) put8(&w, 0);
    close_vec(&w, v, 1);
    if (ext_at != NULL) *ext_at = w.len;
    exts = open_vec(&w, 2);
    put16(&w, 0x0017); /* extended_master_secret: ignored */
    put16(&w, 0);
    if (o->sni != NULL) {
        put16(&w, 0);
        v = open_vec(&w, 2);
        l = open_vec(&w, 2);
        put8(&w, 0);
        put16(&w, (unsigned)strlen(o->sni));
        put(&w, o->sni, strlen(o->sni));
        close_vec(&w, l, 2);
        close_vec(&w, v, 2);
    }
    if (o->renegotiation_ext >= 0) {
        put16(&w, 0xFF01);
        v = open_vec(&w, 2);
        put8(&w, (unsigned)o->renegotiation_ext);
        for (i = 0; i < o->renegotiation_ext; i++)
            put8(&w, 0x55);
        close_vec(&w, v, 2);
    }
    if (o->group != 0) {
        for (i = 0; i <= o->duplicate; i++) {
            put16(&w, 10);
            v = open_vec(&w, 2);
            l = open_vec(&w, 2);
            put16(&w, 29);
            put16(&w, o->group);
            close_vec(&w, l, 2);
            close_vec(&w, v, 2);
        }
    }
    if (o->point_format >= 0) {
        put16(&w, 11);
        v = open_vec(&w, 2);
        l = open_vec(&w, 1);
        put8(&w, (unsigned)o->point_format);
        close_vec(&w, l, 1);
        close_vec(&w, v, 2);
    }
    if (o->sig_alg != 0) {
        put16(&w, 13);
        v = open_vec(&w, 2);
        l = open_vec(&w, 2);
        put16(&w, 0x0804);
        put16(&w, o->sig_alg);
        close_vec(&w, l, 2);
        close_vec(&w, v, 2);
    }
    if (o->alpn != NULL) {
        const char *p = o->alpn;
        put16(&w, 16);
        v = open_vec(&w, 2);
        l = open_vec(&w, 2);
        while (*p != '\0') {
            size_t n = strcspn(p, ",");
            put8(&w, (unsigned)n);
            put(&w, p, n);
            p += n + (p[n] == ',');
        }
        close_vec(&w, l, 2);
        close_vec(&w, v, 2);
    }
    put16(&w, 43); /* supported_versions (TLS 1.3, 1.2): ignored */
    put16(&w, 5);
    put8(&w, 4);
    put16(&w, 0x0304);
    put16(&w, 0x0303);
    close_vec(&w, exts, 2);
    return w.len;
}

static uint8_t body[4096];

static int parse(const struct hello_opts *o, struct tls_client_hello *ch)
{
    size_t len = build_hello(body, o, NULL);
    return tls_client_hello_parse(body, len, ch);
}

/* parse + check of a hello built from o */
static int verdict(const struct hello_opts *o)
{
    struct tls_client_hello ch;
    int r = parse(o, &ch);
    return r != 0 ? r : tls_client_hello_check(&ch, 1);
}

static void test_good_hello(void **state)
{
    struct tls_client_hello ch;
    int i;
    (void)state;
    assert_int_equal(parse(&good, &ch), 0);
    assert_int_equal(tls_client_hello_check(&ch, 1), 0);
    assert_string_equal(ch.host_name, "Probe.Example.org");
    for (i = 0; i < 32; i++)
        assert_int_equal(ch.random[i], i + 1);
    assert_int_equal(ch.version, 0x0303);
    assert_true(ch.offers_aes && ch.null_compression && ch.secure_renegotiation);
    assert_false(ch.offers_chacha);
    assert_int_equal(tls_server_suite(&ch, 1), 0xC02B);
    assert_true(ch.has_alpn && ch.offers_acme_alpn && ch.offers_p256);
    assert_true(ch.has_point_formats && ch.offers_uncompressed && ch.offers_ecdsa_sha256);
}

static void test_requirements(void **state)
{
    struct hello_opts o;
    struct tls_client_hello ch;
    (void)state;

    o = good, o.alpn = NULL;
    assert_int_equal(verdict(&o), TLS_NO_APPLICATION_PROTOCOL);
    o = good, o.alpn = "http/1.1,h2";
    assert_int_equal(verdict(&o), TLS_NO_APPLICATION_PROTOCOL);
    o = good, o.alpn = "acme-tls/10,acme-tls/";
    assert_int_equal(verdict(&o), TLS_NO_APPLICATION_PROTOCOL);
    o = good, o.alpn = "acme-tls/1";
    assert_int_equal(verdict(&o), 0);
    o = good, o.version = 0x0302;
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);
    o = good, o.with_suite = 0;
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);
    /* ChaCha20-Poly1305 where AES-GCM is not offered, or this machine cannot do AES */
    o = good, o.with_suite = 0, o.with_chacha = 1;
    assert_int_equal(parse(&o, &ch), 0);
    assert_int_equal(tls_client_hello_check(&ch, 1), 0);
    assert_int_equal(tls_server_suite(&ch, 1), 0xCCA9);
    assert_int_equal(tls_client_hello_check(&ch, 0), 0);
    assert_int_equal(tls_server_suite(&ch, 0), 0xCCA9);
    o.with_suite = 1;
    assert_int_equal(parse(&o, &ch), 0);
    assert_int_equal(tls_server_suite(&ch, 1), 0xC02B);
    assert_int_equal(tls_server_suite(&ch, 0), 0xCCA9);
    assert_int_equal(parse(&good, &ch), 0);
    assert_int_equal(tls_client_hello_check(&ch, 0), TLS_HANDSHAKE_FAILURE);
    assert_int_equal(tls_server_suite(&ch, 0), 0);
    o = good, o.null_compression = 0;
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);
    o = good, o.group = 24;
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);
    o = good, o.group = 0;
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);
    o = good, o.point_format = 1;
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);
    o = good, o.sig_alg = 0x0503;
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);
    o = good, o.sig_alg = 0;
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);
    o = good, o.renegotiation_ext = 12; /* a renegotiation */
    assert_int_equal(verdict(&o), TLS_HANDSHAKE_FAILURE);

    /* optional things */
    o = good, o.point_format = -1;
    assert_int_equal(parse(&o, &ch), 0);
    assert_int_equal(tls_client_hello_check(&ch, 1), 0);
    assert_false(ch.has_point_formats);
    o = good, o.renegotiation_ext = -1;
    assert_int_equal(parse(&o, &ch), 0);
    assert_int_equal(tls_client_hello_check(&ch, 1), 0);
    assert_false(ch.secure_renegotiation);
    o.with_scsv = 1;
    assert_int_equal(parse(&o, &ch), 0);
    assert_true(ch.secure_renegotiation);
    o = good, o.sni = NULL; /* the caller refuses it with unrecognized_name */
    assert_int_equal(parse(&o, &ch), 0);
    assert_string_equal(ch.host_name, "");
}

static void test_sni(void **state)
{
    struct tls_client_hello ch;
    struct hello_opts o = good;
    char name[300];
    size_t len, at;
    (void)state;

    memset(name, 'a', sizeof name);
    name[255] = '\0';
    o.sni = name;
    assert_int_equal(parse(&o, &ch), 0);
    assert_int_equal(strlen(ch.host_name), 255);
    name[255] = 'a';
    name[256] = '\0';
    assert_int_equal(parse(&o, &ch), TLS_ILLEGAL_PARAMETER);

    /* a NUL inside the name: "ab\0d" written over "abcd" */
    o.sni = "abcd";
    len = build_hello(body, &o, NULL);
    at = (size_t)((uint8_t *)memmem(body, len, "abcd", 4) - body);
    body[at + 2] = 0;
    assert_int_equal(tls_client_hello_parse(body, len, &ch), TLS_ILLEGAL_PARAMETER);

    /* two host names in one list (refused), a name of an unknown type (skipped) */
    {
        static const uint8_t two[] = {0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x00,
                                      0x02, 'a',  'b',  0x00, 0x00, 0x02, 'c',  'd'};
        static const uint8_t one_other[] = {0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x00,
                                            0x02, 'a',  'b',  0x07, 0x00, 0x02, 'c',  'd'};
        size_t ext_at, sni_at;
        o = good, o.sni = "ab";
        len = build_hello(body, &o, &ext_at);
        sni_at = ext_at + 2 + 4; /* after extended_master_secret */
        /* replace the 11-byte SNI extension by a 16-byte one */
        memmove(body + sni_at + sizeof two, body + sni_at + 11, len - sni_at - 11);
        len += sizeof two - 11;
        body[ext_at] = (uint8_t)((len - ext_at - 2) >> 8);
        body[ext_at + 1] = (uint8_t)(len - ext_at - 2);
        memcpy(body + sni_at, two, sizeof two);
        assert_int_equal(tls_client_hello_parse(body, len, &ch), TLS_ILLEGAL_PARAMETER);
        memcpy(body + sni_at, one_other, sizeof one_other); /* an unknown name type: skipped */
        assert_int_equal(tls_client_hello_parse(body, len, &ch), 0);
        assert_string_equal(ch.host_name, "ab");
    }
}

static void test_lengths(void **state)
{
    struct tls_client_hello ch;
    size_t len, ext_at, n;
    (void)state;

    len = build_hello(body, &good, &ext_at);
    assert_int_equal(tls_client_hello_parse(body, len, &ch), 0);
    /* every truncation fails, except the one that drops all extensions (a valid hello
     * without ALPN) */
    for (n = 0; n < len; n++) {
        int r = tls_client_hello_parse(body, n, &ch);
        if (n == ext_at) {
            assert_int_equal(r, 0);
            assert_int_equal(tls_client_hello_check(&ch, 1), TLS_NO_APPLICATION_PROTOCOL);
        } else
            assert_int_not_equal(r, 0);
    }
    /* a trailing byte */
    body[len] = 0;
    assert_int_equal(tls_client_hello_parse(body, len + 1, &ch), TLS_DECODE_ERROR);
    /* the extensions length one more or one less than what follows */
    body[ext_at + 1]++;
    assert_int_equal(tls_client_hello_parse(body, len, &ch), TLS_DECODE_ERROR);
    body[ext_at + 1] -= 2;
    assert_int_equal(tls_client_hello_parse(body, len, &ch), TLS_DECODE_ERROR);
    body[ext_at + 1]++;
    /* the ALPN list one longer than its extension: the last extension is supported_versions
     * (9 bytes), before it ALPN: type, len, list len */
    {
        size_t list_at = len - 9 - (4 + 2 + 3 + 11) + 4;
        assert_int_equal(body[list_at - 4], 0);
        assert_int_equal(body[list_at - 3], 16);
        body[list_at + 1]++;
        assert_int_equal(tls_client_hello_parse(body, len, &ch), TLS_DECODE_ERROR);
        body[list_at + 1] -= 2;
        assert_int_equal(tls_client_hello_parse(body, len, &ch), TLS_DECODE_ERROR);
        body[list_at + 1]++;
        assert_int_equal(tls_client_hello_parse(body, len, &ch), 0);
        body[list_at + 2] = 0; /* an empty protocol name */
        assert_int_equal(tls_client_hello_parse(body, len, &ch), TLS_DECODE_ERROR);
    }
    /* an odd cipher suite list */
    len = build_hello(body, &good, &ext_at);
    body[2 + 32 + 1 + 32 + 1]--;
    assert_int_not_equal(tls_client_hello_parse(body, len, &ch), 0);
}

static void test_duplicate(void **state)
{
    struct hello_opts o = good;
    (void)state;
    o.duplicate = 1;
    assert_int_equal(verdict(&o), TLS_ILLEGAL_PARAMETER);
}

/* The handshake header + hello, split over records. */
static void test_reassembly(void **state)
{
    static struct tls_handshake hs;
    static uint8_t msg[TLS_HANDSHAKE_MAX + 8];
    struct tls_client_hello ch;
    size_t len = build_hello(msg + 4, &good, NULL);
    (void)state;

    msg[0] = TLS_CLIENT_HELLO;
    msg[1] = 0;
    msg[2] = (uint8_t)(len >> 8);
    msg[3] = (uint8_t)len;
    hs.len = 0;
    assert_int_equal(tls_handshake_add(&hs, msg, 3), 0); /* not even the header */
    assert_int_equal(tls_handshake_add(&hs, msg + 3, 100), 0);
    assert_int_equal(tls_handshake_add(&hs, msg + 103, len + 4 - 103), 1);
    assert_int_equal(hs.len, len + 4);
    assert_int_equal(tls_client_hello_parse(hs.msg + 4, hs.len - 4, &ch), 0);
    assert_int_equal(tls_client_hello_check(&ch, 1), 0);
    /* in one record with a byte after it */
    hs.len = 0;
    msg[len + 4] = 1;
    assert_int_equal(tls_handshake_add(&hs, msg, len + 5), TLS_UNEXPECTED_MESSAGE);
    /* announced larger than the buffer */
    hs.len = 0;
    msg[1] = 1;
    assert_int_equal(tls_handshake_add(&hs, msg, 4), TLS_HANDSHAKE_FAILURE);
    /* data beyond the buffer */
    hs.len = 0;
    msg[1] = 0;
    msg[2] = (uint8_t)((TLS_HANDSHAKE_MAX - 4) >> 8);
    msg[3] = (uint8_t)(TLS_HANDSHAKE_MAX - 4);
    assert_int_equal(tls_handshake_add(&hs, msg, TLS_HANDSHAKE_MAX - 1), 0);
    assert_int_equal(tls_handshake_add(&hs, msg, 1), 1);
    assert_int_equal(tls_handshake_add(&hs, msg, 1), TLS_HANDSHAKE_FAILURE);
}

static void test_record_header(void **state)
{
    uint8_t h[5] = {22, 3, 1, 0x02, 0x00};
    unsigned type;
    size_t len;
    (void)state;
    assert_int_equal(tls_record_header(h, &type, &len), 0);
    assert_int_equal(type, 22);
    assert_int_equal(len, 512);
    h[3] = 0x48, h[4] = 0x00; /* 16384 + 2048 */
    assert_int_equal(tls_record_header(h, &type, &len), 0);
    h[4] = 1;
    assert_int_equal(tls_record_header(h, &type, &len), TLS_RECORD_OVERFLOW);
    h[3] = 0, h[4] = 0;
    assert_int_equal(tls_record_header(h, &type, &len), TLS_DECODE_ERROR);
    memcpy(h, "GET /", 5);
    assert_int_equal(tls_record_header(h, &type, &len), TLS_DECODE_ERROR);
    h[0] = 24, h[1] = 3, h[3] = 1;
    assert_int_equal(tls_record_header(h, &type, &len), TLS_DECODE_ERROR);
    h[0] = 0x80; /* SSL 2 */
    assert_int_equal(tls_record_header(h, &type, &len), TLS_DECODE_ERROR);
}

static void test_client_key_exchange(void **state)
{
    uint8_t b[67];
    const uint8_t *point = NULL;
    (void)state;
    memset(b, 7, sizeof b);
    b[0] = 65;
    b[1] = 4;
    assert_int_equal(tls_client_key_exchange(b, 66, &point), 0);
    assert_ptr_equal(point, b + 1);
    assert_int_equal(tls_client_key_exchange(b, 67, &point), TLS_DECODE_ERROR);
    assert_int_equal(tls_client_key_exchange(b, 65, &point), TLS_DECODE_ERROR);
    b[1] = 2; /* compressed */
    assert_int_equal(tls_client_key_exchange(b, 66, &point), TLS_ILLEGAL_PARAMETER);
    b[0] = 33;
    assert_int_equal(tls_client_key_exchange(b, 34, &point), TLS_DECODE_ERROR);
}

static void test_server_messages(void **state)
{
    static const uint8_t ext_reneg_alpn_points[] = {
        0xFF, 0x01, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x0d, 0x00, 0x0b, 0x0a, 'a',  'c',
        'm',  'e',  '-',  't',  'l',  's',  '/',  '1',  0x00, 0x0b, 0x00, 0x02, 0x01, 0x00};
    uint8_t out[2048], random[32], point[65], params[TLS_ECDH_PARAMS_LEN], der[300], sig[72];
    struct tls_client_hello ch;
    size_t n;
    (void)state;

    memset(random, 0x11, sizeof random);
    assert_int_equal(parse(&good, &ch), 0);
    n = tls_server_hello(out, sizeof out, random, &ch, 0xC02B);
    assert_int_equal(n, 4 + 2 + 32 + 1 + 2 + 1 + 2 + sizeof ext_reneg_alpn_points);
    assert_int_equal(out[0], TLS_SERVER_HELLO);
    assert_int_equal((out[1] << 16 | out[2] << 8 | out[3]), n - 4);
    assert_int_equal(out[4] << 8 | out[5], 0x0303);
    assert_memory_equal(out + 6, random, 32);
    assert_int_equal(out[38], 0); /* session id */
    assert_int_equal(out[39] << 8 | out[40], 0xC02B);
    assert_int_equal(out[41], 0); /* compression */
    assert_int_equal(out[42] << 8 | out[43], sizeof ext_reneg_alpn_points);
    assert_memory_equal(out + 44, ext_reneg_alpn_points, sizeof ext_reneg_alpn_points);
    assert_int_equal(tls_server_hello(out, n - 1, random, &ch, 0xC02B), 0);
    /* only what the client offered */
    ch.secure_renegotiation = 0;
    ch.has_point_formats = 0;
    n = tls_server_hello(out, sizeof out, random, &ch, 0xC02B);
    assert_int_equal(out[42] << 8 | out[43], 17);
    assert_memory_equal(out + 44, ext_reneg_alpn_points + 5, 17);
    assert_int_equal(n, 44 + 17);
    n = tls_server_hello(out, sizeof out, random, &ch, 0xCCA9);
    assert_int_equal(out[39] << 8 | out[40], 0xCCA9);

    memset(der, 0x30, sizeof der);
    n = tls_certificate(out, der, sizeof der);
    assert_int_equal(n, 10 + sizeof der);
    assert_memory_equal(out, "\x0b\x00\x01\x32\x00\x01\x2f\x00\x01\x2c", 10);
    assert_memory_equal(out + 10, der, sizeof der);

    memset(point, 4, sizeof point);
    tls_ecdh_params(params, point);
    assert_memory_equal(params, "\x03\x00\x17\x41", 4);
    memset(sig, 0x30, sizeof sig);
    n = tls_server_key_exchange(out, params, sig, 70);
    assert_int_equal(n, 4 + 69 + 4 + 70);
    assert_memory_equal(out, "\x0c\x00\x00\x8f", 4);
    assert_memory_equal(out + 4, params, sizeof params);
    assert_memory_equal(out + 73, "\x04\x03\x00\x46", 4);

    assert_int_equal(tls_server_hello_done(out), 4);
    assert_memory_equal(out, "\x0e\x00\x00\x00", 4);
    memset(sig, 0xEE, 12);
    tls_finished(out, sig);
    assert_memory_equal(out, "\x14\x00\x00\x0c", 4);
    assert_memory_equal(out + 4, sig, 12);
}

/* ---- the HTTPS client */

/* What BearSSL's client engine sent to localhost (captured, the random zeroed): ours is the
 * same, byte for byte. */
static void test_client_hello(void **state)
{
    static const char bearssl_hex[] =
        "010000700303"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "00000cc02bc02fc02cc030cca9cca80100003bff010001000000000e000c0000096c6f63616c686f7374"
        "000d000e000c040305030603040105010601000a00080006001700180019000b00020100";
    uint8_t want[256], out[TLS_CLIENT_HELLO_MAX], random[TLS_RANDOM_LEN] = {0};
    char long_name[TLS_HOST_NAME_MAX + 2];
    size_t i, n = strlen(bearssl_hex) / 2, len;
    unsigned v;
    (void)state;
    for (i = 0; i < n; i++) {
        assert_int_equal(sscanf(bearssl_hex + 2 * i, "%2x", &v), 1);
        want[i] = (uint8_t)v;
    }
    len = tls_client_hello(out, random, "localhost", 1);
    assert_int_equal(len, n);
    assert_memory_equal(out, want, n);

    random[0] = 0xAB;
    len = tls_client_hello(out, random, NULL, 1); /* no SNI */
    assert_int_equal(len, n - 18);
    assert_int_equal(out[6], 0xAB);
    assert_null(memmem(out, len, "\x00\x00\x00\x0e", 4));
    assert_int_equal((size_t)out[1] << 16 | out[2] << 8 | out[3], len - 4);

    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(tls_client_hello(out, random, long_name, 1), 0);
    long_name[TLS_HOST_NAME_MAX] = '\0';
    assert_true(tls_client_hello(out, random, long_name, 1) <= TLS_CLIENT_HELLO_MAX);

    /* without AES: the same hello with only the two ChaCha20 suites */
    random[0] = 0;
    len = tls_client_hello(out, random, "localhost", 0);
    assert_int_equal(len, n - 8);
    assert_memory_equal(out + 4, want + 4, 35); /* version, random, no session id */
    assert_memory_equal(out + 39, "\x00\x04\xcc\xa9\xcc\xa8", 6);
    assert_memory_equal(out + 45, want + 53, n - 53);
    assert_int_equal((size_t)out[1] << 16 | out[2] << 8 | out[3], len - 4);
}

/* A ServerHello body: version, random, session id, suite, compression, then exts. */
static size_t server_hello(uint8_t *p, unsigned version, size_t sid, unsigned suite,
                           unsigned compression, const uint8_t *exts, size_t ext_len)
{
    size_t n = 0;
    p[n++] = (uint8_t)(version >> 8);
    p[n++] = (uint8_t)version;
    memset(p + n, 0x11, 32);
    n += 32;
    p[n++] = (uint8_t)sid;
    memset(p + n, 0x22, sid);
    n += sid;
    p[n++] = (uint8_t)(suite >> 8);
    p[n++] = (uint8_t)suite;
    p[n++] = (uint8_t)compression;
    if (exts != NULL) {
        p[n++] = (uint8_t)(ext_len >> 8);
        p[n++] = (uint8_t)ext_len;
        memcpy(p + n, exts, ext_len);
        n += ext_len;
    }
    return n;
}

static void test_server_hello_parse(void **state)
{
    static const uint8_t good_exts[] = {0xFF, 0x01, 0, 1, 0, 0, 0, 0, 0, 0x00, 0x0B, 0, 2, 1, 0};
    static const uint8_t unknown[] = {0x00, 0x23, 0, 0}; /* ticket */
    static const uint8_t twice[] = {0x00, 0x0B, 0, 2, 1, 0, 0x00, 0x0B, 0, 2, 1, 0};
    static const uint8_t sni_data[] = {0, 0, 0, 1, 0};
    static const uint8_t reneg_data[] = {0xFF, 0x01, 0, 2, 1, 0};
    static const uint8_t bad_formats[] = {0x00, 0x0B, 0, 2, 2, 0};
    uint8_t b[200];
    struct tls_server_hello sh;
    size_t n;
    (void)state;
    n = server_hello(b, 0x0303, 32, 0xC030, 0, good_exts, sizeof good_exts);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), 0);
    assert_int_equal(sh.suite, 0xC030);
    assert_int_equal(sh.random[31], 0x11);
    assert_int_equal(tls_server_hello_parse(b, n, 0, 1, &sh), TLS_ERR_EXTRA_EXTENSION); /* SNI */
    assert_int_equal(tls_server_hello_parse(b, n - 1, 1, 1, &sh), TLS_ERR_BAD_HANDSHAKE);
    b[n] = 0;
    assert_int_equal(tls_server_hello_parse(b, n + 1, 1, 1, &sh), TLS_ERR_BAD_HANDSHAKE);
    n = server_hello(b, 0x0303, 0, 0xCCA8, 0, NULL, 0); /* no extensions at all */
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), 0);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 0, &sh), 0); /* ChaCha20 without AES */
    n = server_hello(b, 0x0303, 0, 0xC02F, 0, NULL, 0); /* AES-GCM, not offered without AES */
    assert_int_equal(tls_server_hello_parse(b, n, 1, 0, &sh), TLS_ERR_BAD_CIPHER_SUITE);
    n = server_hello(b, 0x0303, 0, 0xC030, 0, NULL, 0);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 0, &sh), TLS_ERR_BAD_CIPHER_SUITE);
    n = server_hello(b, 0x0302, 0, 0xC02B, 0, NULL, 0);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_UNSUPPORTED_VERSION);
    n = server_hello(b, 0x0304, 0, 0xC02B, 0, NULL, 0);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_UNSUPPORTED_VERSION);
    n = server_hello(b, 0x0303, 33, 0xC02B, 0, NULL, 0);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_OVERSIZED_ID);
    n = server_hello(b, 0x0303, 0, 0xC023, 0, NULL, 0);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_BAD_CIPHER_SUITE);
    n = server_hello(b, 0x0303, 0, 0xC02B, 1, NULL, 0);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_BAD_COMPRESSION);
    n = server_hello(b, 0x0303, 0, 0xC02B, 0, unknown, sizeof unknown);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_EXTRA_EXTENSION);
    n = server_hello(b, 0x0303, 0, 0xC02B, 0, twice, sizeof twice);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_EXTRA_EXTENSION);
    n = server_hello(b, 0x0303, 0, 0xC02B, 0, sni_data, sizeof sni_data);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_BAD_SNI);
    n = server_hello(b, 0x0303, 0, 0xC02B, 0, reneg_data, sizeof reneg_data);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_BAD_SECRENEG);
    n = server_hello(b, 0x0303, 0, 0xC02B, 0, bad_formats, sizeof bad_formats);
    assert_int_equal(tls_server_hello_parse(b, n, 1, 1, &sh), TLS_ERR_BAD_HANDSHAKE);
}

static void add_cert(void *ctx, const uint8_t *der, size_t len)
{
    size_t *seen = ctx;
    assert_int_equal(der[0], 0x30);
    seen[seen[0] + 1] = len;
    seen[0]++;
}

static void test_certificate_parse(void **state)
{
    uint8_t b[] = {0, 0, 11, 0, 0, 3, 0x30, 1, 2, 0, 0, 2, 0x30, 0};
    size_t seen[4] = {0};
    (void)state;
    assert_int_equal(tls_certificate_parse(b, sizeof b, add_cert, seen), 0);
    assert_int_equal(seen[0], 2);
    assert_int_equal(seen[1], 3);
    assert_int_equal(seen[2], 2);
    assert_int_equal(tls_certificate_parse(b, sizeof b - 1, add_cert, seen), TLS_ERR_BAD_HANDSHAKE);
    b[11] = 3; /* the last certificate runs past the end */
    assert_int_equal(tls_certificate_parse(b, sizeof b, add_cert, seen), TLS_ERR_BAD_HANDSHAKE);
}

static void test_server_key_exchange_parse(void **state)
{
    uint8_t b[4 + 65 + 4 + 600];
    struct tls_server_key_exchange ske;
    size_t n;
    (void)state;
    b[0] = 3;
    b[1] = 0;
    b[2] = TLS_SECP256R1;
    b[3] = 65;
    memset(b + 4, 4, 65);
    b[69] = 5; /* SHA-384 */
    b[70] = TLS_SIG_ECDSA;
    b[71] = 0;
    b[72] = 70;
    memset(b + 73, 0x30, 70);
    n = 73 + 70;
    assert_int_equal(tls_server_key_exchange_parse(b, n, 0, &ske), 0);
    assert_int_equal(ske.curve, TLS_SECP256R1);
    assert_int_equal(ske.params_len, 69);
    assert_ptr_equal(ske.point, b + 4);
    assert_int_equal(ske.point_len, 65);
    assert_int_equal(ske.hash, 5);
    assert_ptr_equal(ske.signature, b + 73);
    assert_int_equal(ske.signature_len, 70);
    /* an RSA suite wants an RSA signature */
    assert_int_equal(tls_server_key_exchange_parse(b, n, 1, &ske), TLS_ERR_INVALID_ALGORITHM);
    assert_int_equal(tls_server_key_exchange_parse(b, n - 1, 0, &ske), TLS_ERR_BAD_HANDSHAKE);
    assert_int_equal(tls_server_key_exchange_parse(b, n + 1, 0, &ske), TLS_ERR_BAD_HANDSHAKE);
    b[69] = 2; /* SHA-1: not offered */
    assert_int_equal(tls_server_key_exchange_parse(b, n, 0, &ske), TLS_ERR_INVALID_ALGORITHM);
    b[69] = 6;
    assert_int_equal(tls_server_key_exchange_parse(b, n, 0, &ske), 0);
    b[2] = 29; /* x25519: not offered */
    assert_int_equal(tls_server_key_exchange_parse(b, n, 0, &ske), TLS_ERR_INVALID_ALGORITHM);
    b[2] = TLS_SECP521R1;
    b[0] = 1; /* explicit curve parameters */
    assert_int_equal(tls_server_key_exchange_parse(b, n, 0, &ske), TLS_ERR_INVALID_ALGORITHM);
    b[0] = 3;
    b[71] = 2;
    b[72] = 1; /* 513 bytes */
    memset(b + 73, 0x30, 513);
    assert_int_equal(tls_server_key_exchange_parse(b, 73 + 513, 0, &ske), TLS_ERR_LIMIT_EXCEEDED);
    b[72] = 0; /* 512 bytes */
    assert_int_equal(tls_server_key_exchange_parse(b, 73 + 512, 0, &ske), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_hello),
        cmocka_unit_test(test_requirements),
        cmocka_unit_test(test_sni),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_duplicate),
        cmocka_unit_test(test_reassembly),
        cmocka_unit_test(test_record_header),
        cmocka_unit_test(test_client_key_exchange),
        cmocka_unit_test(test_server_messages),
        cmocka_unit_test(test_client_hello),
        cmocka_unit_test(test_server_hello_parse),
        cmocka_unit_test(test_certificate_parse),
        cmocka_unit_test(test_server_key_exchange_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
