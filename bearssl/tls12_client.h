/* Our TLS 1.2 client (it replaces BearSSL's client engine in the HTTPS transport,
 * bearssl/tls_client.c): one full handshake with ECDHE_ECDSA or ECDHE_RSA and AES-GCM or
 * ChaCha20-Poly1305 (the six suites of tls_client_suites[]), then application data in both
 * directions. No resumption, no renegotiation (a HelloRequest gets a no_renegotiation
 * warning), no client certificate (a CertificateRequest gets an empty Certificate), no ALPN.
 *
 *   client (this file)                   server
 *   ClientHello            -------->
 *                                        ServerHello, Certificate,
 *                          <--------     ServerKeyExchange, [CertificateRequest],
 *                                        ServerHelloDone
 *   [Certificate], ClientKeyExchange,
 *   [CCS], Finished        -------->
 *                          <--------     [CCS], Finished (verified before any data flows)
 *
 * The wire format is core/tls_hello.c's, the key schedule and record protection tls12.c's,
 * the certificate chain goes to the caller (core/x509_chain.c) and the ServerKeyExchange
 * signature is checked with chain_verify.c's verifier. Failures are BearSSL's error codes
 * (TLS_ERR_*, X509_CHAIN_*), so the transport's messages stay what they were. Fixed buffers
 * inside struct tls12_client, no allocation. */
#ifndef ACME_BEARSSL_TLS12_CLIENT_H
#define ACME_BEARSSL_TLS12_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/x509_chain.h"
#include "tls12.h"

/* The byte stream to the server: read returns > 0 bytes, 0 at end of file, < 0 on an error;
 * write returns the bytes written (> 0) or < 0. */
struct tls12_io {
    long (*read)(void *ctx, uint8_t *buf, size_t n);
    long (*write)(void *ctx, const uint8_t *buf, size_t n);
    void *ctx;
};

/* The largest handshake message accepted from the server: a Certificate message with
 * X509_CHAIN_BYTES of certificates and the framing of up to 20 of them. A larger one fails
 * with TLS12_ERR_HANDSHAKE_LIMIT. */
#define TLS12_HANDSHAKE_MAX (X509_CHAIN_BYTES + 64)
/* Our own failure code (BearSSL has none with this number). */
#define TLS12_ERR_HANDSHAKE_LIMIT 63

struct tls12_client {
    struct tls12 t;
    const struct tls12_io *io;
    /* The server's chain: its certificates are collected into chain, then validate(ctx) runs:
     * X509_CHAIN_OK with the server's key and X509_USAGE_* bits, or an X509_CHAIN_* code. */
    struct x509_chain *chain;
    int (*validate)(void *ctx, struct x509_pubkey *key, unsigned *usages);
    void *validate_ctx;
    int err;          /* 0, or why the connection failed (see the file comment) */
    int io_failed;    /* the stream failed: no alert can follow */
    int established;  /* both Finished messages were exchanged and checked */
    int closed;       /* the server sent close_notify */
    int encrypting;   /* our ChangeCipherSpec went out */
    int decrypting;   /* the server's ChangeCipherSpec came in */
    int server_hello; /* the version is fixed: records must say TLS 1.2 */
    int suite;        /* index in tls_client_suites[] */
    uint8_t in[TLS12_RECORD_BUF];
    uint8_t *data; /* the unread plaintext of the last record read, inside in[] */
    size_t data_len;
    unsigned data_type;
    uint8_t out[TLS12_RECORD_BUF];
    uint8_t hs[TLS12_HANDSHAKE_MAX];
    size_t hs_len;
};

/* Runs the handshake over io. sni: the server name to send (NULL: none); seed: 32 random bytes
 * for the client random and the ephemeral key. 0, or -1 with c->err set (the fatal alert that
 * fits went out when it could). */
int tls12_client_handshake(struct tls12_client *c, const struct tls12_io *io, const char *sni,
                           const uint8_t seed[32]);
/* Application data: > 0 bytes, 0 once the server sent close_notify, -1 with c->err. */
long tls12_client_read(struct tls12_client *c, uint8_t *buf, size_t n);
/* Sends all n bytes; 0, or -1 with c->err. */
int tls12_client_write(struct tls12_client *c, const uint8_t *buf, size_t n);
/* A close_notify record to send (inside c->out), or NULL when the connection is not up. */
const uint8_t *tls12_client_close_notify(struct tls12_client *c, size_t *len);
/* Forgets the connection's keys (also done on any failure). */
void tls12_client_wipe(struct tls12_client *c);

#endif
