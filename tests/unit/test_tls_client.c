/* Unit tests: bearssl/tls12_client.c, our TLS 1.2 client, against BearSSL's own TLS server
 * engine (linked here only, never into the acme binary). Both run in this process: the
 * client's io->read runs the server engine until it has something to say, io->write queues
 * for the server. Each of the six suites with an EC or RSA server key, fragmented flights and
 * short reads, keep-alive traffic in both directions, and a man in the middle changing the
 * server's bytes (version, suite, extensions, signature, Finished, record sizes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <bearssl.h>

#include "../../bearssl/crypto_int.h"
#include "../../bearssl/tls12_client.h"
#include "crypto.h"
#include "err.h"
#include "tls_hello.h"
#include "x509.h"

static struct crypto_key ec_key, rsa_key;
static uint8_t ec_der[2048], rsa_der[2048];
static size_t ec_der_len, rsa_der_len;

/* One direction of the connection. */
struct pipe {
    uint8_t buf[1 << 18];
    size_t len, off;
};
static struct pipe c2s, s2c;

static br_ssl_server_context sc;
static br_x509_certificate server_chain;
static br_ec_private_key ec_sk;
static br_rsa_private_key rsa_sk;
static unsigned char server_in[BR_SSL_BUFSIZE_INPUT], server_out[BR_SSL_BUFSIZE_OUTPUT];
static uint8_t server_app[1 << 18]; /* application data the server received */
static size_t server_app_len;

static struct tls12_client tc;
static struct x509_chain chain;
static const struct tls12_io io;
static int validate_result;    /* what the chain "validation" answers */
static int validate_other_key; /* hand the client the key of the other type */
static size_t read_max;        /* the largest read the client gets */
static size_t reads;
static void (*tamper)(void); /* changes s2c once its target is there, then clears itself */

/* A "validator" that trusts the leaf and returns its key. */
static int accept_leaf(void *ctx, struct x509_pubkey *key, unsigned *usages)
{
    static struct x509_info other;
    struct x509_info x;
    size_t len;
    const uint8_t *leaf = x509_chain_leaf(&chain, &len);

    (void)ctx;
    assert_non_null(leaf);
    assert_int_equal(x509_parse(leaf, len, &x), 0);
    assert_int_equal(x509_spki_key(x.spki, x.spki_len, key), 0);
    if (validate_other_key) {
        int ec = key->type == X509_KEY_EC;
        assert_int_equal(x509_parse(ec ? rsa_der : ec_der, ec ? rsa_der_len : ec_der_len, &other),
                         0);
        assert_int_equal(x509_spki_key(other.spki, other.spki_len, key), 0);
    }
    *usages = X509_USAGE_SIGN | X509_USAGE_KEYX;
    return validate_result;
}

/* Runs the server engine as far as it gets with what the client sent. */
static void run_server(void)
{
    for (;;) {
        unsigned st = br_ssl_engine_current_state(&sc.eng);
        unsigned char *b;
        size_t len;
        if (st & BR_SSL_CLOSED) return;
        if (st & BR_SSL_SENDREC) {
            b = br_ssl_engine_sendrec_buf(&sc.eng, &len);
            assert_true(len <= sizeof s2c.buf - s2c.len);
            memcpy(s2c.buf + s2c.len, b, len);
            s2c.len += len;
            br_ssl_engine_sendrec_ack(&sc.eng, len);
            continue;
        }
        if (st & BR_SSL_RECVAPP) {
            b = br_ssl_engine_recvapp_buf(&sc.eng, &len);
            assert_true(len <= sizeof server_app - server_app_len);
            memcpy(server_app + server_app_len, b, len);
            server_app_len += len;
            br_ssl_engine_recvapp_ack(&sc.eng, len);
            continue;
        }
        if ((st & BR_SSL_RECVREC) && c2s.off < c2s.len) {
            b = br_ssl_engine_recvrec_buf(&sc.eng, &len);
            if (len > c2s.len - c2s.off) len = c2s.len - c2s.off;
            memcpy(b, c2s.buf + c2s.off, len);
            c2s.off += len;
            br_ssl_engine_recvrec_ack(&sc.eng, len);
            continue;
        }
        return;
    }
}

static long client_read(void *ctx, uint8_t *buf, size_t n)
{
    static const size_t chunks[] = {1, 3, 5, 700, 4096};
    size_t max = chunks[reads++ % 5];
    (void)ctx;
    if (s2c.off == s2c.len) run_server();
    if (tamper != NULL) tamper();
    if (s2c.off == s2c.len) return 0; /* the server has nothing more to say: end of file */
    if (max > read_max) max = read_max;
    if (n > max) n = max;
    if (n > s2c.len - s2c.off) n = s2c.len - s2c.off;
    memcpy(buf, s2c.buf + s2c.off, n);
    s2c.off += n;
    return (long)n;
}

static long client_write(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    assert_true(n <= sizeof c2s.buf - c2s.len);
    memcpy(c2s.buf + c2s.len, buf, n);
    c2s.len += n;
    return (long)n;
}

static const struct tls12_io io = {client_read, client_write, NULL};

/* Sets up the server for one suite with the key the suite needs (out_size: its output buffer,
 * which bounds its records). */
static void start_server(uint16_t suite, size_t out_size)
{
    int rsa = tls_client_suite(suite) & 1;

    memset(&c2s, 0, sizeof c2s);
    memset(&s2c, 0, sizeof s2c);
    server_app_len = 0;
    reads = 0;
    tamper = NULL;
    validate_result = X509_CHAIN_OK;
    validate_other_key = 0;
    read_max = 1 << 20;
    server_chain.data = rsa ? rsa_der : ec_der;
    server_chain.data_len = rsa ? rsa_der_len : ec_der_len;
    if (rsa)
        br_ssl_server_init_full_rsa(&sc, &server_chain, 1, &rsa_sk);
    else
        br_ssl_server_init_full_ec(&sc, &server_chain, 1, BR_KEYTYPE_EC, &ec_sk);
    br_ssl_engine_set_versions(&sc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(&sc.eng, &suite, 1);
    br_ssl_engine_set_buffers_bidi(&sc.eng, server_in, sizeof server_in, server_out, out_size);
    assert_true(br_ssl_server_reset(&sc));
    memset(&tc, 0, sizeof tc);
    tc.chain = &chain;
    tc.validate = accept_leaf;
}

static int handshake(void)
{
    static const uint8_t seed[32] = {9, 8, 7};
    return tls12_client_handshake(&tc, &io, "test.example", seed);
}

/* The server's last error once it has read all the client sent. */
static int server_error(void)
{
    run_server();
    return br_ssl_engine_last_error(&sc.eng);
}

static void server_send(const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t len;
        unsigned char *b = br_ssl_engine_sendapp_buf(&sc.eng, &len);
        assert_non_null(b);
        if (len > n) len = n;
        memcpy(b, p, len);
        br_ssl_engine_sendapp_ack(&sc.eng, len);
        p += len;
        n -= len;
        run_server();
    }
    br_ssl_engine_flush(&sc.eng, 0);
    run_server();
}

/* Client to server and back, n bytes each way, the client reading in pieces of up to 5000. */
static void round_trip(size_t n, unsigned salt)
{
    static uint8_t out[1 << 17], in[1 << 17];
    size_t i, got = 0;
    long r;

    assert_true(n <= sizeof out);
    for (i = 0; i < n; i++)
        out[i] = (uint8_t)(i * 7 + salt);
    server_app_len = 0;
    assert_int_equal(tls12_client_write(&tc, out, n), 0);
    run_server();
    assert_int_equal(server_app_len, n);
    assert_memory_equal(server_app, out, n);
    for (i = 0; i < n; i++)
        out[i] ^= 0x5A;
    server_send(out, n);
    while (got < n) {
        r = tls12_client_read(&tc, in + got, n - got < 5000 ? n - got : 5000);
        assert_true(r > 0);
        got += (size_t)r;
    }
    assert_memory_equal(in, out, n);
}

/* The client's close_notify reaches the server, which closes cleanly. */
static void close_cleanly(void)
{
    size_t len;
    const uint8_t *rec = tls12_client_close_notify(&tc, &len);
    assert_non_null(rec);
    client_write(NULL, rec, len);
    assert_int_equal(server_error(), BR_ERR_OK);
    assert_true(br_ssl_engine_current_state(&sc.eng) & BR_SSL_CLOSED);
}

static int setup(void **state)
{
    static const char *const names[] = {"test.example"};
    struct cert_opts o = {names, 1, NULL, 1700000000, 4000000000, 0, NULL, NULL, 0, NULL, 0};
    br_ec_public_key ec_pk;
    br_rsa_public_key rsa_pk;
    (void)state;
    if (crypto_key_generate(&ec_key, KEY_EC256) < 0 ||
        crypto_key_generate(&rsa_key, KEY_RSA2048) < 0 ||
        crypto_cert(&ec_key, &o, ec_der, sizeof ec_der, &ec_der_len) < 0 ||
        crypto_cert(&rsa_key, &o, rsa_der, sizeof rsa_der, &rsa_der_len) < 0)
        return -1;
    key_ec_views(&ec_key, &ec_sk, &ec_pk);
    key_rsa_views(&rsa_key, &rsa_sk, &rsa_pk);
    return 0;
}

/* Each suite, with the key it needs: handshake, data both ways, close_notify. */
static void test_suites(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < TLS_CLIENT_SUITES; i++) {
        start_server(tls_client_suites[i], sizeof server_out);
        assert_int_equal(handshake(), 0);
        assert_int_equal(tc.err, 0);
        assert_int_equal(tc.suite, i);
        assert_int_equal(br_ssl_engine_get_version(&sc.eng), BR_TLS12);
        round_trip(100, (unsigned)i);
        close_cleanly();
    }
}

/* On a machine without AES-GCM (tls12_aes_gcm() says no) only the ChaCha20 suites are
 * offered: a server that has them is fine, an AES-only one fails the handshake. */
static void test_without_aes(void **state)
{
    (void)state;
    tls12_aes_off = 1;
    start_server(tls_client_suites[4], sizeof server_out);
    assert_int_equal(handshake(), 0);
    assert_int_equal(tc.suite, 4);
    round_trip(100, 1);
    close_cleanly();
    start_server(tls_client_suites[5], sizeof server_out); /* RSA */
    assert_int_equal(handshake(), 0);
    assert_int_equal(tc.suite, 5);
    close_cleanly();
    start_server(tls_client_suites[0], sizeof server_out);
    assert_int_not_equal(handshake(), 0);
    assert_int_equal(server_error(), BR_ERR_SEND_FATAL_ALERT + 40); /* handshake_failure */
}

static int aes_back_on(void **state)
{
    (void)state;
    tls12_aes_off = 0;
    return 0;
}

/* The number of records in s2c so far. */
static unsigned records(void)
{
    size_t at = 0;
    unsigned n = 0;
    while (at + 5 <= s2c.len) {
        at += 5 + ((size_t)s2c.buf[at + 3] << 8 | s2c.buf[at + 4]);
        n++;
    }
    return n;
}

/* Rewrites the server's plaintext handshake records into records of at most 37 bytes, so
 * that message headers and bodies are split at odd places. */
static void split_records(void)
{
    static uint8_t copy[sizeof s2c.buf];
    size_t at = 0, out = 0, len, i, n;

    if (s2c.len == 0) return;
    memcpy(copy, s2c.buf, s2c.len);
    while (at + 5 <= s2c.len) {
        len = (size_t)copy[at + 3] << 8 | copy[at + 4];
        for (i = 0; i < len || i == 0; i += n) {
            n = copy[at] == 22 && len - i > 37 ? 37 : len - i;
            memcpy(s2c.buf + out, copy + at, 3);
            s2c.buf[out + 3] = (uint8_t)(n >> 8);
            s2c.buf[out + 4] = (uint8_t)n;
            memcpy(s2c.buf + out + 5, copy + at + 5 + i, n);
            out += 5 + n;
            if (len == 0) break;
        }
        at += 5 + len;
    }
    assert_int_equal(at, s2c.len);
    s2c.len = out;
    tamper = NULL;
}

/* The server's flight in records of at most 512 bytes, then of at most 37 bytes, read 1 to 5
 * bytes at a time. */
static void test_fragmented(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < 2; i++) {
        start_server(tls_client_suites[i], 512 + 85);
        read_max = 5;
        assert_int_equal(handshake(), 0);
        assert_true(records() >= 4);
        round_trip(1000, 3);
        close_cleanly();

        start_server(tls_client_suites[i], sizeof server_out);
        tamper = split_records;
        assert_int_equal(handshake(), 0);
        assert_null(tamper);
        assert_true(records() >= 20);
        round_trip(1000, 4);
        close_cleanly();
    }
}

/* Many requests on one connection, larger than one record each way. */
static void test_keep_alive(void **state)
{
    static const size_t sizes[] = {1, 40000, 16384, 16385, 70000, 5};
    size_t i;
    (void)state;
    start_server(tls_client_suites[4], sizeof server_out); /* ChaCha20 */
    assert_int_equal(handshake(), 0);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        round_trip(sizes[i], (unsigned)i);
    close_cleanly();
    start_server(tls_client_suites[3], sizeof server_out); /* AES-256-GCM, SHA-384 */
    assert_int_equal(handshake(), 0);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        round_trip(sizes[i], (unsigned)i + 9);
    close_cleanly();
}

/* ---- a man in the middle: changes to the server's plaintext flight */

/* s2c offsets of the handshake bytes in plaintext handshake records, in order: *n of them. */
static size_t hs_at[1 << 16];
static size_t handshake_bytes(size_t *n)
{
    size_t at = 0, len, i;
    *n = 0;
    while (at + 5 <= s2c.len && s2c.buf[at] != 20) {
        len = (size_t)s2c.buf[at + 3] << 8 | s2c.buf[at + 4];
        if (s2c.buf[at] == 22)
            for (i = 0; i < len && at + 5 + i < s2c.len; i++)
                hs_at[(*n)++] = at + 5 + i;
        at += 5 + len;
    }
    return *n;
}

/* The s2c offset of byte `off` of the server's handshake message of this type (or 0). */
static size_t message_byte(unsigned type, size_t off)
{
    size_t n, pos = 0, len;
    handshake_bytes(&n);
    while (pos + 4 <= n) {
        len = (size_t)s2c.buf[hs_at[pos + 1]] << 16 | (size_t)s2c.buf[hs_at[pos + 2]] << 8 |
              s2c.buf[hs_at[pos + 3]];
        if (s2c.buf[hs_at[pos]] == type) return pos + 4 + off < n ? hs_at[pos + 4 + off] : 0;
        pos += 4 + len;
    }
    return 0;
}

static size_t message_len(unsigned type)
{
    size_t at = message_byte(type, 0);
    size_t n, pos = 0;
    if (at == 0) return 0;
    handshake_bytes(&n);
    while (hs_at[pos] != at)
        pos++;
    return (size_t)s2c.buf[hs_at[pos - 3]] << 16 | (size_t)s2c.buf[hs_at[pos - 2]] << 8 |
           s2c.buf[hs_at[pos - 1]];
}

static void flip_ske_signature(void)
{
    size_t len = message_len(TLS_SERVER_KEY_EXCHANGE);
    if (len == 0) return;
    s2c.buf[message_byte(TLS_SERVER_KEY_EXCHANGE, len - 1)] ^= 0x01;
    tamper = NULL;
}

static void old_version(void)
{
    if (message_len(TLS_SERVER_HELLO) == 0) return;
    s2c.buf[message_byte(TLS_SERVER_HELLO, 1)] = 0x02; /* TLS 1.1 */
    tamper = NULL;
}

static void other_suite(void)
{
    size_t sid;
    if (message_len(TLS_SERVER_HELLO) == 0) return;
    sid = s2c.buf[message_byte(TLS_SERVER_HELLO, 34)];
    s2c.buf[message_byte(TLS_SERVER_HELLO, 35 + sid)] = 0xC0;
    s2c.buf[message_byte(TLS_SERVER_HELLO, 36 + sid)] = 0x23; /* ECDHE_ECDSA_AES_128_CBC_SHA256 */
    tamper = NULL;
}

/* Appends an empty extension 0x1234 to the ServerHello, alone at the start of the first
 * record (the server's default records hold the whole flight). */
static void extra_extension(void)
{
    size_t len = message_len(TLS_SERVER_HELLO), end, rec_len, ext_at;
    static const uint8_t ext[4] = {0x12, 0x34, 0, 0};
    if (len == 0) return;
    assert_int_equal(message_byte(TLS_SERVER_HELLO, 0), 9);
    end = 9 + len;
    ext_at = 9 + 2 + 32 + 1 + s2c.buf[9 + 34] + 3; /* the extensions' length */
    assert_true(ext_at + 2 <= end);
    memmove(s2c.buf + end + 4, s2c.buf + end, s2c.len - end);
    memcpy(s2c.buf + end, ext, 4);
    s2c.len += 4;
    rec_len = ((size_t)s2c.buf[3] << 8 | s2c.buf[4]) + 4;
    s2c.buf[3] = (uint8_t)(rec_len >> 8);
    s2c.buf[4] = (uint8_t)rec_len;
    s2c.buf[5 + 3] = (uint8_t)(len + 4); /* < 256 */
    assert_int_equal(s2c.buf[5 + 2], 0);
    len = ((size_t)s2c.buf[ext_at] << 8 | s2c.buf[ext_at + 1]) + 4;
    s2c.buf[ext_at] = (uint8_t)(len >> 8);
    s2c.buf[ext_at + 1] = (uint8_t)len;
    tamper = NULL;
}

/* The client fails with want, and the server got the fatal alert. */
static void check_refused(void (*change)(void), int suite, int want, int alert)
{
    start_server(tls_client_suites[suite], sizeof server_out);
    tamper = change;
    assert_int_equal(handshake(), -1);
    assert_null(tamper); /* the change was made */
    assert_int_equal(tc.err, want);
    assert_false(tc.established);
    assert_int_equal(server_error(), BR_ERR_RECV_FATAL_ALERT + alert);
    assert_int_equal(tls12_client_write(&tc, (const uint8_t *)"x", 1), -1);
}

static void test_tampered_hello(void **state)
{
    (void)state;
    check_refused(old_version, 0, TLS_ERR_UNSUPPORTED_VERSION, TLS_PROTOCOL_VERSION);
    check_refused(other_suite, 1, TLS_ERR_BAD_CIPHER_SUITE, TLS_ILLEGAL_PARAMETER);
    check_refused(extra_extension, 2, TLS_ERR_EXTRA_EXTENSION, 110);
}

static void test_tampered_signature(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < 2; i++) /* ECDSA, RSA */
        check_refused(flip_ske_signature, i, TLS_ERR_BAD_SIGNATURE, TLS_DECRYPT_ERROR);
}

/* The server's Finished re-encrypted with one bit of its verify_data changed: the keys from
 * the server engine's master secret (AES-128-GCM: a 40-byte key block). */
static void wrong_finished(void)
{
    br_sslrec_gcm_context in, out;
    br_tls_prf_seed_chunk seed[2] = {{sc.eng.server_random, 32}, {sc.eng.client_random, 32}};
    uint8_t block[40], *plain;
    size_t at = 0, len, plen;
    int after_ccs = 0;

    while (at + 5 <= s2c.len) {
        len = (size_t)s2c.buf[at + 3] << 8 | s2c.buf[at + 4];
        if (after_ccs && s2c.buf[at] == 22 && at + 5 + len <= s2c.len) break;
        if (s2c.buf[at] == 20) after_ccs = 1;
        at += 5 + len;
    }
    if (at + 5 > s2c.len) return;
    br_tls12_sha256_prf(block, sizeof block, sc.eng.session.master_secret, 48, "key expansion", 2,
                        seed);
    br_sslrec_in_gcm_vtable.init(&in.vtable.in, &br_aes_ct_ctr_vtable, block + 16, 16,
                                 br_ghash_ctmul, block + 36);
    br_sslrec_out_gcm_vtable.init(&out.vtable.out, &br_aes_ct_ctr_vtable, block + 16, 16,
                                  br_ghash_ctmul, block + 36);
    plen = len;
    plain = br_sslrec_in_gcm_vtable.inner.decrypt(
        (const br_sslrec_in_class **)(void *)&in.vtable.in, 22, 0x0303, s2c.buf + at + 5, &plen);
    assert_non_null(plain);
    assert_int_equal(plen, 16);
    assert_int_equal(plain[0], TLS_FINISHED);
    plain[15] ^= 0x80;
    /* the plaintext is at at + 5 + 8: the record is rebuilt in place */
    assert_ptr_equal(
        br_sslrec_out_gcm_vtable.inner.encrypt(
            (const br_sslrec_out_class **)(void *)&out.vtable.out, 22, 0x0303, plain, &plen),
        s2c.buf + at);
    assert_int_equal(plen, 5 + len);
    tamper = NULL;
}

static void test_tampered_finished(void **state)
{
    (void)state;
    check_refused(wrong_finished, 0, TLS_ERR_BAD_FINISHED, TLS_DECRYPT_ERROR);
}

static void test_chain_refused(void **state)
{
    (void)state;
    start_server(tls_client_suites[0], sizeof server_out);
    validate_result = X509_CHAIN_NOT_TRUSTED;
    assert_int_equal(handshake(), -1);
    assert_int_equal(tc.err, X509_CHAIN_NOT_TRUSTED);
    assert_int_equal(server_error(), BR_ERR_RECV_FATAL_ALERT + 48); /* unknown_ca */

    /* an RSA key for an ECDSA suite, and the reverse */
    start_server(tls_client_suites[0], sizeof server_out);
    validate_other_key = 1;
    assert_int_equal(handshake(), -1);
    assert_int_equal(tc.err, TLS_ERR_WRONG_KEY_USAGE);
    start_server(tls_client_suites[1], sizeof server_out);
    validate_other_key = 1;
    assert_int_equal(handshake(), -1);
    assert_int_equal(tc.err, TLS_ERR_WRONG_KEY_USAGE);
}

/* A record over the limit: during the handshake (plaintext) and after it (encrypted). */
static void test_oversized_record(void **state)
{
    static const uint8_t big[5] = {23, 3, 3, (16384 + 25) >> 8, (16384 + 25) & 0xFF};
    static const uint8_t big_plain[5] = {22, 3, 3, (16384 + 1) >> 8, (16384 + 1) & 0xFF};
    uint8_t buf[16];
    (void)state;
    start_server(tls_client_suites[0], sizeof server_out);
    memcpy(s2c.buf, big_plain, 5);
    s2c.len = 5 + 16385;
    assert_int_equal(handshake(), -1);
    assert_int_equal(tc.err, TLS_ERR_BAD_LENGTH);
    assert_int_equal(s2c.off, 5); /* refused on its header */

    start_server(tls_client_suites[0], sizeof server_out);
    assert_int_equal(handshake(), 0);
    memcpy(s2c.buf + s2c.len, big, 5);
    s2c.len += 5 + 16384 + 25;
    assert_int_equal(tls12_client_read(&tc, buf, sizeof buf), -1);
    assert_int_equal(tc.err, TLS_ERR_BAD_LENGTH);
    assert_int_equal(server_error(), BR_ERR_RECV_FATAL_ALERT + TLS_RECORD_OVERFLOW);
}

/* After close_notify nothing is read, not even a record that follows it (it would not
 * decrypt: reading it would fail). */
static void test_data_after_close(void **state)
{
    static const uint8_t late[5 + 40] = {23, 3, 3, 0, 40, 1, 2, 3};
    uint8_t buf[64];
    (void)state;
    start_server(tls_client_suites[0], sizeof server_out);
    assert_int_equal(handshake(), 0);
    server_send((const uint8_t *)"first", 5);
    assert_int_equal(tls12_client_read(&tc, buf, sizeof buf), 5);
    br_ssl_engine_close(&sc.eng);
    run_server();
    memcpy(s2c.buf + s2c.len, late, sizeof late);
    s2c.len += sizeof late;
    assert_int_equal(tls12_client_read(&tc, buf, sizeof buf), 0);
    assert_int_equal(tls12_client_read(&tc, buf, sizeof buf), 0);
    assert_int_equal(tc.err, 0);
    assert_int_equal(s2c.len - s2c.off, sizeof late); /* never read */
}

/* A HelloRequest gets a no_renegotiation warning (which BearSSL's server takes as fatal). */
static void test_hello_request(void **state)
{
    uint8_t buf[64];
    (void)state;
    start_server(tls_client_suites[1], sizeof server_out);
    assert_int_equal(handshake(), 0);
    assert_true(br_ssl_engine_renegotiate(&sc.eng));
    run_server();
    assert_int_equal(tls12_client_read(&tc, buf, sizeof buf), -1);
    assert_int_equal(tc.err, TLS_ERR_IO); /* then the server hung up */
    assert_int_equal(server_error(), BR_ERR_RECV_FATAL_ALERT + TLS_NO_RENEGOTIATION);
}

/* The server goes away in the middle of its flight: no alert can follow. */
static void cut_flight(void)
{
    if (s2c.len < 100) return;
    s2c.len = 100;
    tamper = NULL;
}

static void test_truncated_flight(void **state)
{
    (void)state;
    start_server(tls_client_suites[0], sizeof server_out);
    tamper = cut_flight;
    assert_int_equal(handshake(), -1);
    assert_int_equal(tc.err, TLS_ERR_IO);
    assert_int_equal(tc.io_failed, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suites),
        cmocka_unit_test_teardown(test_without_aes, aes_back_on),
        cmocka_unit_test(test_fragmented),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_tampered_hello),
        cmocka_unit_test(test_tampered_signature),
        cmocka_unit_test(test_tampered_finished),
        cmocka_unit_test(test_chain_refused),
        cmocka_unit_test(test_oversized_record),
        cmocka_unit_test(test_data_after_close),
        cmocka_unit_test(test_hello_request),
        cmocka_unit_test(test_truncated_flight),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
