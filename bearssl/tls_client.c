/* The HTTPS transport on BearSSL (core/transport.h): TLS 1.2 only, SNI, ECDHE_ECDSA and
 * ECDHE_RSA with AES-GCM or ChaCha20-Poly1305 only, X.509 validation (core/x509_chain.c, the
 * rules of BearSSL's "minimal" engine) against the trust anchors of ca_file (or the built-in ones)
 * at tls_validation_time(). The TLS client is our own (tls12_client.c, BearSSL's primitives
 * without its SSL engine, which carried resumption, client certificates, RSA and static ECDH
 * key exchange, TLS 1.0/1.1 and renegotiation we never use). Everything is static: one
 * connection at a time, no allocation. */
#include "../core/build_config.h"

#ifndef CONFIG_TLS_MBEDTLS

#include <bearssl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/crypto.h"
#include "../core/err.h"
#include "../core/log.h"
#include "../core/transport.h"
#include "../platform/net.h"
#include "../platform/tls_common.h"
#include "chain_verify.h"
#include "tls12_client.h"
#include "crypto_int.h"
#include "trust_store.h"
#include "fmt.h"

/* The failure codes of our client (tls12_client.h) are BearSSL's, as the messages below. */
_Static_assert(TLS_ERR_UNSUPPORTED_VERSION == BR_ERR_UNSUPPORTED_VERSION &&
                   TLS_ERR_BAD_VERSION == BR_ERR_BAD_VERSION &&
                   TLS_ERR_UNKNOWN_TYPE == BR_ERR_UNKNOWN_TYPE &&
                   TLS_ERR_BAD_ALERT == BR_ERR_BAD_ALERT &&
                   TLS_ERR_BAD_LENGTH == BR_ERR_BAD_LENGTH &&
                   TLS_ERR_TOO_LARGE == BR_ERR_TOO_LARGE && TLS_ERR_BAD_MAC == BR_ERR_BAD_MAC &&
                   TLS_ERR_UNEXPECTED == BR_ERR_UNEXPECTED && TLS_ERR_BAD_CCS == BR_ERR_BAD_CCS &&
                   TLS_ERR_BAD_HANDSHAKE == BR_ERR_BAD_HANDSHAKE &&
                   TLS_ERR_OVERSIZED_ID == BR_ERR_OVERSIZED_ID &&
                   TLS_ERR_BAD_CIPHER_SUITE == BR_ERR_BAD_CIPHER_SUITE &&
                   TLS_ERR_BAD_COMPRESSION == BR_ERR_BAD_COMPRESSION &&
                   TLS_ERR_BAD_SECRENEG == BR_ERR_BAD_SECRENEG &&
                   TLS_ERR_EXTRA_EXTENSION == BR_ERR_EXTRA_EXTENSION &&
                   TLS_ERR_BAD_SNI == BR_ERR_BAD_SNI &&
                   TLS_ERR_BAD_HELLO_DONE == BR_ERR_BAD_HELLO_DONE &&
                   TLS_ERR_LIMIT_EXCEEDED == BR_ERR_LIMIT_EXCEEDED &&
                   TLS_ERR_BAD_FINISHED == BR_ERR_BAD_FINISHED &&
                   TLS_ERR_INVALID_ALGORITHM == BR_ERR_INVALID_ALGORITHM &&
                   TLS_ERR_BAD_SIGNATURE == BR_ERR_BAD_SIGNATURE &&
                   TLS_ERR_WRONG_KEY_USAGE == BR_ERR_WRONG_KEY_USAGE && TLS_ERR_IO == BR_ERR_IO &&
                   TLS_ERR_RECV_FATAL_ALERT == BR_ERR_RECV_FATAL_ALERT,
               "core/tls_hello.h codes differ from BearSSL's");

/* The core's results are BearSSL's codes. */
_Static_assert(X509_CHAIN_OK == BR_ERR_X509_OK && X509_CHAIN_INVALID == BR_ERR_X509_INVALID_VALUE &&
                   X509_CHAIN_EMPTY == BR_ERR_X509_EMPTY_CHAIN &&
                   X509_CHAIN_UNSUPPORTED == BR_ERR_X509_UNSUPPORTED &&
                   X509_CHAIN_LIMIT == BR_ERR_X509_LIMIT_EXCEEDED &&
                   X509_CHAIN_WRONG_KEY_TYPE == BR_ERR_X509_WRONG_KEY_TYPE &&
                   X509_CHAIN_BAD_SIGNATURE == BR_ERR_X509_BAD_SIGNATURE &&
                   X509_CHAIN_EXPIRED == BR_ERR_X509_EXPIRED &&
                   X509_CHAIN_DN_MISMATCH == BR_ERR_X509_DN_MISMATCH &&
                   X509_CHAIN_BAD_SERVER_NAME == BR_ERR_X509_BAD_SERVER_NAME &&
                   X509_CHAIN_CRITICAL_EXTENSION == BR_ERR_X509_CRITICAL_EXTENSION &&
                   X509_CHAIN_NOT_CA == BR_ERR_X509_NOT_CA &&
                   X509_CHAIN_FORBIDDEN_KEY_USAGE == BR_ERR_X509_FORBIDDEN_KEY_USAGE &&
                   X509_CHAIN_WEAK_PUBLIC_KEY == BR_ERR_X509_WEAK_PUBLIC_KEY &&
                   X509_CHAIN_NOT_TRUSTED == BR_ERR_X509_NOT_TRUSTED &&
                   X509_USAGE_KEYX == BR_KEYTYPE_KEYX && X509_USAGE_SIGN == BR_KEYTYPE_SIGN,
               "core/x509_chain.h codes differ from BearSSL's");

static struct tls_state {
    struct transport t;
    struct transport_opts o;
    struct tls12_client tc;
    struct tls12_io io;
    struct x509_chain_ops ops;
    struct chain_anchors anchors;
    int64_t vtime;
    const char *ip_host; /* the host when it is an IP literal (no SNI), else NULL */
    struct net_conn net;
    int configured;
    int open;
    int eof;       /* the socket reached end of file */
    int net_error; /* the socket layer failed (its error is held) */
    char host[256];
    char port[8];
    struct x509_chain chain;
} st;

/* The server's chain (collected by the client in st.chain): validated by core/x509_chain.c
 * (BearSSL's br_x509_minimal rules); IP-literal host names (no SNI) are checked against the
 * IP SAN entries here. */
static int validate(void *ctx, struct x509_pubkey *key, unsigned *usages)
{
    struct tls_state *s = ctx;
    const uint8_t *leaf;
    size_t leaf_len;
    int r = x509_chain_validate(&s->chain, s->ip_host != NULL ? NULL : s->host, s->vtime, &s->ops,
                                key, usages);

    leaf = x509_chain_leaf(&s->chain, &leaf_len);
    if (r == X509_CHAIN_OK && s->ip_host != NULL && !tls_leaf_has_name(leaf, leaf_len, s->ip_host))
        r = X509_CHAIN_BAD_SERVER_NAME;
    return r;
}

static long low_read(void *ctx, uint8_t *buf, size_t len)
{
    struct tls_state *s = ctx;
    long r = net_read(&s->net, buf, len);

    if (r > 0) return r;
    if (r == 0)
        s->eof = 1;
    else
        s->net_error = 1;
    return -1;
}

static long low_write(void *ctx, const uint8_t *buf, size_t len)
{
    struct tls_state *s = ctx;

    if (net_write(&s->net, buf, len) != 0) {
        s->net_error = 1;
        return -1;
    }
    return (long)len;
}

/* The i-th of the NUL-separated texts of list. */
static const char *nth_text(const char *list, unsigned i)
{
    while (i-- > 0)
        list += strlen(list) + 1;
    return list;
}

static const char *alert_name(int a)
{
    static const unsigned char codes[] = {10, 20, 40, 42, 47, 50, 51, 70, 71, 80, 112};
    /* The names in the order of codes[], then the name of others. */
    static const char names[] = "unexpected_message\0bad_record_mac\0handshake_failure"
                                "\0bad_certificate\0illegal_parameter\0decode_error"
                                "\0decrypt_error\0protocol_version\0insufficient_security"
                                "\0internal_error\0unrecognized_name\0alert";
    unsigned i;

    for (i = 0; i < sizeof codes && codes[i] != a; i++)
        ;
    return nth_text(names, i);
}

/* Words for BearSSL's error codes below 64, as indexes into ERROR_TEXTS: engine errors (0: no
 * words), then X.509 errors (0: "a certificate is malformed"). Name, validity and trust
 * problems of the chain have messages of their own (tls_cert_error()). */
static const char ERROR_TEXTS[] =
    "a certificate is malformed\0"
    "the server does not speak TLS 1.2\0"
    "the server chose a cipher suite not offered (only ECDHE with AES-GCM or ChaCha20-Poly1305)\0"
    "bad record MAC (corrupted or tampered connection)\0"
    "the server's key exchange signature is invalid\0"
    "the server used an unsupported signature or curve\0"
    "the server's key does not fit the cipher suite\0"
    "the connection was closed\0"
    "protocol error (is this a TLS server?)\0"
    "a certificate that is not a CA signed another\0"
    "a signature in the chain is invalid\0"
    "a key in the chain is too weak\0"
    "the chain uses an unsupported algorithm\0"
    "the server's key is not allowed for TLS\0"
    "an unsupported critical extension\0"
    "the chain is out of order\0"
    "the chain is over X509_CHAIN_MAX (5) certificates or X509_CHAIN_BYTES (16384), or a key or "
    "signature is over 4096 bits\0"
    "the server sent no certificate\0"
    "a handshake message over TLS12_HANDSHAKE_MAX (16448 bytes): the chain is over "
    "X509_CHAIN_BYTES (16384)";
_Static_assert(X509_CHAIN_MAX == 5 && X509_CHAIN_BYTES == 16384 && X509_CHAIN_SIG_MAX == 512 &&
                   TLS12_HANDSHAKE_MAX == 16448,
               "ERROR_TEXTS names these limits");
static const unsigned char ERROR_TEXT[64] = {
    [BR_ERR_UNSUPPORTED_VERSION] = 1,
    [BR_ERR_BAD_VERSION] = 1,
    [BR_ERR_BAD_CIPHER_SUITE] = 2,
    [BR_ERR_BAD_MAC] = 3,
    [BR_ERR_BAD_SIGNATURE] = 4,
    [BR_ERR_INVALID_ALGORITHM] = 5,
    [BR_ERR_WRONG_KEY_USAGE] = 6,
    [BR_ERR_IO] = 7,
    [BR_ERR_UNKNOWN_TYPE] = 8,
    [BR_ERR_UNEXPECTED] = 8,
    [BR_ERR_BAD_HANDSHAKE] = 8,
    [BR_ERR_BAD_LENGTH] = 8,
    [BR_ERR_X509_NOT_CA] = 9,
    [BR_ERR_X509_BAD_SIGNATURE] = 10,
    [BR_ERR_X509_WEAK_PUBLIC_KEY] = 11,
    [BR_ERR_X509_UNSUPPORTED] = 12,
    [BR_ERR_X509_FORBIDDEN_KEY_USAGE] = 13,
    [BR_ERR_X509_CRITICAL_EXTENSION] = 14,
    [BR_ERR_X509_DN_MISMATCH] = 15,
    [BR_ERR_X509_LIMIT_EXCEEDED] = 16,
    [BR_ERR_X509_EMPTY_CHAIN] = 17,
    [TLS12_ERR_HANDSHAKE_LIMIT] = 18,
};

/* The error for a failed handshake, read or write, prefixed by `what`. */
static int tls_failure(struct tls_state *s, const char *what, int64_t vtime, const char *source)
{
    int e = s->tc.err;
    unsigned words = e >= 0 && e < 64 ? ERROR_TEXT[e] : 0;
    size_t leaf_len;
    const uint8_t *leaf = x509_chain_leaf(&s->chain, &leaf_len);
    char text[200];
    const char *msg = text;
    int p = TLS_CERT_OTHER; /* -1: not a certificate problem */

    if (s->net_error) /* the socket's message names host, port and the reason */
        return err_prefix("%s", what);
    if (e == BR_ERR_X509_BAD_SERVER_NAME)
        p = TLS_CERT_BAD_NAME;
    else if (e == BR_ERR_X509_EXPIRED)
        p = TLS_CERT_VALIDITY;
    else if (e == BR_ERR_X509_NOT_TRUSTED)
        p = TLS_CERT_UNTRUSTED;
    else if (e >= BR_ERR_X509_OK && e < BR_ERR_RECV_FATAL_ALERT)
        fmt_snprintf(text, sizeof text, "%s (BearSSL X.509 error %d)", nth_text(ERROR_TEXTS, words),
                     e);
    else
        p = -1;
    if (p >= 0)
        return tls_cert_error(s->host, s->port, (enum tls_cert_problem)p, leaf, leaf_len,
                              s->chain.received, vtime, source, text);
    if (words != 0) /* an engine error with words */
        msg = nth_text(ERROR_TEXTS, words);
    else if (e >= BR_ERR_RECV_FATAL_ALERT) /* + the alert, BR_ERR_SEND_FATAL_ALERT for ours */
        fmt_snprintf(text, sizeof text, "%s fatal alert %d (%s)%s",
                     e >= BR_ERR_SEND_FATAL_ALERT ? "sent" : "the server sent", e & 255,
                     alert_name(e & 255),
                     e == BR_ERR_RECV_FATAL_ALERT + 40 && !tls12_aes_gcm()
                         ? "; without AES instructions only ChaCha20-Poly1305 was offered "
                           "(CONFIG_X86_64_SOFT_AES)"
                         : "");
    else
        fmt_snprintf(text, sizeof text, "BearSSL error %d", e);
    return err_set(ACME_ETEMP, "%s with %s port %s: %s", what, s->host, s->port, msg);
}

static void tls_close(struct transport *t)
{
    struct tls_state *s = t->ctx;
    const uint8_t *rec;
    size_t n;

    if (!s->open) return;
    /* A close_notify if it can leave at once; the server may have gone already. */
    if (!s->net_error && !s->eof) {
        rec = tls12_client_close_notify(&s->tc, &n);
        if (rec != NULL) net_send_nowait(&s->net, rec, n);
    }
    tls12_client_wipe(&s->tc);
    net_close(&s->net);
    s->open = 0;
}

static int tls_open(struct transport *t, const char *host, const char *port)
{
    struct tls_state *s = t->ctx;
    const br_x509_trust_anchor *tas;
    const char *source;
    /* OpenSSL's names of the ciphers: tls_client_suites[] pairs an ECDSA and an RSA suite for
     * each. */
    static const char *const ciphers[] = {"AES128-GCM-SHA256", "AES256-GCM-SHA384",
                                          "CHACHA20-POLY1305"};
    unsigned char seed[32];
    size_t nta;
    int r;

    tls_close(t);
    if (strlen(host) >= sizeof s->host || strlen(port) >= sizeof s->port)
        return err_set(ACME_ETEMP, "host name or port too long: %.64s", host);
    strcpy(s->host, host);
    strcpy(s->port, port);
    if (trust_store_load(s->o.ca_file, &tas, &nta, &source) != 0) return -1;
    if (net_connect(&s->net, host, port, s->o.timeout, s->o.bind_address) != 0) return -1;
    s->open = 1;
    s->eof = s->net_error = 0;

    s->vtime = tls_validation_time();
    s->anchors.ta = tas;
    s->anchors.n = nta;
    chain_verify_ops(&s->ops, &s->anchors);
    x509_chain_start(&s->chain); /* no leaf for messages until the server sends one */
    s->ip_host = tls_host_is_ip(host) ? s->host : NULL;
    s->tc.err = 0;
    if (crypto_random(seed, sizeof seed) != 0) {
        tls_close(t);
        return -1;
    }
    /* No SNI for an IP literal (RFC 6066); its name is checked in validate(). */
    r = tls12_client_handshake(&s->tc, &s->io, s->ip_host != NULL ? NULL : s->host, seed);
    memset(seed, 0, sizeof seed);
    if (r != 0) {
        tls_failure(s, "TLS handshake", s->vtime, source);
        tls_close(t);
        return -1;
    }
    t->handshakes++;
    log_v("TLS handshake with %s port %s done: TLS 1.2, ECDHE-%s-%s", host, port,
          s->tc.suite & 1 ? "RSA" : "ECDSA", ciphers[s->tc.suite / 2]);
    return 0;
}

static int not_connected(const struct tls_state *s, const char *doing)
{
    return err_set(ACME_ETEMP, "%s %s port %s: not connected", doing, s->host, s->port);
}

static long tls_read(struct transport *t, void *buf, size_t n)
{
    struct tls_state *s = t->ctx;
    long r;

    if (!s->open) return not_connected(s, "reading from");
    r = tls12_client_read(&s->tc, buf, n);
    if (r > 0) return r;
    /* close_notify, or the server just closed the socket (common with keep-alive; the HTTP
     * layer knows from the framing whether a response was cut short). */
    if (r == 0 || (s->tc.err == BR_ERR_IO && s->eof && !s->net_error)) {
        tls_close(t);
        return 0;
    }
    tls_failure(s, "TLS read", 0, NULL);
    tls_close(t);
    return -1;
}

static int tls_write(struct transport *t, const void *buf, size_t n)
{
    struct tls_state *s = t->ctx;

    if (!s->open) return not_connected(s, "writing to");
    if (tls12_client_write(&s->tc, buf, n) != 0) {
        if (s->eof && !s->net_error)
            err_set(ACME_ETEMP, "writing to %s port %s: the server closed the connection", s->host,
                    s->port);
        else
            tls_failure(s, "TLS write", 0, NULL);
        tls_close(t);
        return -1;
    }
    return 0;
}

struct transport *tls_transport(const struct transport_opts *o)
{
    if (!st.configured) {
        st.net.fd = -1;
        st.io.read = low_read;
        st.io.write = low_write;
        st.io.ctx = &st;
        st.tc.chain = &st.chain;
        st.tc.validate = validate;
        st.tc.validate_ctx = &st;
        st.configured = 1;
    }
    st.o = *o;
    st.t.open = tls_open;
    st.t.read = tls_read;
    st.t.write = tls_write;
    st.t.close = tls_close;
    st.t.ctx = &st;
    return &st.t;
}

#endif
