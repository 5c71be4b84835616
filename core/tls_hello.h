/* The TLS 1.2 wire format, without any cryptography (RFC 5246, 4492/8422, 5288, 5746, 6066,
 * 7301, 7905, 8737), for our two purpose-built handshakes:
 * - the TLS-ALPN-01 responder (core/alpn.h, bearssl/alpn_server.c): record headers,
 *   handshake-message reassembly, ClientHello and ClientKeyExchange parsing, the server's
 *   handshake messages; only ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on P-256, ALPN "acme-tls/1".
 *   Its functions that judge peer input return 0 when it is acceptable, else the TLS alert
 *   description (> 0) the responder sends before it hangs up.
 * - the HTTPS client (bearssl/tls12_client.c): the ClientHello, and parsing of ServerHello,
 *   Certificate and ServerKeyExchange; its judging functions return 0 or a TLS_ERR_* code. */
#ifndef ACME_TLS_HELLO_H
#define ACME_TLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

/* record content types */
#define TLS_CHANGE_CIPHER_SPEC 20
#define TLS_ALERT 21
#define TLS_HANDSHAKE 22
#define TLS_APPLICATION_DATA 23

/* handshake message types */
#define TLS_CLIENT_HELLO 1
#define TLS_SERVER_HELLO 2
#define TLS_HELLO_REQUEST 0
#define TLS_CERTIFICATE 11
#define TLS_SERVER_KEY_EXCHANGE 12
#define TLS_SERVER_HELLO_DONE 14
#define TLS_CLIENT_KEY_EXCHANGE 16
#define TLS_FINISHED 20

/* alert descriptions */
#define TLS_CLOSE_NOTIFY 0
#define TLS_UNEXPECTED_MESSAGE 10
#define TLS_BAD_RECORD_MAC 20
#define TLS_RECORD_OVERFLOW 22
#define TLS_HANDSHAKE_FAILURE 40
#define TLS_BAD_CERTIFICATE 42
#define TLS_UNSUPPORTED_CERTIFICATE 43
#define TLS_ILLEGAL_PARAMETER 47
#define TLS_DECODE_ERROR 50
#define TLS_DECRYPT_ERROR 51
#define TLS_PROTOCOL_VERSION 70
#define TLS_INTERNAL_ERROR 80
#define TLS_NO_RENEGOTIATION 100
#define TLS_UNRECOGNIZED_NAME 112
#define TLS_NO_APPLICATION_PROTOCOL 120

#define TLS_VERSION_12 0x0303
#define TLS_ECDHE_ECDSA_AES128_GCM_SHA256 0xC02B
#define TLS_ECDHE_ECDSA_CHACHA20_POLY1305 0xCCA9
#define TLS_SECP256R1 23
#define TLS_ECDSA_SECP256R1_SHA256 0x0403
#define TLS_ACME_ALPN "acme-tls/1"

#define TLS_HEADER_LEN 5
/* The largest plaintext of a record (TLSPlaintext.fragment, RFC 5246 6.2.1). */
#define TLS_PLAINTEXT_MAX 16384
/* The largest record accepted: a TLSCiphertext (RFC 5246 6.2.3). */
#define TLS_RECORD_MAX (16384 + 2048)
/* The largest handshake message accepted, header included. A modern ClientHello with a
 * post-quantum key share is about 1.8 KiB. */
#define TLS_HANDSHAKE_MAX 8192
#define TLS_RANDOM_LEN 32
#define TLS_VERIFY_LEN 12
/* An uncompressed P-256 point: 0x04 || X || Y. */
#define TLS_P256_POINT_LEN 65
#define TLS_HOST_NAME_MAX 255

/* Checks a record header: a known content type, major version 3 and a length from 1 to
 * TLS_RECORD_MAX (stored in *len). */
int tls_record_header(const uint8_t h[TLS_HEADER_LEN], unsigned *type, size_t *len);
/* Writes a TLS 1.2 record header for a payload of len bytes. */
void tls_record_put_header(uint8_t h[TLS_HEADER_LEN], unsigned type, size_t len);

/* Reassembles one handshake message from the payloads of handshake records. */
struct tls_handshake {
    uint8_t msg[TLS_HANDSHAKE_MAX]; /* type (1), length (3), body */
    size_t len;
};
/* Appends a record's payload: 1 when msg[0..len) holds exactly one whole message, 0 when
 * more is needed, else an alert (too large; bytes beyond the message: the responder never
 * expects two handshake messages before it answers). */
int tls_handshake_add(struct tls_handshake *hs, const uint8_t *p, size_t n);

/* What the responder needs from a ClientHello. */
struct tls_client_hello {
    uint8_t random[TLS_RANDOM_LEN];
    uint16_t version;                      /* legacy_version */
    int offers_aes;                        /* ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    int offers_chacha;                     /* ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
    int null_compression;                  /* the compression list holds null */
    int secure_renegotiation;              /* the SCSV or an empty renegotiation_info */
    int has_alpn;                          /* an ALPN extension */
    int offers_acme_alpn;                  /* ... listing "acme-tls/1" */
    int offers_p256;                       /* supported_groups holds secp256r1 */
    int has_point_formats;                 /* an ec_point_formats extension */
    int offers_uncompressed;               /* ... listing uncompressed */
    int offers_ecdsa_sha256;               /* signature_algorithms holds ecdsa_secp256r1_sha256 */
    char host_name[TLS_HOST_NAME_MAX + 1]; /* the SNI host_name, "" when none */
};
/* Parses a ClientHello body (after the 4-byte handshake header). Every vector length must
 * add up exactly; duplicate extensions, an SNI with two host names or a NUL, and a non-empty
 * renegotiation_info are refused. Unknown extensions are skipped. */
int tls_client_hello_parse(const uint8_t *body, size_t len, struct tls_client_hello *ch);
/* The suite the responder answers with: ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 when offered and
 * aes (this machine can do AES-GCM), else ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 when
 * offered, else 0. */
unsigned tls_server_suite(const struct tls_client_hello *ch, int aes);
/* Whether the responder can answer the parsed ClientHello: no_application_protocol without
 * "acme-tls/1", handshake_failure when the version, suite (tls_server_suite() finds none),
 * compression, group, point format or signature algorithm does not fit. The SNI is the
 * caller's to check. */
int tls_client_hello_check(const struct tls_client_hello *ch, int aes);

/* The ClientKeyExchange body: an uncompressed P-256 point (*point: TLS_P256_POINT_LEN bytes
 * inside body). Whether it is on the curve is the caller's to check. */
int tls_client_key_exchange(const uint8_t *body, size_t len, const uint8_t **point);

/* The server's handshake messages, header included, written at out: their length. The
 * ServerHello checks cap (0 when it is too small); for the others the caller makes room
 * (10 + der_len, TLS_ECDH_PARAMS_LEN + 8 + sig_len with sig_len <= 0xFFFF, 4 bytes). */
size_t tls_server_hello(uint8_t *out, size_t cap, const uint8_t random[TLS_RANDOM_LEN],
                        const struct tls_client_hello *ch, unsigned suite);
/* der: 1 to 0xFFFF bytes */
size_t tls_certificate(uint8_t *out, const uint8_t *der, size_t der_len);
/* The ServerECDHParams (named curve secp256r1, the point): what the signature covers after
 * the two randoms. */
#define TLS_ECDH_PARAMS_LEN (4 + TLS_P256_POINT_LEN)
void tls_ecdh_params(uint8_t out[TLS_ECDH_PARAMS_LEN], const uint8_t point[TLS_P256_POINT_LEN]);
/* ServerKeyExchange: the params, ecdsa_secp256r1_sha256 and the DER signature. */
size_t tls_server_key_exchange(uint8_t *out, const uint8_t params[TLS_ECDH_PARAMS_LEN],
                               const uint8_t *sig, size_t sig_len);
size_t tls_server_hello_done(uint8_t *out);
#define TLS_FINISHED_LEN (4 + TLS_VERIFY_LEN)
void tls_finished(uint8_t out[TLS_FINISHED_LEN], const uint8_t verify_data[TLS_VERIFY_LEN]);

/* ---- the HTTPS client (bearssl/tls12_client.c) */

/* Failures of the client's checks, numerically BearSSL's BR_ERR_* codes (bearssl/tls_client.c
 * checks that they agree), so the transport's messages stay those it gave with BearSSL's
 * engine. */
#define TLS_ERR_UNSUPPORTED_VERSION 3
#define TLS_ERR_BAD_VERSION 4
#define TLS_ERR_BAD_LENGTH 5
#define TLS_ERR_TOO_LARGE 6
#define TLS_ERR_BAD_MAC 7
#define TLS_ERR_UNKNOWN_TYPE 9
#define TLS_ERR_UNEXPECTED 10
#define TLS_ERR_BAD_CCS 12
#define TLS_ERR_BAD_ALERT 13
#define TLS_ERR_BAD_HANDSHAKE 14
#define TLS_ERR_OVERSIZED_ID 15
#define TLS_ERR_BAD_CIPHER_SUITE 16
#define TLS_ERR_BAD_COMPRESSION 17
#define TLS_ERR_BAD_SECRENEG 19
#define TLS_ERR_EXTRA_EXTENSION 20
#define TLS_ERR_BAD_SNI 21
#define TLS_ERR_BAD_HELLO_DONE 22
#define TLS_ERR_LIMIT_EXCEEDED 23
#define TLS_ERR_BAD_FINISHED 24
#define TLS_ERR_INVALID_ALGORITHM 26
#define TLS_ERR_BAD_SIGNATURE 27
#define TLS_ERR_WRONG_KEY_USAGE 28
#define TLS_ERR_IO 31
#define TLS_ERR_RECV_FATAL_ALERT 256 /* + the alert */

/* The six suites the client offers, in its order of preference: ECDHE_ECDSA and ECDHE_RSA
 * with AES-128-GCM-SHA256, AES-256-GCM-SHA384 and CHACHA20-POLY1305-SHA256. The first
 * TLS_CLIENT_AES_SUITES are left out on a machine that cannot do AES-GCM. */
#define TLS_CLIENT_SUITES 6
#define TLS_CLIENT_AES_SUITES 4
extern const uint16_t tls_client_suites[TLS_CLIENT_SUITES];
/* The index of suite in tls_client_suites[], or -1. Even indexes are the ECDSA suites; index
 * / 2 is 0 (AES-128-GCM), 1 (AES-256-GCM, the only one with the SHA-384 PRF) or 2 (ChaCha20). */
int tls_client_suite(unsigned suite);
/* The curves offered (secp256r1, secp384r1, secp521r1, BearSSL's BR_EC_* ids as well). */
#define TLS_SECP384R1 24
#define TLS_SECP521R1 25
/* The largest uncompressed point (P-521). */
#define TLS_POINT_MAX 133
/* The signature algorithms offered: hash (X509_HASH_* ids: 4 SHA-256, 5 SHA-384,
 * 6 SHA-512) times signature (1 RSA PKCS#1 v1.5, 3 ECDSA). */
#define TLS_SIG_RSA 1
#define TLS_SIG_ECDSA 3

/* The ClientHello, handshake header included, into out (TLS_CLIENT_HELLO_MAX bytes): TLS 1.2,
 * the six suites (only the ChaCha20 ones without aes), no session id, null compression, and the
 * extensions renegotiation_info (empty), server_name (when sni is not NULL), signature_algorithms,
 * supported_groups and ec_point_formats (uncompressed). Returns its length; 0 when sni is over
 * TLS_HOST_NAME_MAX. */
#define TLS_CLIENT_HELLO_MAX (128 + TLS_HOST_NAME_MAX)
size_t tls_client_hello(uint8_t *out, const uint8_t random[TLS_RANDOM_LEN], const char *sni,
                        int aes);

struct tls_server_hello {
    uint8_t random[TLS_RANDOM_LEN];
    unsigned suite; /* one of tls_client_suites[] */
};
/* Checks a ServerHello body against the ClientHello (aes: whether it offered the AES-GCM
 * suites): version TLS 1.2, a session id of at most 32 bytes, an offered suite, null compression,
 * and only extensions the client sent, once each (an empty server_name only when sni_sent, an empty
 * renegotiation_info, ec_point_formats; the signature_algorithms and supported_groups some servers
 * echo). */
int tls_server_hello_parse(const uint8_t *body, size_t len, int sni_sent, int aes,
                           struct tls_server_hello *sh);

/* Walks a Certificate body: calls cert(ctx, der, len) for each certificate in order (len may
 * be 0). TLS_ERR_BAD_HANDSHAKE when the lengths do not add up. */
int tls_certificate_parse(const uint8_t *body, size_t len,
                          void (*cert)(void *ctx, const uint8_t *der, size_t len), void *ctx);

struct tls_server_key_exchange {
    unsigned curve;        /* one of the curves offered */
    const uint8_t *params; /* ServerECDHParams: curve_type, curve, point (in body) */
    size_t params_len;
    const uint8_t *point; /* the server's ephemeral public key */
    size_t point_len;
    unsigned hash, sig; /* one of the signature algorithms offered, sig the suite's */
    const uint8_t *signature;
    size_t signature_len; /* 1 to 512 bytes */
};
/* Parses a ServerKeyExchange body of an ECDHE suite (rsa: an ECDHE_RSA suite).
 * TLS_ERR_INVALID_ALGORITHM for a curve, hash or signature algorithm the client did not
 * offer (or the wrong signature for the suite), TLS_ERR_LIMIT_EXCEEDED for a signature over
 * 512 bytes, TLS_ERR_BAD_HANDSHAKE when the lengths do not add up. Whether the point is on
 * the curve is the caller's to check (the ECDH computation refuses it). */
int tls_server_key_exchange_parse(const uint8_t *body, size_t len, int rsa,
                                  struct tls_server_key_exchange *ske);

#endif
