/* The built-in TLS-ALPN-01 responder (RFC 8737).
 *
 * For every pending identifier the parent builds a self-signed certificate (core/alpn_cert.c)
 * whose only SAN is the identifier and which carries the critical acmeIdentifier extension
 * (id-pe-acmeIdentifier, 1.3.6.1.5.5.7.1.31) holding SHA-256 of the key authorization.
 * alpn_start() (platform/alpn.c) binds alpn_listen in the calling process (so "port in use"
 * is reported at once) and forks a child that accepts one connection at a time and runs a
 * purpose-built TLS 1.2 server handshake (bearssl/alpn_server.c on the wire format of
 * core/tls_hello.c, not BearSSL's server engine): ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on
 * P-256 only. A ClientHello without ALPN "acme-tls/1" gets a no_application_protocol alert,
 * one whose SNI is not one of the pending names unrecognized_name, anything else it cannot
 * answer handshake_failure or decode_error; otherwise the matching certificate is presented,
 * the handshake completed (the client's Finished verified) and the connection closed with
 * close_notify. No application data is ever sent. The child lives at most `timeout` seconds, dies
 * with the parent, and alpn_stop() ends it (SIGTERM + waitpid). */
#ifndef ACME_ALPN_H
#define ACME_ALPN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define ALPN_PROTOCOL "acme-tls/1"
#define ALPN_SNI_MAX 256
/* A responder certificate: P-256 key, one SAN, a few extensions. */
#define ALPN_CERT_MAX 1024
/* One responder serves at most this many names (one per authorization). */
#define ALPN_MAX_NAMES 100

struct alpn_cert {
    const char *sni;    /* the TLS server name that selects it (lower case) */
    const uint8_t *der; /* the certificate */
    size_t der_len;
};

/* ---- core/alpn_cert.c */
/* The acmeIdentifier Extension SEQUENCE { extnID, critical TRUE, extnValue OCTET STRING
 * containing the DER OCTET STRING (SIZE 32) of SHA-256(key_auth) }, ready for
 * cert_opts.extra_ext. */
#define ALPN_EXT_LEN 51
int alpn_ext(const char *key_auth, uint8_t out[ALPN_EXT_LEN]);
/* The SNI a validation of identifier id carries: the DNS name in lower case, or for an IP
 * address the reverse-mapping name (RFC 8738 6: "4.3.2.1.in-addr.arpa", nibbles ".ip6.arpa"). */
int alpn_sni(const char *id, char *out, size_t cap);
/* The responder certificate for identifier id (validity: a day back, a week ahead of now),
 * signed by key; der[0..*len). */
int alpn_cert_make(const struct crypto_key *key, const char *id, const char *key_auth, int64_t now,
                   uint8_t *der, size_t cap, size_t *len);

/* ---- platform/alpn.c */
/* Starts the responder on listen ("[::]:443", "127.0.0.1:5001", ":443"; port 0 picks one,
 * see alpn_port()). Errors: port in use ACME_ETEMP naming the port and alpn_listen, a bad
 * value ACME_ECONFIG, anything else ACME_ELOCAL. certs and key are inherited by the child. */
int alpn_start(const char *listen, const struct alpn_cert *certs, size_t n,
               const struct crypto_key *key, int timeout);
void alpn_stop(void);
/* Binds listen now, for a process that drops its privileges (config `user`) before the
 * responder starts; a later alpn_start() with the same value serves from this socket (kept
 * open until the process exits). Errors as alpn_start(); a second call is a no-op. */
int alpn_bind(const char *listen);
unsigned alpn_port(void);

/* ---- bearssl/alpn_server.c */
/* Byte I/O of one connection for the handshake: > 0 bytes moved, 0 at end of file, < 0 on
 * an error or timeout. */
struct alpn_io {
    long (*read)(void *ctx, unsigned char *buf, size_t n);
    long (*write)(void *ctx, const unsigned char *buf, size_t n);
    void *ctx;
};
/* Runs one server handshake. seed: 32 fresh bytes from the kernel for this connection's
 * randomness (server random and ephemeral key, from an HMAC-DRBG seeded with it: the child
 * must not reuse the parent's DRBG state). Returns 1 when the handshake completed (*chosen:
 * the SNI served), 0 when the client was refused (one fatal alert sent) or went away (end of
 * file, error, timeout or an alert of its own; the error set says which, for a log line), -1 on
 * a local error (the error is set). */
int alpn_serve(const struct alpn_io *io, const struct alpn_cert *certs, size_t n,
               const struct crypto_key *key, const uint8_t seed[32], const char **chosen);

#endif
