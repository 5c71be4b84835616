/* Unit tests: bearssl/alpn_server.c, the TLS-ALPN-01 responder's handshake, against BearSSL's
 * own TLS client engine. Both run in this process: the responder's io->read runs the client
 * engine until it has something to say, io->write queues for the client. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <bearssl.h>

#include "../../bearssl/crypto_int.h"
#include "../../bearssl/tls12.h"
#include "alpn.h"
#include "crypto.h"
#include "err.h"
#include "tls_hello.h"

static struct crypto_key key;
static uint8_t der[2][ALPN_CERT_MAX];
static char sni[2][ALPN_SNI_MAX];
static struct alpn_cert certs[2];

/* One direction of the connection. */
struct pipe {
    uint8_t buf[1 << 16];
    size_t len, off;
};
static struct pipe c2s, s2c;

static br_ssl_client_context cc;
static br_x509_minimal_context xc; /* br_ssl_client_init_full() wants one; replaced below */
static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
static int client_done;       /* the client engine reached the application data state */
static int corrupt_finished;  /* flip a bit of the client's encrypted Finished */
static int split_hello;       /* send the ClientHello in two records */
static int tamper_hello;      /* change a cipher suite the responder does not use */
static size_t client_max = 0; /* when > 0: the client hangs up after this many bytes */

/* An X.509 "validator" that accepts anything and keeps the server's first certificate. */
static struct {
    const br_x509_class *vtable;
    uint8_t cert[4096];
    size_t len;
    unsigned ncerts;
    br_x509_pkey pkey;
} rx;

static void rx_start_chain(const br_x509_class **ctx, const char *server_name)
{
    (void)ctx, (void)server_name;
    rx.len = 0;
    rx.ncerts = 0;
}
static void rx_start_cert(const br_x509_class **ctx, uint32_t length)
{
    (void)ctx, (void)length;
    rx.ncerts++;
}
static void rx_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    assert_true(len <= sizeof rx.cert - rx.len);
    if (rx.ncerts == 1) {
        memcpy(rx.cert + rx.len, buf, len);
        rx.len += len;
    }
}
static void rx_end_cert(const br_x509_class **ctx)
{
    (void)ctx;
}
static unsigned rx_end_chain(const br_x509_class **ctx)
{
    (void)ctx;
    return 0;
}
static const br_x509_pkey *rx_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    (void)ctx;
    if (usages != NULL) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return &rx.pkey; /* the responder key: the client checks ServerKeyExchange with it */
}
static const br_x509_class rx_class = {
    0, rx_start_chain, rx_start_cert, rx_append, rx_end_cert, rx_end_chain, rx_get_pkey,
};

/* Flips a bit in the tag of the first handshake record after a ChangeCipherSpec in c2s. */
static void corrupt(void)
{
    size_t at = 0;
    int after_ccs = 0;
    while (at + 5 <= c2s.len) {
        size_t len = (size_t)c2s.buf[at + 3] << 8 | c2s.buf[at + 4];
        if (at + 5 + len > c2s.len) return;
        if (after_ccs && c2s.buf[at] == 22) {
            c2s.buf[at + 5 + len - 1] ^= 1;
            corrupt_finished = 0;
            return;
        }
        if (c2s.buf[at] == 20) after_ccs = 1;
        at += 5 + len;
    }
}

/* Changes the last cipher suite the ClientHello offers (not the responder's): a
 * man-in-the-middle whose change only the Finished messages detect. */
static void tamper(void)
{
    size_t at = 5 + 4 + 2 + 32, suites;
    at += 1 + c2s.buf[at]; /* session id */
    suites = (size_t)c2s.buf[at] << 8 | c2s.buf[at + 1];
    at += 2 + suites - 2;
    assert_true(at + 2 <= c2s.len);
    c2s.buf[at] ^= 0x40;
    assert_false(c2s.buf[at] == 0xC0 && c2s.buf[at + 1] == 0x2B);
    assert_false(c2s.buf[at] == 0x00 && c2s.buf[at + 1] == 0xFF);
    tamper_hello = 0;
}

/* Rewrites the ClientHello record (alone in c2s) as two records, split inside the hello. */
static void split(void)
{
    static uint8_t copy[sizeof c2s.buf];
    size_t len = (size_t)c2s.buf[3] << 8 | c2s.buf[4], first = 50;
    assert_int_equal(c2s.buf[0], 22);
    assert_int_equal(c2s.len, 5 + len);
    memcpy(copy, c2s.buf, c2s.len);
    c2s.buf[3] = 0;
    c2s.buf[4] = (uint8_t)first;
    memcpy(c2s.buf + 5 + first, copy, 3);
    c2s.buf[5 + first + 3] = (uint8_t)((len - first) >> 8);
    c2s.buf[5 + first + 4] = (uint8_t)(len - first);
    memcpy(c2s.buf + 5 + first + 5, copy + 5 + first, len - first);
    c2s.len += 5;
    split_hello = 0;
}

/* Runs the client engine as far as it gets with what the server sent. */
static void run_client(void)
{
    for (;;) {
        unsigned st = br_ssl_engine_current_state(&cc.eng);
        unsigned char *b;
        size_t len;
        if (st & BR_SSL_CLOSED) return;
        if (st & BR_SSL_SENDAPP) client_done = 1;
        if (st & BR_SSL_SENDREC) {
            b = br_ssl_engine_sendrec_buf(&cc.eng, &len);
            assert_true(len <= sizeof c2s.buf - c2s.len);
            memcpy(c2s.buf + c2s.len, b, len);
            c2s.len += len;
            br_ssl_engine_sendrec_ack(&cc.eng, len);
            if (corrupt_finished) corrupt();
            if (tamper_hello) tamper();
            if (split_hello) split();
            continue;
        }
        if ((st & BR_SSL_RECVREC) && s2c.off < s2c.len) {
            b = br_ssl_engine_recvrec_buf(&cc.eng, &len);
            if (len > s2c.len - s2c.off) len = s2c.len - s2c.off;
            memcpy(b, s2c.buf + s2c.off, len);
            s2c.off += len;
            br_ssl_engine_recvrec_ack(&cc.eng, len);
            continue;
        }
        return;
    }
}

static long server_read(void *ctx, unsigned char *buf, size_t n)
{
    size_t avail;
    (void)ctx;
    if (c2s.off == c2s.len) run_client();
    avail = c2s.len - c2s.off;
    if (client_max > 0 && avail > client_max - c2s.off) avail = client_max - c2s.off;
    if (avail == 0) return 0; /* the client has nothing more to say: end of file */
    if (n > avail) n = avail;
    if (n > 700) n = 700; /* short reads, as from a socket */
    memcpy(buf, c2s.buf + c2s.off, n);
    c2s.off += n;
    return (long)n;
}

static long server_write(void *ctx, const unsigned char *buf, size_t n)
{
    (void)ctx;
    assert_true(n <= sizeof s2c.buf - s2c.len);
    memcpy(s2c.buf + s2c.len, buf, n);
    s2c.len += n;
    return (long)n;
}

/* The suites the client engine offers when client_nsuites > 0 (else all it has). */
static const uint16_t *client_suites;
static size_t client_nsuites;

/* One handshake: the responder's result; *client_err: the client engine's last error. */
static int run(const char *server_name, const char *const *protos, size_t nprotos,
               const char **chosen, int *client_err)
{
    static const struct alpn_io io = {server_read, server_write, NULL};
    uint8_t seed[32];
    br_ec_public_key pk;
    int r;

    memset(&c2s, 0, sizeof c2s);
    memset(&s2c, 0, sizeof s2c);
    memset(&rx, 0, sizeof rx);
    memset(seed, 0x5A, sizeof seed);
    client_done = 0;
    rx.vtable = &rx_class;
    key_ec_views(&key, NULL, &pk);
    rx.pkey.key_type = BR_KEYTYPE_EC;
    rx.pkey.key.ec = pk;
    br_ssl_client_init_full(&cc, &xc, NULL, 0);
    br_ssl_engine_set_x509(&cc.eng, &rx.vtable);
    br_ssl_engine_set_buffer(&cc.eng, iobuf, sizeof iobuf, 1);
    if (nprotos > 0) br_ssl_engine_set_protocol_names(&cc.eng, (const char **)protos, nprotos);
    if (client_nsuites > 0) br_ssl_engine_set_suites(&cc.eng, client_suites, client_nsuites);
    assert_true(br_ssl_client_reset(&cc, server_name, 0));
    r = alpn_serve(&io, certs, 2, &key, seed, chosen);
    run_client(); /* the rest of what the responder sent */
    *client_err = br_ssl_engine_last_error(&cc.eng);
    return r;
}

static const char *const acme[] = {"acme-tls/1"};

static int setup(void **state)
{
    static const char *const ids[2] = {"a.example.org", "b.example.org"};
    size_t i;
    (void)state;
    if (crypto_key_generate(&key, KEY_EC256) < 0) return -1;
    for (i = 0; i < 2; i++) {
        if (alpn_sni(ids[i], sni[i], sizeof sni[i]) < 0 ||
            alpn_cert_make(&key, ids[i], "token.thumbprint", 1700000000, der[i], sizeof der[i],
                           &certs[i].der_len) < 0)
            return -1;
        certs[i].sni = sni[i];
        certs[i].der = der[i];
    }
    return 0;
}

static void check_served(const char *server_name, size_t want)
{
    const char *chosen = "unset";
    int err;
    assert_int_equal(run(server_name, acme, 1, &chosen, &err), 1);
    assert_ptr_equal(chosen, certs[want].sni);
    assert_true(client_done);
    assert_int_equal(err, BR_ERR_OK); /* the close_notify was read, too */
    assert_string_equal(br_ssl_engine_get_selected_protocol(&cc.eng), "acme-tls/1");
    assert_int_equal(rx.ncerts, 1);
    assert_int_equal(rx.len, certs[want].der_len);
    assert_memory_equal(rx.cert, certs[want].der, rx.len);
}

static void test_served(void **state)
{
    (void)state;
    check_served("a.example.org", 0);
    assert_int_equal(cc.eng.session.cipher_suite, TLS_ECDHE_ECDSA_AES128_GCM_SHA256);
    check_served("B.Example.ORG", 1);
}

/* ChaCha20-Poly1305 when the client offers no AES-GCM, or this machine cannot do AES (then an
 * AES-only client is refused). */
static void test_chacha(void **state)
{
    static const uint16_t chacha[] = {TLS_ECDHE_ECDSA_CHACHA20_POLY1305};
    static const uint16_t aes[] = {TLS_ECDHE_ECDSA_AES128_GCM_SHA256};
    const char *chosen = "unset";
    int err;
    (void)state;
    client_suites = chacha;
    client_nsuites = 1;
    check_served("a.example.org", 0);
    assert_int_equal(cc.eng.session.cipher_suite, TLS_ECDHE_ECDSA_CHACHA20_POLY1305);
    client_nsuites = 0;
    tls12_aes_off = 1;
    check_served("b.example.org", 1); /* the client offers both */
    assert_int_equal(cc.eng.session.cipher_suite, TLS_ECDHE_ECDSA_CHACHA20_POLY1305);
    client_suites = aes;
    client_nsuites = 1;
    assert_int_equal(run("a.example.org", acme, 1, &chosen, &err), 0);
    assert_null(chosen);
    assert_int_equal(err, BR_ERR_RECV_FATAL_ALERT + 40); /* handshake_failure */
}

static int defaults_back(void **state)
{
    (void)state;
    tls12_aes_off = 0;
    client_nsuites = 0;
    return 0;
}

static void test_split_hello(void **state)
{
    (void)state;
    split_hello = 1;
    check_served("b.example.org", 1);
    assert_int_equal(split_hello, 0); /* it was split */
}

static void test_alpn_refused(void **state)
{
    static const char *const other[] = {"h2", "http/1.1"};
    const char *chosen = "unset";
    int err;
    (void)state;
    assert_int_equal(run("a.example.org", NULL, 0, &chosen, &err), 0);
    assert_null(chosen);
    assert_false(client_done);
    assert_int_equal(err, BR_ERR_RECV_FATAL_ALERT + 120);
    assert_int_equal(run("a.example.org", other, 2, &chosen, &err), 0);
    assert_null(chosen);
    assert_int_equal(err, BR_ERR_RECV_FATAL_ALERT + 120);
    assert_non_null(strstr(err_msg(), "no acme-tls/1")); /* what the -vv log says */
}

static void test_sni_refused(void **state)
{
    const char *chosen = "unset";
    int err;
    (void)state;
    assert_int_equal(run("c.example.org", acme, 1, &chosen, &err), 0);
    assert_null(chosen);
    assert_int_equal(err, BR_ERR_RECV_FATAL_ALERT + 112);
    assert_int_equal(run("a.example.org.evil", acme, 1, &chosen, &err), 0);
    assert_int_equal(err, BR_ERR_RECV_FATAL_ALERT + 112);
    assert_int_equal(run(NULL, acme, 1, &chosen, &err), 0); /* no SNI */
    assert_int_equal(err, BR_ERR_RECV_FATAL_ALERT + 112);
    assert_false(client_done);
    assert_non_null(strstr(err_msg(), "SNI is not a pending name"));
}

/* Raw client bytes for the limits: each read hands out the rest of `raw`. */
static const uint8_t *raw;
static size_t raw_len;

static long raw_read(void *ctx, unsigned char *buf, size_t n)
{
    (void)ctx;
    if (raw_len == 0) return 0;
    if (n > raw_len) n = raw_len;
    memcpy(buf, raw, n);
    raw += n;
    raw_len -= n;
    return (long)n;
}

static long raw_write(void *ctx, const unsigned char *buf, size_t n)
{
    (void)ctx;
    (void)buf;
    return (long)n;
}

/* A handshake message announced over TLS_HANDSHAKE_MAX, a record over TLS_RECORD_MAX: refused,
 * and the error (the -vv log line) names the limit. */
static void test_limits(void **state)
{
    static const uint8_t big_hello[] = {22, 3, 1, 0, 4, TLS_CLIENT_HELLO, 0, 0x23, 0x28};
    static const uint8_t big_record[] = {22, 3, 1, 0x48, 0x01};
    static const struct alpn_io io = {raw_read, raw_write, NULL};
    const char *chosen = "unset";
    uint8_t seed[32] = {0};
    (void)state;
    raw = big_hello;
    raw_len = sizeof big_hello;
    assert_int_equal(alpn_serve(&io, certs, 2, &key, seed, &chosen), 0);
    assert_null(chosen);
    assert_non_null(strstr(err_msg(), "TLS_HANDSHAKE_MAX (8192 bytes)"));
    raw = big_record;
    raw_len = sizeof big_record;
    assert_int_equal(alpn_serve(&io, certs, 2, &key, seed, &chosen), 0);
    assert_non_null(strstr(err_msg(), "TLS_RECORD_MAX (18432 bytes)"));
    err_clear();
}

static void test_bad_finished(void **state)
{
    const char *chosen = "unset";
    int err;
    (void)state;
    corrupt_finished = 1;
    assert_int_equal(run("a.example.org", acme, 1, &chosen, &err), 0);
    assert_int_equal(corrupt_finished, 0); /* it was corrupted */
    assert_null(chosen);
    assert_false(client_done);
    assert_int_equal(err, BR_ERR_RECV_FATAL_ALERT + 20); /* bad_record_mac */
}

static void test_tampered_hello(void **state)
{
    const char *chosen = "unset";
    int err;
    (void)state;
    tamper_hello = 1;
    assert_int_equal(run("a.example.org", acme, 1, &chosen, &err), 0);
    assert_int_equal(tamper_hello, 0); /* it was changed */
    assert_null(chosen);
    assert_false(client_done);
    assert_int_equal(err, BR_ERR_RECV_FATAL_ALERT + 51); /* decrypt_error */
}

/* The client hangs up at every point of its first two flights: never served, no crash. */
static void test_hangup(void **state)
{
    const char *chosen = "unset";
    size_t total;
    int err;
    (void)state;
    assert_int_equal(run("a.example.org", acme, 1, &chosen, &err), 1);
    total = c2s.off;
    for (client_max = 1; client_max < total; client_max += 7) {
        assert_int_equal(run("a.example.org", acme, 1, &chosen, &err), 0);
        assert_null(chosen);
    }
    client_max = 0;
}

static void test_local_error(void **state)
{
    static struct crypto_key rsa;
    const char *chosen = "unset";
    static const struct alpn_io io = {server_read, server_write, NULL};
    uint8_t seed[32] = {0};
    (void)state;
    memset(&rsa, 0, sizeof rsa);
    rsa.type = KEY_RSA2048;
    assert_int_equal(alpn_serve(&io, certs, 2, &rsa, seed, &chosen), -1);
    assert_null(chosen);
    err_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_served),
        cmocka_unit_test_teardown(test_chacha, defaults_back),
        cmocka_unit_test(test_split_hello),
        cmocka_unit_test(test_alpn_refused),
        cmocka_unit_test(test_sni_refused),
        cmocka_unit_test(test_bad_finished),
        cmocka_unit_test(test_tampered_hello),
        cmocka_unit_test(test_hangup),
        cmocka_unit_test(test_local_error),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
