/* The TLS 1.2 cryptography our two purpose-built handshakes share (bearssl/alpn_server.c, the
 * TLS-ALPN-01 responder; bearssl/tls12_client.c, the HTTPS client): the handshake transcript,
 * the PRF (SHA-256 or SHA-384 as the suite says), the master secret, the key block and
 * Finished verify_data (RFC 5246 5, 6.3, 7.4.9, 8.1), and record protection with BearSSL's
 * AEAD record classes (br_sslrec_in/out_gcm_vtable with tls_aes_ctr()'s AES-CTR and GHASH,
 * br_sslrec_in/out_chapol_vtable), which also keep the sequence numbers. */
#ifndef ACME_BEARSSL_TLS12_H
#define ACME_BEARSSL_TLS12_H

#include <bearssl.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/tls_hello.h"

#define TLS12_MASTER_LEN 48
#define TLS12_GCM_NONCE 8 /* the explicit nonce of a GCM record (RFC 5288 3) */
#define TLS12_TAG_LEN 16
/* Where the payload of a record goes in a record buffer: after the header and room for a GCM
 * explicit nonce, so that tls12_seal() encrypts in place. */
#define TLS12_PAYLOAD (TLS_HEADER_LEN + TLS12_GCM_NONCE)
/* A record buffer: one whole record of up to TLS_PLAINTEXT_MAX plaintext bytes, sealed. */
#define TLS12_RECORD_BUF (TLS12_PAYLOAD + TLS_PLAINTEXT_MAX + TLS12_TAG_LEN)

/* The record protection of a suite: tls_client_suite(suite) / 2. */
enum tls12_aead { TLS12_AES128_GCM, TLS12_AES256_GCM, TLS12_CHACHA20_POLY1305 };

struct tls12 {
    br_sha256_context sha256; /* the transcript, for the SHA-256 PRF */
    br_sha384_context sha384; /* ... for the SHA-384 PRF */
    int hashes;               /* TLS12_SHA256 | TLS12_SHA384: which of them run */
    enum tls12_aead aead;
    uint8_t client_random[TLS_RANDOM_LEN];
    uint8_t server_random[TLS_RANDOM_LEN];
    uint8_t master[TLS12_MASTER_LEN];
    union {
        const br_sslrec_in_class *vtable;
        br_sslrec_gcm_context gcm;
        br_sslrec_chapol_context chapol;
    } in; /* decrypts what the peer sends */
    union {
        const br_sslrec_out_class *vtable;
        br_sslrec_gcm_context gcm;
        br_sslrec_chapol_context chapol;
    } out; /* encrypts what we send */
};
#define TLS12_SHA256 1
#define TLS12_SHA384 2

/* Whether this machine can do the AES-GCM suites (see tls_aes_ctr() in crypto_int.h); without
 * them the client offers and the responder accepts only ChaCha20-Poly1305. */
int tls12_aes_gcm(void);
/* Tests only: nonzero makes tls12_aes_gcm() say no, as on a CPU without AES instructions. */
extern int tls12_aes_off;

/* Starts the transcript. hashes: both until a client knows the suite. */
void tls12_start(struct tls12 *t, int hashes);
/* The suite is known: its AEAD, and its PRF hash alone goes on. */
void tls12_set_aead(struct tls12 *t, enum tls12_aead aead);
void tls12_transcript(struct tls12 *t, const uint8_t *msg, size_t len);
/* The master secret from the premaster secret and the randoms, then the key block and the
 * record keys of both directions (client: whether we are the client). */
void tls12_keys(struct tls12 *t, const uint8_t *premaster, size_t len, int client);
/* The verify_data of a Finished message over the transcript so far. */
void tls12_verify_data(const struct tls12 *t, int from_server, uint8_t out[TLS_VERIFY_LEN]);
/* Encrypts the len payload bytes at buf + TLS12_PAYLOAD into one record (buf has
 * TLS12_RECORD_BUF bytes): its start (inside buf), *len its whole length. */
uint8_t *tls12_seal(struct tls12 *t, unsigned type, uint8_t *buf, size_t *len);
/* The record of the len payload bytes at buf + TLS12_PAYLOAD: sealed by tls12_seal() once
 * encrypting, else with a plain header; its start (inside buf), *len its whole length. */
uint8_t *tls12_record(struct tls12 *t, int encrypting, unsigned type, uint8_t *buf, size_t *len);
/* Moves exactly n bytes through a stream's read or write function (> 0 bytes moved, 0 at end
 * of file, < 0 on an error): 0, or -1 when the stream ended or failed first. */
int tls12_read_full(long (*read)(void *ctx, uint8_t *buf, size_t n), void *ctx, uint8_t *p,
                    size_t n);
int tls12_write_full(long (*write)(void *ctx, const uint8_t *buf, size_t n), void *ctx,
                     const uint8_t *p, size_t n);
/* Whether an encrypted record's length is acceptable (TLS_PLAINTEXT_MAX plaintext bytes at
 * most), then its decryption in place: the plaintext and *len, or NULL (bad MAC). */
int tls12_open_length(struct tls12 *t, size_t len);
uint8_t *tls12_open(struct tls12 *t, const uint8_t header[TLS_HEADER_LEN], uint8_t *payload,
                    size_t *len);

#endif
