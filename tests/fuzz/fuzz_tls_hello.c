/* libFuzzer target: core/tls_hello.c, the TLS-ALPN-01 responder's parsing of what a client
 * sends. The input is a client's byte stream: its records are reassembled into a handshake
 * message as the responder does (no limit is ever exceeded) and a ClientHello is parsed and
 * judged; the same body is also parsed as a ClientKeyExchange. An accepted hello must give
 * a well-formed ServerHello. The same body also goes through the HTTPS client's parsers of
 * what a server sends (ServerHello, Certificate, ServerKeyExchange). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "tls_hello.h"

static void need(int ok)
{
    if (!ok) abort();
}

/* An alert is a TLS alert description: never 0 for a refusal, never beyond 255. */
static void alert_ok(int r)
{
    need(r >= 0 && r <= 255);
}

static size_t certs_seen, cert_bytes;
static void count_cert(void *ctx, const uint8_t *der, size_t len)
{
    (void)ctx;
    need(der != NULL || len == 0);
    certs_seen++;
    cert_bytes += len;
}

/* The client's results are 0 or a TLS_ERR_* code (BearSSL's numbers, below 64). */
static void client_parsers(const uint8_t *body, size_t len)
{
    struct tls_server_hello sh;
    struct tls_server_key_exchange ske;
    int r, sni;

    for (sni = 0; sni < 2; sni++) {
        /* with and without the AES suites offered (sni doubles as the switch) */
        r = tls_server_hello_parse(body, len, sni, sni, &sh);
        need(r >= 0 && r < 64);
        if (r == 0)
            need(tls_client_suite(sh.suite) >= (sni ? 0 : TLS_CLIENT_AES_SUITES) && len >= 38);
        r = tls_server_key_exchange_parse(body, len, sni, &ske);
        need(r >= 0 && r < 64);
        if (r == 0) {
            need(ske.params == body && ske.params_len == 4 + ske.point_len);
            need(ske.point_len <= TLS_POINT_MAX && ske.point == body + 4);
            need(ske.signature_len >= 1 && ske.signature_len <= 512);
            need(ske.signature + ske.signature_len == body + len);
            need(ske.sig == (sni ? TLS_SIG_RSA : TLS_SIG_ECDSA) && ske.hash >= 4 && ske.hash <= 6);
        }
    }
    certs_seen = cert_bytes = 0;
    r = tls_certificate_parse(body, len, count_cert, NULL);
    need(r == 0 || r == TLS_ERR_BAD_HANDSHAKE);
    if (r == 0) need(len == 3 + 3 * certs_seen + cert_bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tls_handshake hs;
    static uint8_t out[512];
    struct tls_client_hello ch;
    const uint8_t *point;
    size_t at = 0, len, n;
    unsigned type;
    int r = 0, aes;

    hs.len = 0;
    while (r == 0 && at + TLS_HEADER_LEN <= size) {
        r = tls_record_header(data + at, &type, &len);
        alert_ok(r);
        if (r != 0) return 0;
        need(len >= 1 && len <= TLS_RECORD_MAX);
        at += TLS_HEADER_LEN;
        if (len > size - at) return 0;
        r = tls_handshake_add(&hs, data + at, len);
        at += len;
        need(hs.len <= sizeof hs.msg);
    }
    if (r != 1) {
        alert_ok(r);
        return 0;
    }
    need(hs.len >= 4 && hs.len == 4 + ((size_t)hs.msg[1] << 16 | hs.msg[2] << 8 | hs.msg[3]));
    r = tls_client_hello_parse(hs.msg + 4, hs.len - 4, &ch);
    alert_ok(r);
    if (r == 0) {
        need(strlen(ch.host_name) <= TLS_HOST_NAME_MAX);
        need(memcmp(ch.random, hs.msg + 6, TLS_RANDOM_LEN) == 0);
        for (aes = 0; aes < 2; aes++) {
            unsigned suite = tls_server_suite(&ch, aes);
            r = tls_client_hello_check(&ch, aes);
            alert_ok(r);
            if (r != 0) continue;
            need(ch.offers_acme_alpn && ch.version >= TLS_VERSION_12);
            need(suite == (aes && ch.offers_aes ? TLS_ECDHE_ECDSA_AES128_GCM_SHA256
                                                : TLS_ECDHE_ECDSA_CHACHA20_POLY1305));
            n = tls_server_hello(out, sizeof out, ch.random, &ch, suite);
            need(n > 4 && n == 4 + ((size_t)out[2] << 8 | out[3]));
            need(((unsigned)out[39] << 8 | out[40]) == suite);
            need(memmem(out, n, TLS_ACME_ALPN, strlen(TLS_ACME_ALPN)) != NULL);
        }
    }
    client_parsers(hs.msg + 4, hs.len - 4);
    r = tls_client_key_exchange(hs.msg + 4, hs.len - 4, &point);
    alert_ok(r);
    if (r == 0) need(point == hs.msg + 5 && point[0] == 4 && hs.len == 4 + 1 + TLS_P256_POINT_LEN);
    err_clear();
    return 0;
}
