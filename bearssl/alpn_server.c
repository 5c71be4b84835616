/* The TLS side of the TLS-ALPN-01 responder (core/alpn.h): a purpose-built TLS 1.2 server
 * handshake that can complete exactly one kind of handshake, the one RFC 8737 needs:
 * ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with a P-256 ephemeral key, ALPN "acme-tls/1", the
 * certificate chosen by SNI, then close_notify. No application data, no resumption, no
 * renegotiation, no extended master secret.
 *
 * The wire format lives in core/tls_hello.c; this file holds the flow and the cryptography,
 * all of it shared with our TLS client (BearSSL's TLS server engine is ~8 KiB of code a router
 * binary would carry for this one handshake): the P-256 implementation of ec_impl(), ECDSA
 * through x509_sign(), and tls12.c's transcript, key schedule and GCM record protection.
 *
 *   client                               server (this file)
 *   ClientHello            -------->
 *                                        ServerHello, Certificate,
 *                          <--------     ServerKeyExchange, ServerHelloDone
 *   ClientKeyExchange, [CCS],
 *   Finished (encrypted)   -------->     verified
 *                          <--------     [CCS], Finished, close_notify (encrypted) */
#include "../core/build_config.h"

#if defined(CONFIG_TLSALPN01_RESPONDER)

#include <bearssl.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "../core/alpn.h"
#include "../core/err.h"
#include "../core/tls_hello.h"
#include "crypto_int.h"
#include "tls12.h"

/* handshake() results besides 0 (done) and TLS alerts (1..255) */
#define GONE 256   /* the client went away or sent an alert: nothing to send */
#define LOCAL (-1) /* our own failure, the error is set */

#define CURVE BR_EC_secp256r1
#define SCALAR_LEN 32
#define PREMASTER_LEN 32 /* the X coordinate of the shared point */

struct conn {
    const struct alpn_io *io;
    struct tls12 t; /* transcript, randoms, keys */
    unsigned suite; /* AES-128-GCM, or ChaCha20-Poly1305 (tls_server_suite()) */
    int encrypting; /* our CCS was sent */
    int too_large;  /* a handshake message over TLS_HANDSHAKE_MAX (alerted handshake_failure) */
};

/* What is wiped before alpn_serve() returns. */
struct secrets {
    br_hmac_drbg_context drbg;
    uint8_t scalar[SCALAR_LEN];         /* the ephemeral private key */
    uint8_t shared[TLS_P256_POINT_LEN]; /* the ECDH result; premaster = X */
};

/* One record in or out: header, GCM explicit nonce, payload and tag fit (what is sent has its
 * payload at rec + TLS12_PAYLOAD). */
static uint8_t rec[TLS_HEADER_LEN + TLS_RECORD_MAX];
static struct tls_handshake hs;

static int read_full(const struct alpn_io *io, uint8_t *p, size_t n)
{
    return tls12_read_full(io->read, io->ctx, p, n) == 0 ? 0 : GONE;
}

/* Sends one record from the payload at rec + TLS12_PAYLOAD. */
static int send_record(struct conn *c, unsigned type, size_t len)
{
    const uint8_t *out = tls12_record(&c->t, c->encrypting, type, rec, &len);
    return tls12_write_full(c->io->write, c->io->ctx, out, len) == 0 ? 0 : GONE;
}

static void send_alert(struct conn *c, unsigned description)
{
    rec[TLS12_PAYLOAD] = description == TLS_CLOSE_NOTIFY ? 1 : 2; /* warning, fatal */
    rec[TLS12_PAYLOAD + 1] = (uint8_t)description;
    send_record(c, TLS_ALERT, 2);
}

/* Reads one record into rec; its payload is rec + TLS_HEADER_LEN. */
static int read_record(struct conn *c, unsigned *type, size_t *len)
{
    int r = read_full(c->io, rec, TLS_HEADER_LEN);
    if (r != 0) return r;
    if ((r = tls_record_header(rec, type, len)) != 0) return r;
    if ((r = read_full(c->io, rec + TLS_HEADER_LEN, *len)) != 0) return r;
    return *type == TLS_ALERT ? GONE : 0; /* a warning is no reason to go on either */
}

/* Reads one plaintext handshake message of type want into hs and adds it to the transcript. */
static int read_handshake(struct conn *c, unsigned want)
{
    unsigned type;
    size_t len;
    int r;

    hs.len = 0;
    do {
        if ((r = read_record(c, &type, &len)) != 0) return r;
        if (type != TLS_HANDSHAKE) return TLS_UNEXPECTED_MESSAGE;
        r = tls_handshake_add(&hs, rec + TLS_HEADER_LEN, len);
    } while (r == 0);
    c->too_large = r == TLS_HANDSHAKE_FAILURE; /* tls_handshake_add()'s only such refusal */
    if (r != 1) return r;
    if (hs.msg[0] != want) return TLS_UNEXPECTED_MESSAGE;
    tls12_transcript(&c->t, hs.msg, hs.len);
    return 0;
}

/* Answers the ClientHello in hs: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone
 * in one record. */
static int send_server_flight(struct conn *c, struct secrets *s, const struct tls_client_hello *ch,
                              const struct alpn_cert *cert, const struct crypto_key *key)
{
    const br_ec_impl *impl = ec_impl(CURVE);
    uint8_t point[TLS_P256_POINT_LEN], signed_data[2 * TLS_RANDOM_LEN + TLS_ECDH_PARAMS_LEN];
    uint8_t sig[128], *params = signed_data + 2 * TLS_RANDOM_LEN;
    uint8_t *start = rec + TLS12_PAYLOAD, *p = start;
    size_t sig_len;

    br_hmac_drbg_generate(&s->drbg, c->t.server_random, TLS_RANDOM_LEN);
    if (br_ec_keygen(&s->drbg.vtable, impl, NULL, s->scalar, CURVE) != SCALAR_LEN ||
        impl->mulgen(point, s->scalar, SCALAR_LEN, CURVE) != TLS_P256_POINT_LEN)
        return err_set(ACME_ELOCAL, "tls-alpn-01: ephemeral key");
    memcpy(signed_data, c->t.client_random, TLS_RANDOM_LEN);
    memcpy(signed_data + TLS_RANDOM_LEN, c->t.server_random, TLS_RANDOM_LEN);
    tls_ecdh_params(params, point);
    if (x509_sign(key, signed_data, sizeof signed_data, sig, sizeof sig, &sig_len) < 0)
        return LOCAL;

    /* The messages fit in rec unless the certificate is larger than one TLSPlaintext, which
     * the whole flight must fit. */
    if (cert->der_len > 16384) goto full;
    p += tls_server_hello(p, (size_t)(rec + sizeof rec - p), c->t.server_random, ch, c->suite);
    p += tls_certificate(p, cert->der, cert->der_len);
    p += tls_server_key_exchange(p, params, sig, sig_len);
    p += tls_server_hello_done(p);
    if ((size_t)(p - start) > 16384) goto full;
    tls12_transcript(&c->t, start, (size_t)(p - start));
    return send_record(c, TLS_HANDSHAKE, (size_t)(p - start));
full:
    return err_set(ACME_ELOCAL, "tls-alpn-01: %zu-byte certificate too large", cert->der_len);
}

/* ClientKeyExchange: the premaster secret, the master secret and the record keys. */
static int key_exchange(struct conn *c, struct secrets *s)
{
    const br_ec_impl *impl = ec_impl(CURVE);
    const uint8_t *point;
    int r;

    if ((r = read_handshake(c, TLS_CLIENT_KEY_EXCHANGE)) != 0) return r;
    if ((r = tls_client_key_exchange(hs.msg + 4, hs.len - 4, &point)) != 0) return r;
    memcpy(s->shared, point, TLS_P256_POINT_LEN);
    if (!impl->mul(s->shared, TLS_P256_POINT_LEN, s->scalar, SCALAR_LEN, CURVE))
        return TLS_ILLEGAL_PARAMETER; /* not on the curve */
    tls12_keys(&c->t, s->shared + 1, PREMASTER_LEN, 0);
    return 0;
}

/* The client's ChangeCipherSpec and encrypted Finished. */
static int client_finished(struct conn *c)
{
    uint8_t expected[TLS_FINISHED_LEN], verify_data[TLS_VERIFY_LEN], *msg;
    unsigned type, diff = 0;
    size_t len, i;
    int r;

    if ((r = read_record(c, &type, &len)) != 0) return r;
    if (type != TLS_CHANGE_CIPHER_SPEC) return TLS_UNEXPECTED_MESSAGE;
    if (len != 1 || rec[TLS_HEADER_LEN] != 1) return TLS_DECODE_ERROR;

    tls12_verify_data(&c->t, 0, verify_data);
    tls_finished(expected, verify_data);
    if ((r = read_record(c, &type, &len)) != 0) return r;
    if (type != TLS_HANDSHAKE) return TLS_UNEXPECTED_MESSAGE;
    if (!tls12_open_length(&c->t, len)) return TLS_BAD_RECORD_MAC;
    msg = tls12_open(&c->t, rec, rec + TLS_HEADER_LEN, &len);
    if (msg == NULL) return TLS_BAD_RECORD_MAC;
    /* a Finished split over records is legal but no client does it */
    if (len != TLS_FINISHED_LEN || msg[0] != TLS_FINISHED) return TLS_DECODE_ERROR;
    for (i = 0; i < TLS_FINISHED_LEN; i++)
        diff |= msg[i] ^ expected[i];
    if (diff != 0) return TLS_DECRYPT_ERROR;
    tls12_transcript(&c->t, msg, len);
    return 0;
}

/* Our ChangeCipherSpec and Finished: the handshake is complete once they are written. */
static int server_finished(struct conn *c)
{
    uint8_t verify_data[TLS_VERIFY_LEN];
    int r;

    rec[TLS12_PAYLOAD] = 1;
    if ((r = send_record(c, TLS_CHANGE_CIPHER_SPEC, 1)) != 0) return r;
    tls12_verify_data(&c->t, 1, verify_data);
    c->encrypting = 1;
    tls_finished(rec + TLS12_PAYLOAD, verify_data);
    return send_record(c, TLS_HANDSHAKE, TLS_FINISHED_LEN);
}

static int handshake(struct conn *c, struct secrets *s, const struct alpn_cert *certs, size_t n,
                     const struct crypto_key *key, const struct alpn_cert **served)
{
    struct tls_client_hello ch;
    size_t i;
    int r;

    if ((r = read_handshake(c, TLS_CLIENT_HELLO)) != 0) return r;
    if ((r = tls_client_hello_parse(hs.msg + 4, hs.len - 4, &ch)) != 0) return r;
    if ((r = tls_client_hello_check(&ch, tls12_aes_gcm())) != 0) return r;
    for (i = 0; i < n && strcasecmp(ch.host_name, certs[i].sni) != 0; i++)
        ;
    if (i == n || ch.host_name[0] == '\0') return TLS_UNRECOGNIZED_NAME;
    memcpy(c->t.client_random, ch.random, TLS_RANDOM_LEN);
    c->suite = tls_server_suite(&ch, tls12_aes_gcm());
    tls12_set_aead(&c->t, c->suite == TLS_ECDHE_ECDSA_AES128_GCM_SHA256 ? TLS12_AES128_GCM
                                                                        : TLS12_CHACHA20_POLY1305);
    if ((r = send_server_flight(c, s, &ch, &certs[i], key)) != 0) return r;
    if ((r = key_exchange(c, s)) != 0) return r;
    if ((r = client_finished(c)) != 0) return r;
    if ((r = server_finished(c)) != 0) return r;
    *served = &certs[i];
    return 0;
}

/* Why a client was refused, as the error alpn_serve() leaves for the responder's -vv log. */
static void set_refusal(const struct conn *c, int r)
{
    if (c->too_large)
        err_set(ACME_ETEMP, "a handshake message over TLS_HANDSHAKE_MAX (%d bytes)",
                TLS_HANDSHAKE_MAX);
    else if (r == GONE)
        err_set(ACME_ETEMP, "the client hung up or sent an alert");
    else if (r == TLS_NO_APPLICATION_PROTOCOL)
        err_set(ACME_ETEMP, "no acme-tls/1 among its ALPN protocols");
    else if (r == TLS_UNRECOGNIZED_NAME)
        err_set(ACME_ETEMP, "its SNI is not a pending name");
    else if (r == TLS_RECORD_OVERFLOW)
        err_set(ACME_ETEMP, "a record over TLS_RECORD_MAX (%d bytes)", TLS_RECORD_MAX);
    else
        err_set(ACME_ETEMP, "sent TLS alert %d", r);
}

int alpn_serve(const struct alpn_io *io, const struct alpn_cert *certs, size_t n,
               const struct crypto_key *key, const uint8_t seed[32], const char **chosen)
{
    static struct conn c;
    struct secrets s;
    const struct alpn_cert *served = NULL;
    int r;

    *chosen = NULL;
    if (n == 0 || key->type != KEY_EC256) return err_set(ACME_ELOCAL, "tls-alpn-01: no P-256 key");
    memset(&c, 0, sizeof c);
    c.io = io;
    tls12_start(&c.t, TLS12_SHA256);
    br_hmac_drbg_init(&s.drbg, &br_sha256_vtable, seed, 32);
    r = handshake(&c, &s, certs, n, key, &served);
    if (r == 0) {
        send_alert(&c, TLS_CLOSE_NOTIFY); /* the validation only looks at the certificate */
        *chosen = served->sni;
    } else if (r == LOCAL)
        send_alert(&c, TLS_INTERNAL_ERROR);
    else if (r != GONE)
        send_alert(&c, (unsigned)r);
    if (r != 0 && r != LOCAL) set_refusal(&c, r);
    crypto_wipe(&s, sizeof s);
    crypto_wipe(&c, sizeof c);
    crypto_wipe(rec, sizeof rec);
    return r == 0 ? 1 : r == LOCAL ? -1 : 0;
}

#endif /* CONFIG_TLSALPN01_RESPONDER */
