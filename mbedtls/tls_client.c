/* The HTTPS transport on mbedTLS 2.28 (core/transport.h), for images that already ship
 * libmbedtls; compiled only with CONFIG_TLS_MBEDTLS. It behaves like bearssl/tls_client.c:
 * TLS 1.2 only, SNI, ECDHE_ECDSA/ECDHE_RSA with AES-GCM or ChaCha20-Poly1305, trust anchors
 * from ca_file or the built-in certificates, the same error messages.
 *
 * The clock floor: mbedTLS checks certificate dates against the system clock by itself, and
 * Debian's build has no MBEDTLS_PLATFORM_TIME_ALT (so no mbedtls_platform_set_time()). The
 * verify callback therefore clears mbedTLS's own EXPIRED/FUTURE flags and sets them again from
 * each certificate's dates against tls_validation_time() (sys_now(), floored at the build
 * time), so ACME_TEST_NOW and the floor work as with BearSSL. It also checks IP-literal host
 * names (mbedTLS 2.28 does not match IP SAN entries).
 *
 * mbedTLS allocates its record buffers and parsed certificates with calloc() inside the
 * library; our code keeps its state static. */
#include "../core/build_config.h"

#ifdef CONFIG_TLS_MBEDTLS

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/civil.h"
#include "../core/crypto.h"
#include "../core/err.h"
#include "../core/log.h"
#include "../core/transport.h"
#include "../platform/net.h"
#include "../platform/tls_common.h"
#include "fmt.h"

static const int suites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

static struct mtls_state {
    struct transport t;
    struct transport_opts o;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    int setup;     /* ssl and conf are initialised */
    int ca_loaded; /* ca holds the anchors of ca_path */
    char ca_path[512];
    char source[320];
    size_t ca_skipped;
    struct net_conn net;
    int open;
    int eof;
    int net_error;
    int closing; /* writes are best effort (close_notify) */
    char host[256];
    char port[8];
    const char *ip_host;
    int64_t vtime;
    unsigned char leaf[TLS_CERT_DER_MAX];
    size_t leaf_len;
    unsigned nchain;
} st;

static int rng(void *ctx, unsigned char *out, size_t n)
{
    (void)ctx;
    return crypto_random(out, n) == 0 ? 0 : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct mtls_state *s = ctx;

    if (s->closing) {
        net_send_nowait(&s->net, buf, len);
        return (int)len;
    }
    if (net_write(&s->net, buf, len) != 0) {
        s->net_error = 1;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return (int)len;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct mtls_state *s = ctx;
    long r;

    if (s->closing) return MBEDTLS_ERR_NET_RECV_FAILED;
    r = net_read(&s->net, buf, len);
    if (r > 0) return (int)r;
    if (r == 0) {
        s->eof = 1;
        return 0;
    }
    s->net_error = 1;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

static int64_t x509_time_epoch(const mbedtls_x509_time *t)
{
    if (t->mon < 1 || t->mon > 12 || t->day < 1 || t->day > 31) return 0;
    return civil_to_days(t->year, (unsigned)t->mon, (unsigned)t->day) * 86400 + t->hour * 3600 +
           t->min * 60 + t->sec;
}

/* Called for every certificate of the chain being verified, the server's last (depth 0). */
static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct mtls_state *s = ctx;
    const mbedtls_x509_crt *c;

    *flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
    if (x509_time_epoch(&crt->valid_to) < s->vtime) *flags |= MBEDTLS_X509_BADCERT_EXPIRED;
    if (x509_time_epoch(&crt->valid_from) > s->vtime) *flags |= MBEDTLS_X509_BADCERT_FUTURE;
    if (depth != 0) return 0;
    s->leaf_len = 0;
    if (crt->raw.len <= sizeof s->leaf) {
        memcpy(s->leaf, crt->raw.p, crt->raw.len);
        s->leaf_len = crt->raw.len;
    }
    for (s->nchain = 0, c = crt; c != NULL && c->raw.len > 0; c = c->next)
        s->nchain++;
    if (s->ip_host != NULL && !tls_leaf_has_name(s->leaf, s->leaf_len, s->ip_host))
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    return 0;
}

static int add_ca(void *ctx, const uint8_t *der, size_t n)
{
    struct mtls_state *s = ctx;
    int r = mbedtls_x509_crt_parse_der(&s->ca, der, n);

    if (r == MBEDTLS_ERR_X509_ALLOC_FAILED)
        return err_set(ACME_ELOCAL, "out of memory loading the trust anchors");
    if (r != 0) { /* a certificate mbedTLS cannot use (e.g. an Ed25519 root): skipped */
        log_vv("skipping a trust anchor certificate mbedTLS cannot use (-0x%04x)", (unsigned)-r);
        s->ca_skipped++;
    }
    return 0;
}

static int load_anchors(struct mtls_state *s)
{
    const char *path =
        s->o.ca_file != NULL && *s->o.ca_file != '\0' ? s->o.ca_file : TLS_DEFAULT_CA_FILE;
    const char *src = NULL;
    int n;

    if (s->ca_loaded && strcmp(s->ca_path, path) == 0) return 0;
    mbedtls_x509_crt_free(&s->ca);
    mbedtls_x509_crt_init(&s->ca);
    s->ca_loaded = 0;
    s->ca_skipped = 0;
    n = tls_each_trust_cert(path, add_ca, s, &src);
    if (n < 0) return -1;
    if ((size_t)n == s->ca_skipped)
        return err_set(ACME_ELOCAL, "%s: no certificate usable as a trust anchor", src);
    fmt_snprintf(s->source, sizeof s->source, "%s", src);
    log_vv("%zu trust anchors from %s", (size_t)n - s->ca_skipped, s->source);
    mbedtls_ssl_conf_ca_chain(&s->conf, &s->ca, NULL);
    if (strlen(path) < sizeof s->ca_path) { /* longer paths are simply reloaded */
        strcpy(s->ca_path, path);
        s->ca_loaded = 1;
    }
    return 0;
}

static int setup(struct mtls_state *s)
{
    int r;

    if (s->setup) return 0;
    mbedtls_ssl_init(&s->ssl);
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_x509_crt_init(&s->ca);
    r = mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0) return err_set(ACME_ELOCAL, "mbedTLS configuration failed (-0x%04x)", (unsigned)-r);
    mbedtls_ssl_conf_min_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(&s->conf, suites);
    mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_rng(&s->conf, rng, NULL);
    mbedtls_ssl_conf_verify(&s->conf, verify_cb, s);
    mbedtls_ssl_conf_ca_chain(&s->conf, &s->ca, NULL);
    r = mbedtls_ssl_setup(&s->ssl, &s->conf);
    if (r != 0) return err_set(ACME_ELOCAL, "mbedTLS setup failed (-0x%04x)", (unsigned)-r);
    s->setup = 1;
    return 0;
}

/* The error for a failed handshake, read or write (ret: mbedTLS's code). */
static int tls_failure(struct mtls_state *s, const char *what, int ret)
{
    uint32_t f;
    const uint8_t *leaf = s->leaf_len > 0 ? s->leaf : NULL;
    char text[200];

    if (s->net_error) return err_prefix("%s", what);
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        f = mbedtls_ssl_get_verify_result(&s->ssl);
        if (f & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
            return tls_cert_error(s->host, s->port, TLS_CERT_VALIDITY, leaf, s->leaf_len, s->nchain,
                                  s->vtime, s->source, NULL);
        if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH)
            return tls_cert_error(s->host, s->port, TLS_CERT_BAD_NAME, leaf, s->leaf_len, s->nchain,
                                  s->vtime, s->source, NULL);
        if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
            return tls_cert_error(s->host, s->port, TLS_CERT_UNTRUSTED, leaf, s->leaf_len,
                                  s->nchain, s->vtime, s->source, NULL);
        mbedtls_x509_crt_verify_info(text, sizeof text, "", f);
        text[strcspn(text, "\n")] = '\0';
        return tls_cert_error(s->host, s->port, TLS_CERT_OTHER, leaf, s->leaf_len, s->nchain,
                              s->vtime, s->source, text);
    }
    if (s->eof)
        fmt_snprintf(text, sizeof text, "the connection was closed");
    else if (ret == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION)
        fmt_snprintf(text, sizeof text, "the server does not speak TLS 1.2");
    else if (ret == MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE ||
             ret == MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO)
        fmt_snprintf(text, sizeof text,
                     "no common cipher suite (this client offers only ECDHE with AES-GCM or "
                     "ChaCha20-Poly1305)");
    else if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
        fmt_snprintf(text, sizeof text, "the server sent a fatal alert");
    else
        mbedtls_strerror(ret, text, sizeof text);
    return err_set(ACME_ETEMP, "%s with %s port %s: %s", what, s->host, s->port, text);
}

static void tls_close(struct transport *t)
{
    struct mtls_state *s = t->ctx;

    if (!s->open) return;
    if (!s->net_error && !s->eof) { /* close_notify if it can leave at once */
        s->closing = 1;
        mbedtls_ssl_close_notify(&s->ssl);
        s->closing = 0;
    }
    net_close(&s->net);
    s->open = 0;
}

static int tls_open(struct transport *t, const char *host, const char *port)
{
    struct mtls_state *s = t->ctx;
    int r;

    tls_close(t);
    if (strlen(host) >= sizeof s->host || strlen(port) >= sizeof s->port)
        return err_set(ACME_ETEMP, "host name or port too long: %.64s", host);
    strcpy(s->host, host);
    strcpy(s->port, port);
    if (setup(s) != 0 || load_anchors(s) != 0) return -1;
    r = mbedtls_ssl_session_reset(&s->ssl);
    if (r != 0) return err_set(ACME_ELOCAL, "mbedTLS session reset failed (-0x%04x)", (unsigned)-r);
    s->ip_host = tls_host_is_ip(host) ? s->host : NULL;
    /* No SNI for an IP literal (RFC 6066); verify_cb() checks its name. */
    r = mbedtls_ssl_set_hostname(&s->ssl, s->ip_host != NULL ? NULL : s->host);
    if (r != 0)
        return err_set(ACME_ETEMP, "TLS to %s port %s: bad host name (-0x%04x)", host, port,
                       (unsigned)-r);
    if (net_connect(&s->net, host, port, s->o.timeout, s->o.bind_address) != 0) return -1;
    s->open = 1;
    s->eof = s->net_error = s->closing = 0;
    s->leaf_len = 0;
    s->nchain = 0;
    s->vtime = tls_validation_time();
    mbedtls_ssl_set_bio(&s->ssl, s, bio_send, bio_recv, NULL);
    do
        r = mbedtls_ssl_handshake(&s->ssl);
    while (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (r != 0) {
        tls_failure(s, "TLS handshake", r);
        tls_close(t);
        return -1;
    }
    t->handshakes++;
    log_v("TLS handshake with %s port %s done: %s, %s", host, port,
          mbedtls_ssl_get_version(&s->ssl), mbedtls_ssl_get_ciphersuite(&s->ssl));
    return 0;
}

static long tls_read(struct transport *t, void *buf, size_t n)
{
    struct mtls_state *s = t->ctx;
    int r;

    if (!s->open)
        return err_set(ACME_ETEMP, "reading from %s port %s: not connected", s->host, s->port);
    if (n > 0x7fffffff) n = 0x7fffffff;
    do
        r = mbedtls_ssl_read(&s->ssl, buf, n);
    while (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (r > 0) return r;
    /* close_notify, or the server just closed the socket (common with keep-alive; the HTTP
     * layer knows from the framing whether a response was cut short). */
    if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
        (s->eof && !s->net_error && r == MBEDTLS_ERR_SSL_CONN_EOF)) {
        tls_close(t);
        return 0;
    }
    tls_failure(s, "TLS read", r);
    tls_close(t);
    return -1;
}

static int tls_write(struct transport *t, const void *buf, size_t n)
{
    struct mtls_state *s = t->ctx;
    const unsigned char *p = buf;
    int r;

    if (!s->open)
        return err_set(ACME_ETEMP, "writing to %s port %s: not connected", s->host, s->port);
    while (n > 0) {
        r = mbedtls_ssl_write(&s->ssl, p, n);
        if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
        if (r <= 0) {
            if (s->eof && !s->net_error)
                err_set(ACME_ETEMP, "writing to %s port %s: the server closed the connection",
                        s->host, s->port);
            else
                tls_failure(s, "TLS write", r);
            tls_close(t);
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

struct transport *tls_transport(const struct transport_opts *o)
{
    if (!st.t.open) st.net.fd = -1;
    st.o = *o;
    st.t.open = tls_open;
    st.t.read = tls_read;
    st.t.write = tls_write;
    st.t.close = tls_close;
    st.t.ctx = &st;
    return &st.t;
}

#endif
