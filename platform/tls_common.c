/* Trust anchor sources, IP-literal host checks and certificate error messages shared by the
 * BearSSL and mbedTLS transports (see tls_common.h). */
#include "tls_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/build_config.h"
#include "../core/civil.h"
#include "../core/err.h"
#include "../core/ipaddr.h"
#include "../core/log.h"
#include "../core/pem.h"
#include "../core/x509.h"
#include "../core/sys.h"
#include "fmt.h"
#ifndef CONFIG_TLS_MBEDTLS
#include "../bearssl/trust_store.h"
#endif

/* A PEM certificate block of ca_file, kept whole before decoding; longer blocks are an error
 * naming this limit. Lines inside a block longer than PEM_LINE_MAX are an error too. */
#define PEM_BLOCK_MAX 24576
#define PEM_LINE_MAX 256

static const char BEGIN_CERT[] = "-----BEGIN CERTIFICATE-----";

static char source_text[320];

struct pem_stream {
    const char *path;
    int (*fn)(void *ctx, const uint8_t *der, size_t n);
    void *ctx;
    char line[PEM_LINE_MAX + 1];
    size_t line_len;
    int line_long;   /* the current line did not fit in line[] */
    unsigned lineno; /* of the current line, from 1 */
    unsigned start;  /* line of the BEGIN of the current block, 0 outside blocks */
    char block[PEM_BLOCK_MAX];
    size_t block_len;
    uint8_t der[TLS_CERT_DER_MAX];
    int count;
};

static struct pem_stream ps; /* static: one trust store load at a time, no stack burden */

static int end_of_line(struct pem_stream *s)
{
    size_t n = s->line_len, pos = 0, derlen;

    while (n > 0 && (s->line[n - 1] == '\r' || s->line[n - 1] == ' ' || s->line[n - 1] == '\t'))
        n--;
    if (s->start == 0) {
        /* Outside a block only a BEGIN CERTIFICATE line matters; long lines are other text. */
        if (!s->line_long && n == sizeof BEGIN_CERT - 1 && memcmp(s->line, BEGIN_CERT, n) == 0) {
            s->start = s->lineno;
            s->block_len = 0;
        } else {
            return 0;
        }
    } else if (s->line_long) {
        return err_set(ACME_ELOCAL, "ca_file %s line %u: longer than %d bytes inside a certificate",
                       s->path, s->lineno, PEM_LINE_MAX);
    }
    if (s->block_len + n + 1 > sizeof s->block)
        return err_set(ACME_ELOCAL,
                       "ca_file %s: the certificate at line %u is longer than %d bytes of PEM",
                       s->path, s->start, PEM_BLOCK_MAX);
    memcpy(s->block + s->block_len, s->line, n);
    s->block_len += n;
    s->block[s->block_len++] = '\n';
    if (n < 9 || memcmp(s->line, "-----END ", 9) != 0) return 0;
    if (pem_next(s->block, s->block_len, &pos, "CERTIFICATE", NULL, s->der, sizeof s->der,
                 &derlen) != 1) {
        err_prefix("ca_file %s: the certificate at line %u", s->path, s->start);
        return err_recode(ACME_ELOCAL);
    }
    s->start = 0;
    s->count++;
    return s->fn(s->ctx, s->der, derlen);
}

static int feed(struct pem_stream *s, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] == '\n') {
            if (end_of_line(s) != 0) return -1;
            s->line_len = 0;
            s->line_long = 0;
            s->lineno++;
        } else if (s->line_len < PEM_LINE_MAX) {
            s->line[s->line_len++] = p[i];
        } else {
            s->line_long = 1;
        }
    }
    return 0;
}

static int read_bundle(const char *path, int fd)
{
    char rbuf[4096];
    ssize_t r;

    for (;;) {
        r = read(fd, rbuf, sizeof rbuf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return err_set(ACME_ELOCAL, "ca_file %s: %s", path, sys_errtext(errno));
        if (r == 0) break;
        if (feed(&ps, rbuf, (size_t)r) != 0) return -1;
    }
    if (ps.line_len > 0 && end_of_line(&ps) != 0) /* a last line without a line break */
        return -1;
    if (ps.start != 0)
        return err_set(ACME_ELOCAL, "ca_file %s: the certificate at line %u has no END line", path,
                       ps.start);
    if (ps.count == 0) return err_set(ACME_ELOCAL, "ca_file %s: no certificates in it", path);
    return ps.count;
}

int tls_each_trust_cert(const char *ca_file, int (*fn)(void *ctx, const uint8_t *der, size_t n),
                        void *ctx, const char **source)
{
    const char *path = ca_file != NULL && *ca_file != '\0' ? ca_file : TLS_DEFAULT_CA_FILE;
    size_t count;
    int fd, rc;

    if (source != NULL) *source = source_text; /* written below */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fmt_snprintf(source_text, sizeof source_text, "ca_file %s", path);
        memset(&ps, 0, sizeof ps);
        ps.path = path;
        ps.fn = fn;
        ps.ctx = ctx;
        ps.lineno = 1;
        rc = read_bundle(path, fd);
        close(fd);
        return rc;
    }
    if (errno != ENOENT) return err_set(ACME_ELOCAL, "ca_file %s: %s", path, sys_errtext(errno));
#ifdef CONFIG_TLS_MBEDTLS
    count = acme_builtin_cert_count;
#else
    count = acme_builtin_anchor_count;
#endif
    if (count == 0)
        return err_set(ACME_ELOCAL,
                       "ca_file %s does not exist and this build has no built-in trust anchors",
                       path);
    fmt_snprintf(source_text, sizeof source_text,
                 "the built-in trust anchors (ca_file %s is missing)", path);
    log_v("using %s: %zu certificates", source_text, count);
#ifdef CONFIG_TLS_MBEDTLS
    for (size_t i = 0; i < count; i++)
        if (fn(ctx, acme_builtin_certs[i].der, acme_builtin_certs[i].len) != 0)
            return err_prefix("built-in trust anchor from %s", acme_builtin_certs[i].origin);
    return (int)count;
#else
    return 0; /* BearSSL: no certificates to decode, the caller takes acme_builtin_anchors */
#endif
}

void tls_format_time(int64_t t, char *out, size_t cap)
{
    struct civil_time c;

    civil_split(t, &c);
    fmt_snprintf(out, cap, "%04lld-%02u-%02u %02u:%02u:%02u UTC", (long long)c.year, c.month, c.day,
                 c.hour, c.min, c.sec);
}

/* host without the brackets of an IPv6 literal, into out; 0, or -1 when it does not fit. */
static int unbracket(const char *host, char *out, size_t cap)
{
    size_t n = strlen(host);

    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n >= cap) return -1;
    memcpy(out, host, n);
    out[n] = '\0';
    return 0;
}

int tls_host_is_ip(const char *host)
{
    char h[IPADDR_TEXT_MAX + 8];
    uint8_t ip[16];

    if (unbracket(host, h, sizeof h) != 0) return 0;
    return ipaddr_parse(h, strlen(h), ip) != 0;
}

int tls_leaf_has_name(const uint8_t *der, size_t n, const char *host)
{
    struct x509_info x;
    char h[256];

    if (der == NULL || unbracket(host, h, sizeof h) != 0 || x509_parse(der, n, &x) != 0) {
        err_clear();
        return 0;
    }
    return x509_has_name(&x, h);
}

/* "a.example, b.example" (at most four names, then ", ..." when there are more) into
 * out[cap >= X509_CN_MAX + 8], or the subject CN. */
static void leaf_names(const struct x509_info *x, char *out, size_t cap)
{
    size_t pos = 0, len = 0, n;
    unsigned shown = 0;
    int kind;
    char name[256];

    while (x509_san_next(x, &pos, &kind, name, sizeof name) == 1) {
        n = strlen(name);
        /* keep room for ", ..." */
        if (shown == 4 || len + 2 + n + 5 >= cap) {
            memcpy(out + len, ", ...", 6);
            break;
        }
        if (shown++ > 0) {
            memcpy(out + len, ", ", 2);
            len += 2;
        }
        memcpy(out + len, name, n + 1);
        len += n;
    }
    err_clear();
    if (shown == 0) fmt_snprintf(out, cap, "%s", x->subject_cn[0] ? x->subject_cn : "(no names)");
}

int tls_cert_error(const char *host, const char *port, enum tls_cert_problem p, const uint8_t *leaf,
                   size_t leaf_len, unsigned nchain, int64_t vtime, const char *source,
                   const char *detail)
{
    struct x509_info x;
    int have = leaf != NULL && x509_parse(leaf, leaf_len, &x) == 0;
    char names[X509_CN_MAX + 16], t1[32], t2[32];

    err_clear();
    if (!have)
        strcpy(names, "?");
    else
        leaf_names(&x, names, sizeof names);
    if (source == NULL) source = "?";
    tls_format_time(vtime, t2, sizeof t2);
    switch (p) {
    case TLS_CERT_BAD_NAME:
        err_set(ACME_ETEMP, "the server's certificate is not valid for host name %s (it is for %s)",
                host, names);
        break;
    case TLS_CERT_VALIDITY:
        if (have && (vtime < x.not_before || vtime > x.not_after)) {
            int early = vtime < x.not_before;
            tls_format_time(early ? x.not_before : x.not_after, t1, sizeof t1);
            err_set(ACME_ETEMP, "the server's certificate (for %s) %s %s, the time is %s", names,
                    early ? "is not yet valid: valid from" : "expired on", t1, t2);
        } else {
            err_set(ACME_ETEMP,
                    "a certificate in the server's chain has expired or is not yet valid at %s",
                    t2);
        }
        break;
    case TLS_CERT_UNTRUSTED:
        if (have && nchain <= 1 && x.issuer_name_len == x.subject_name_len &&
            memcmp(x.issuer_name, x.subject_name, x.issuer_name_len) == 0)
            err_set(ACME_ETEMP,
                    "the server's certificate (for %s) is self-signed and not among the trust "
                    "anchors (%s)",
                    names, source);
        else
            err_set(ACME_ETEMP,
                    "the server's certificate (for %s) chains to an untrusted or unknown "
                    "issuer%s%s%s: no trust anchor in %s",
                    names, have && x.issuer_cn[0] ? " (issuer CN=" : "", have ? x.issuer_cn : "",
                    have && x.issuer_cn[0] ? ")" : "", source);
        break;
    default:
        err_set(ACME_ETEMP, "certificate chain rejected: %s", detail ? detail : "unknown reason");
        break;
    }
    return err_prefix("TLS to %s port %s", host, port);
}
