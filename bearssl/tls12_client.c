/* See tls12_client.h. Built with either TLS library (the unit tests use it); only the BearSSL
 * transport links it into the binary. */
#include "tls12_client.h"

#include <string.h>

#include "chain_verify.h"
#include "crypto_int.h"

#define TLS_CERTIFICATE_REQUEST 13
#define TLS_CERTIFICATE_EXPIRED 45
#define TLS_UNKNOWN_CA 48
#define TLS_UNSUPPORTED_EXTENSION 110
#define ALERT_WARNING 1
#define ALERT_FATAL 2

static int read_full(struct tls12_client *c, uint8_t *p, size_t n)
{
    if (tls12_read_full(c->io->read, c->io->ctx, p, n) == 0) return 0;
    c->io_failed = 1;
    return -1;
}

/* The record of len payload bytes at c->out + TLS12_PAYLOAD. */
static const uint8_t *build_record(struct tls12_client *c, unsigned type, size_t *len)
{
    return tls12_record(&c->t, c->encrypting, type, c->out, len);
}

static int send_record(struct tls12_client *c, unsigned type, size_t len)
{
    const uint8_t *rec = build_record(c, type, &len);
    if (tls12_write_full(c->io->write, c->io->ctx, rec, len) == 0) return 0;
    c->io_failed = 1;
    return -1;
}

static void send_alert(struct tls12_client *c, unsigned level, unsigned description)
{
    c->out[TLS12_PAYLOAD] = (uint8_t)level;
    c->out[TLS12_PAYLOAD + 1] = (uint8_t)description;
    send_record(c, TLS_ALERT, 2);
}

/* The fatal alert for one of our failures (0: none, the stream or the server ended it). */
static unsigned alert_for(int err)
{
    switch (err) {
    case TLS_ERR_UNSUPPORTED_VERSION:
    case TLS_ERR_BAD_VERSION:
        return TLS_PROTOCOL_VERSION;
    case TLS_ERR_BAD_LENGTH:
    case TLS_ERR_TOO_LARGE:
        return TLS_RECORD_OVERFLOW;
    case TLS_ERR_BAD_MAC:
        return TLS_BAD_RECORD_MAC;
    case TLS_ERR_UNEXPECTED:
    case TLS_ERR_UNKNOWN_TYPE:
        return TLS_UNEXPECTED_MESSAGE;
    case TLS_ERR_BAD_CCS:
    case TLS_ERR_BAD_ALERT:
    case TLS_ERR_BAD_HANDSHAKE:
    case TLS_ERR_BAD_HELLO_DONE:
        return TLS_DECODE_ERROR;
    case TLS_ERR_EXTRA_EXTENSION:
        return TLS_UNSUPPORTED_EXTENSION; /* RFC 5246 7.4.1.4 */
    case TLS_ERR_OVERSIZED_ID:
    case TLS_ERR_BAD_CIPHER_SUITE:
    case TLS_ERR_BAD_COMPRESSION:
    case TLS_ERR_BAD_SNI:
    case TLS_ERR_INVALID_ALGORITHM:
        return TLS_ILLEGAL_PARAMETER;
    case TLS_ERR_BAD_SIGNATURE:
    case TLS_ERR_BAD_FINISHED:
        return TLS_DECRYPT_ERROR;
    case TLS_ERR_WRONG_KEY_USAGE:
        return TLS_UNSUPPORTED_CERTIFICATE;
    case X509_CHAIN_EXPIRED:
        return TLS_CERTIFICATE_EXPIRED;
    case X509_CHAIN_NOT_TRUSTED:
        return TLS_UNKNOWN_CA;
    case TLS_ERR_IO:
        return 0;
    default:
        if (err >= X509_CHAIN_OK && err < 64) return TLS_BAD_CERTIFICATE;
        if (err >= TLS_ERR_RECV_FATAL_ALERT) return 0;
        return TLS_HANDSHAKE_FAILURE; /* BAD_SECRENEG, LIMIT_EXCEEDED, our limit */
    }
}

/* Ends the connection for err: the fitting fatal alert when the stream still works, and no
 * secrets left. Always -1. */
static int fail(struct tls12_client *c, int err)
{
    unsigned alert = alert_for(err);

    if (c->err == 0) {
        c->err = err;
        if (alert != 0 && !c->io_failed) send_alert(c, ALERT_FATAL, alert);
    }
    tls12_client_wipe(c);
    return -1;
}

/* Reads the next record: its plaintext in c->data / data_len / data_type. Warning alerts are
 * skipped, close_notify gives 1 (c->closed), a fatal alert or any problem -1. */
static int next_record(struct tls12_client *c)
{
    uint8_t *h = c->in, *payload = c->in + TLS_HEADER_LEN;
    size_t len, i;

    for (;;) {
        if (read_full(c, h, TLS_HEADER_LEN) != 0) return fail(c, TLS_ERR_IO);
        len = (size_t)h[3] << 8 | h[4];
        if (h[0] < TLS_CHANGE_CIPHER_SPEC || h[0] > TLS_APPLICATION_DATA || h[1] != 3)
            return fail(c, TLS_ERR_UNKNOWN_TYPE); /* not TLS (plain HTTP, SSL 2) */
        if (c->server_hello && h[2] != 3) return fail(c, TLS_ERR_BAD_VERSION);
        if (c->decrypting ? !tls12_open_length(&c->t, len) : len > TLS_PLAINTEXT_MAX)
            return fail(c, TLS_ERR_BAD_LENGTH);
        if (read_full(c, payload, len) != 0) return fail(c, TLS_ERR_IO);
        c->data = payload;
        if (c->decrypting && (c->data = tls12_open(&c->t, h, payload, &len)) == NULL)
            return fail(c, TLS_ERR_BAD_MAC);
        c->data_len = len;
        c->data_type = h[0];
        if (h[0] != TLS_ALERT) {
            if (len > 0) return 0;
            continue; /* an empty record */
        }
        /* alerts come in pairs of bytes: level, description */
        if (len % 2 != 0) return fail(c, TLS_ERR_BAD_ALERT);
        for (i = 0; i < len; i += 2) {
            unsigned level = c->data[i], description = c->data[i + 1];
            if (level == ALERT_WARNING && description == TLS_CLOSE_NOTIFY) {
                c->closed = 1;
                c->data_len = 0;
                return 1;
            }
            /* Other warnings are ignored, as BearSSL did, except no_renegotiation: fatal. */
            if (level != ALERT_WARNING || description == TLS_NO_RENEGOTIATION) {
                c->io_failed = 1; /* nothing to tell a server that gave up */
                return fail(c, TLS_ERR_RECV_FATAL_ALERT + (int)description);
            }
        }
    }
}

/* The next handshake message, whole, into c->hs and the transcript. During the handshake a
 * close_notify is a closed connection. */
static int read_handshake(struct tls12_client *c)
{
    size_t need = 4, n;
    int r;

    c->hs_len = 0;
    while (c->hs_len < need) {
        if (c->data_len == 0) {
            if ((r = next_record(c)) != 0) return r < 0 ? -1 : fail(c, TLS_ERR_IO);
            if (c->data_type != TLS_HANDSHAKE) return fail(c, TLS_ERR_UNEXPECTED);
        }
        n = need - c->hs_len < c->data_len ? need - c->hs_len : c->data_len;
        memcpy(c->hs + c->hs_len, c->data, n);
        c->hs_len += n;
        c->data += n;
        c->data_len -= n;
        if (c->hs_len == 4) {
            need = 4 + ((size_t)c->hs[1] << 16 | (size_t)c->hs[2] << 8 | c->hs[3]);
            if (need > sizeof c->hs) return fail(c, TLS12_ERR_HANDSHAKE_LIMIT);
        }
    }
    tls12_transcript(&c->t, c->hs, c->hs_len);
    return 0;
}

static int expect_handshake(struct tls12_client *c, unsigned type)
{
    if (read_handshake(c) != 0) return -1;
    return c->hs[0] == type ? 0 : fail(c, TLS_ERR_UNEXPECTED);
}

/* Sends a handshake message of len bytes built at c->out + TLS12_PAYLOAD. */
static int send_handshake(struct tls12_client *c, size_t len)
{
    tls12_transcript(&c->t, c->out + TLS12_PAYLOAD, len);
    return send_record(c, TLS_HANDSHAKE, len) == 0 ? 0 : fail(c, TLS_ERR_IO);
}

static void add_cert(void *ctx, const uint8_t *der, size_t len)
{
    struct x509_chain *chain = ctx;

    x509_chain_begin_cert(chain, (uint32_t)len);
    x509_chain_append(chain, der, len);
    x509_chain_end_cert(chain);
}

/* Certificate: the chain is validated and its key must fit the suite. */
static int server_certificate(struct tls12_client *c, struct x509_pubkey *key)
{
    unsigned usages = 0;
    int r, rsa = c->suite & 1;

    if (expect_handshake(c, TLS_CERTIFICATE) != 0) return -1;
    x509_chain_start(c->chain);
    if ((r = tls_certificate_parse(c->hs + 4, c->hs_len - 4, add_cert, c->chain)) != 0)
        return fail(c, r);
    if ((r = c->validate(c->validate_ctx, key, &usages)) != X509_CHAIN_OK) return fail(c, r);
    if (key->type != (rsa ? X509_KEY_RSA : X509_KEY_EC) || !(usages & X509_USAGE_SIGN))
        return fail(c, TLS_ERR_WRONG_KEY_USAGE);
    return 0;
}

/* What is wiped before the handshake returns. */
struct secrets {
    br_hmac_drbg_context drbg;
    uint8_t scalar[66];            /* the ephemeral private key */
    uint8_t shared[TLS_POINT_MAX]; /* the server's point, then the ECDH result (premaster: X) */
    size_t point_len;
    int curve;
};

/* ServerKeyExchange: its signature over both randoms and the ECDH parameters, by the
 * server's key. The server's curve and point go to s. */
static int server_key_exchange(struct tls12_client *c, const struct x509_pubkey *key,
                               struct secrets *s)
{
    static struct chain_anchors none;
    struct tls_server_key_exchange ske_parsed, *ske = &ske_parsed;
    uint8_t signed_data[2 * TLS_RANDOM_LEN + 4 + TLS_POINT_MAX];
    struct x509_chain_ops ops;
    struct x509_signed sig;
    int r;

    if (expect_handshake(c, TLS_SERVER_KEY_EXCHANGE) != 0) return -1;
    if ((r = tls_server_key_exchange_parse(c->hs + 4, c->hs_len - 4, c->suite & 1, ske)) != 0)
        return fail(c, r);
    memcpy(signed_data, c->t.client_random, TLS_RANDOM_LEN);
    memcpy(signed_data + TLS_RANDOM_LEN, c->t.server_random, TLS_RANDOM_LEN);
    memcpy(signed_data + 2 * TLS_RANDOM_LEN, ske->params, ske->params_len);
    sig.key_type = key->type;
    sig.hash = (int)ske->hash; /* TLS's hash ids are X509_HASH_*'s */
    sig.tbs = signed_data;
    sig.tbs_len = 2 * TLS_RANDOM_LEN + ske->params_len;
    sig.sig = ske->signature;
    sig.sig_len = ske->signature_len;
    chain_verify_ops(&ops, &none); /* only its signature check, which needs no anchors */
    r = ops.verify(ops.ctx, key, &sig);
    if (r == X509_CHAIN_UNSUPPORTED) return fail(c, TLS_ERR_INVALID_ALGORITHM);
    if (r != X509_CHAIN_OK) return fail(c, TLS_ERR_BAD_SIGNATURE);
    memcpy(s->shared, ske->point, ske->point_len);
    s->point_len = ske->point_len;
    s->curve = (int)ske->curve;
    return 0;
}

/* The rest of the server's flight: an optional CertificateRequest, then ServerHelloDone. */
static int server_hello_done(struct tls12_client *c, int *cert_requested)
{
    if (read_handshake(c) != 0) return -1;
    *cert_requested = c->hs[0] == TLS_CERTIFICATE_REQUEST;
    if (*cert_requested && read_handshake(c) != 0) return -1;
    if (c->hs[0] != TLS_SERVER_HELLO_DONE) return fail(c, TLS_ERR_UNEXPECTED);
    return c->hs_len == 4 ? 0 : fail(c, TLS_ERR_BAD_HELLO_DONE);
}

/* ClientKeyExchange (after an empty Certificate when one was requested), the premaster
 * secret from the server's point, and the keys. */
static int key_exchange(struct tls12_client *c, struct secrets *s, int cert_requested)
{
    static const uint8_t empty_certificate[] = {TLS_CERTIFICATE, 0, 0, 3, 0, 0, 0};
    uint8_t *msg = c->out + TLS12_PAYLOAD;
    size_t scalar_len, point_len;

    if (cert_requested) {
        memcpy(msg, empty_certificate, sizeof empty_certificate);
        if (send_handshake(c, sizeof empty_certificate) != 0) return -1;
    }
    scalar_len = br_ec_keygen(&s->drbg.vtable, &ec_acme, NULL, s->scalar, s->curve);
    point_len = scalar_len == 0 ? 0 : ec_acme.mulgen(msg + 5, s->scalar, scalar_len, s->curve);
    if (point_len == 0 || point_len != s->point_len ||
        !ec_acme.mul(s->shared, s->point_len, s->scalar, scalar_len, s->curve))
        return fail(c, TLS_ERR_INVALID_ALGORITHM); /* not a point of the curve */
    msg[0] = TLS_CLIENT_KEY_EXCHANGE;
    msg[1] = 0;
    msg[2] = 0;
    msg[3] = (uint8_t)(1 + point_len);
    msg[4] = (uint8_t)point_len;
    if (send_handshake(c, 5 + point_len) != 0) return -1;
    tls12_keys(&c->t, s->shared + 1, (point_len - 1) / 2, 1);
    return 0;
}

/* Our ChangeCipherSpec and Finished, then the server's, checked. */
static int finished(struct tls12_client *c)
{
    uint8_t verify_data[TLS_VERIFY_LEN], expected[TLS_FINISHED_LEN];
    unsigned diff = 0;
    size_t i;
    int r;

    c->out[TLS12_PAYLOAD] = 1;
    if (send_record(c, TLS_CHANGE_CIPHER_SPEC, 1) != 0) return fail(c, TLS_ERR_IO);
    c->encrypting = 1;
    tls12_verify_data(&c->t, 0, verify_data);
    tls_finished(c->out + TLS12_PAYLOAD, verify_data);
    if (send_handshake(c, TLS_FINISHED_LEN) != 0) return -1;
    tls12_verify_data(&c->t, 1, verify_data);
    tls_finished(expected, verify_data);

    /* The server's ChangeCipherSpec: a record of its own, after the whole flight. */
    if (c->data_len != 0) return fail(c, TLS_ERR_UNEXPECTED);
    if ((r = next_record(c)) != 0) return r < 0 ? -1 : fail(c, TLS_ERR_IO);
    if (c->data_type != TLS_CHANGE_CIPHER_SPEC) return fail(c, TLS_ERR_UNEXPECTED);
    if (c->data_len != 1 || c->data[0] != 1) return fail(c, TLS_ERR_BAD_CCS);
    c->data_len = 0;
    c->decrypting = 1;
    if (expect_handshake(c, TLS_FINISHED) != 0) return -1;
    if (c->hs_len != TLS_FINISHED_LEN) return fail(c, TLS_ERR_BAD_HANDSHAKE);
    for (i = 0; i < TLS_FINISHED_LEN; i++)
        diff |= c->hs[i] ^ expected[i];
    return diff == 0 ? 0 : fail(c, TLS_ERR_BAD_FINISHED);
}

int tls12_client_handshake(struct tls12_client *c, const struct tls12_io *io, const char *sni,
                           const uint8_t seed[32])
{
    struct secrets s;
    struct tls_server_hello sh = {{0}, 0};
    struct x509_pubkey key;
    size_t len;
    int r, cert_requested, aes = tls12_aes_gcm();

    c->io = io;
    c->err = c->io_failed = c->established = c->closed = 0;
    c->encrypting = c->decrypting = c->server_hello = 0;
    c->data_len = 0;
    tls12_start(&c->t, TLS12_SHA256 | TLS12_SHA384);
    br_hmac_drbg_init(&s.drbg, &br_sha256_vtable, seed, 32);
    br_hmac_drbg_generate(&s.drbg, c->t.client_random, TLS_RANDOM_LEN);

    len = tls_client_hello(c->out + TLS12_PAYLOAD, c->t.client_random, sni, aes);
    r = len == 0 ? fail(c, TLS_ERR_BAD_SNI) : send_handshake(c, len);
    if (r == 0 && expect_handshake(c, TLS_SERVER_HELLO) == 0) {
        if ((r = tls_server_hello_parse(c->hs + 4, c->hs_len - 4, sni != NULL, aes, &sh)) != 0)
            fail(c, r);
        c->server_hello = 1;
    }
    if (c->err == 0) {
        memcpy(c->t.server_random, sh.random, TLS_RANDOM_LEN);
        c->suite = tls_client_suite(sh.suite);
        tls12_set_aead(&c->t, (enum tls12_aead)(c->suite / 2));
        if (server_certificate(c, &key) == 0 && server_key_exchange(c, &key, &s) == 0 &&
            server_hello_done(c, &cert_requested) == 0 &&
            key_exchange(c, &s, cert_requested) == 0 && finished(c) == 0)
            c->established = 1;
    }
    crypto_wipe(&s, sizeof s);
    crypto_wipe(c->t.master, sizeof c->t.master); /* no renegotiation, no resumption */
    return c->established ? 0 : -1;
}

/* Handshake records after the handshake: only HelloRequests, each refused with a
 * no_renegotiation warning (RFC 5746 4.2; the connection goes on). */
static int hello_requests(struct tls12_client *c)
{
    static const uint8_t hello_request[4] = {TLS_HELLO_REQUEST, 0, 0, 0};

    /* a HelloRequest split over records is legal but no server does it */
    while (c->data_len >= 4 && memcmp(c->data, hello_request, 4) == 0) {
        c->data += 4;
        c->data_len -= 4;
        send_alert(c, ALERT_WARNING, TLS_NO_RENEGOTIATION);
        if (c->io_failed) return fail(c, TLS_ERR_IO);
    }
    return c->data_len == 0 ? 0 : fail(c, TLS_ERR_UNEXPECTED);
}

long tls12_client_read(struct tls12_client *c, uint8_t *buf, size_t n)
{
    int r;

    if (c->closed) return 0;
    if (!c->established) return -1;
    while (c->data_len == 0) {
        if ((r = next_record(c)) != 0) return r > 0 ? 0 : -1;
        if (c->data_type == TLS_HANDSHAKE && hello_requests(c) != 0) return -1;
        if (c->data_type == TLS_CHANGE_CIPHER_SPEC) return fail(c, TLS_ERR_UNEXPECTED);
    }
    if (n > c->data_len) n = c->data_len;
    memcpy(buf, c->data, n);
    c->data += n;
    c->data_len -= n;
    return (long)n;
}

int tls12_client_write(struct tls12_client *c, const uint8_t *buf, size_t n)
{
    size_t len;

    if (!c->established) return -1;
    while (n > 0) {
        len = n < TLS_PLAINTEXT_MAX ? n : TLS_PLAINTEXT_MAX;
        memcpy(c->out + TLS12_PAYLOAD, buf, len);
        if (send_record(c, TLS_APPLICATION_DATA, len) != 0) return fail(c, TLS_ERR_IO);
        buf += len;
        n -= len;
    }
    return 0;
}

const uint8_t *tls12_client_close_notify(struct tls12_client *c, size_t *len)
{
    if (!c->established) return NULL;
    c->out[TLS12_PAYLOAD] = ALERT_WARNING;
    c->out[TLS12_PAYLOAD + 1] = TLS_CLOSE_NOTIFY;
    *len = 2;
    return build_record(c, TLS_ALERT, len);
}

void tls12_client_wipe(struct tls12_client *c)
{
    c->established = 0;
    /* The record buffers hold no secrets (requests and responses, never keys): only the
     * keys are wiped. */
    crypto_wipe(&c->t, sizeof c->t);
    c->data_len = 0;
}
