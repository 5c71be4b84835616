/* HTTP/1.1 client over a struct transport: one keep-alive connection, re-sent once only when
 * a reused connection turns out to have been closed by the server before it answered. */
#include "http_client.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "sys.h"
#include "url.h"

#if defined(__linux__)
#define UA_OS "Linux"
#elif defined(__APPLE__)
#define UA_OS "Darwin"
#elif defined(__FreeBSD__)
#define UA_OS "FreeBSD"
#elif defined(__OpenBSD__)
#define UA_OS "OpenBSD"
#elif defined(__NetBSD__)
#define UA_OS "NetBSD"
#else
#define UA_OS "unknown"
#endif

#if defined(__x86_64__)
#define UA_ARCH "x86_64"
#elif defined(__i386__)
#define UA_ARCH "i386"
#elif defined(__aarch64__)
#define UA_ARCH "aarch64"
#elif defined(__arm__) && defined(__ARMEB__)
#define UA_ARCH "armeb"
#elif defined(__arm__)
#define UA_ARCH "arm"
#elif defined(__mips__) && defined(__mips64) && defined(__MIPSEL__)
#define UA_ARCH "mips64el"
#elif defined(__mips__) && defined(__mips64)
#define UA_ARCH "mips64"
#elif defined(__mips__) && defined(__MIPSEL__)
#define UA_ARCH "mipsel"
#elif defined(__mips__)
#define UA_ARCH "mips"
#elif defined(__riscv) && __riscv_xlen == 64
#define UA_ARCH "riscv64"
#elif defined(__powerpc64__)
#define UA_ARCH "ppc64"
#elif defined(__powerpc__)
#define UA_ARCH "ppc"
#else
#define UA_ARCH "unknown"
#endif

#define USER_AGENT "acme.c/" ACME_VERSION " (" UA_OS "; " UA_ARCH ")"

void http_client_init(struct http_client *c, struct transport *t)
{
    c->t = t;
    c->host[0] = '\0';
    c->port[0] = '\0';
    c->connected = 0;
    c->requests = 0;
    c->connections = 0;
    c->now = sys_now;
    c->body[0] = '\0';
}

void http_client_close(struct http_client *c)
{
    if (c->connected) c->t->close(c->t);
    c->connected = 0;
}

static int same_server(const struct http_client *c, const struct url *u)
{
    return c->connected && strcasecmp(c->host, u->host) == 0 && strcmp(c->port, u->port) == 0;
}

static int open_connection(struct http_client *c, const struct url *u)
{
    http_client_close(c);
    if (c->t->open(c->t, u->host, u->port) < 0) return -1;
    c->connected = 1;
    c->connections++;
    memcpy(c->host, u->host, sizeof c->host);
    memcpy(c->port, u->port, sizeof c->port);
    log_v("connected to %s port %s (connection %u, %u TLS handshakes)", u->host, u->port,
          c->connections, c->t->handshakes);
    return 0;
}

/* Request head into c->head; returns its length or -1. */
static long build_head(struct http_client *c, const struct url *u, const char *method,
                       const char *ctype, size_t len, int has_body)
{
    struct buf b;
    char auth[300];
    if (url_authority(u, 0, auth, sizeof auth) < 0) return -1;
    buf_init(&b, c->head, sizeof c->head);
    buf_printf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: " USER_AGENT "\r\nAccept: */*\r\n",
               method, u->path, auth);
    if (has_body) {
        if (ctype != NULL) buf_printf(&b, "Content-Type: %s\r\n", ctype);
        buf_printf(&b, "Content-Length: %zu\r\n", len);
    }
    buf_puts(&b, "\r\n");
    if (buf_check(&b, "HTTP request head") < 0) return -1;
    return (long)b.len;
}

#define ATTEMPT_RETRY 1

int transport_dropped;

/* One try on the current (reused) or a new connection. Returns 0, -1 with an error, or
 * ATTEMPT_RETRY when a reused connection was closed or reset by the server before any byte
 * of the response arrived (never after a timeout). */
static int attempt(struct http_client *c, const struct url *u, int head_req, size_t hlen,
                   const void *body, size_t len, struct http_response *r)
{
    int reused = same_server(c, u), rc;
    size_t got = 0, used;
    long n;

    transport_dropped = 0;
    if (!reused && open_connection(c, u) < 0) return -1;
    if (len > 0 && len <= sizeof c->head - hlen) { /* one write: one TLS record, one segment */
        memcpy(c->head + hlen, body, len);
        hlen += len;
        len = 0;
    }
    if (c->t->write(c->t, c->head, hlen) < 0 || (len > 0 && c->t->write(c->t, body, len) < 0)) {
        http_client_close(c);
        return reused && transport_dropped ? ATTEMPT_RETRY : -1;
    }
    http_resp_init(&c->parser, r, c->body, CONFIG_HTTP_BODY_MAX, head_req,
                   c->now != NULL ? c->now() : sys_now());
    for (;;) {
        n = c->t->read(c->t, c->rbuf, sizeof c->rbuf);
        if (n < 0) {
            http_client_close(c);
            return reused && got == 0 && transport_dropped ? ATTEMPT_RETRY : -1;
        }
        if (n == 0) {
            if (http_resp_eof(&c->parser) == HTTP_DONE) break;
            http_client_close(c);
            return reused && got == 0 ? ATTEMPT_RETRY : -1;
        }
        got += (size_t)n;
        rc = http_resp_feed(&c->parser, c->rbuf, (size_t)n, &used);
        if (rc == HTTP_ERROR) {
            http_client_close(c);
            return -1;
        }
        if (rc == HTTP_DONE) {
            if (used < (size_t)n) {
                /* nothing was asked for: the connection is out of step, so drop it */
                log_v("%zu unexpected bytes after the response from %s; closing the connection",
                      (size_t)n - used, u->host);
                http_client_close(c);
            }
            break;
        }
    }
    if (!http_resp_keep_alive(&c->parser)) http_client_close(c);
    return 0;
}

/* Location and Link may be absolute paths; make them absolute URLs. */
static int resolve_refs(const struct url *u, struct http_response *r)
{
    char tmp[HTTP_URL_MAX];
    size_t i;
    for (i = 0; i <= r->nlinks; i++) { /* the links, then Location */
        char *ref = i < r->nlinks ? r->links[i].url : r->location;
        if (ref[0] != '/') continue;
        if (url_resolve(u, ref, tmp, sizeof tmp) < 0) return -1;
        memcpy(ref, tmp, sizeof tmp);
    }
    return 0;
}

int http_request(struct http_client *c, const char *method, const char *url, const char *ctype,
                 const void *body, size_t len, struct http_response *r)
{
    struct url u;
    long hlen;
    int rc, has_body = strcmp(method, "POST") == 0, head_req = strcmp(method, "HEAD") == 0;

    if (!head_req && !has_body && strcmp(method, "GET") != 0)
        return err_set(ACME_ELOCAL, "HTTP: method %s not supported", method);
    if (!has_body && len > 0) return err_set(ACME_ELOCAL, "HTTP: %s with a body", method);
    if (ctype != NULL && strpbrk(ctype, "\r\n") != NULL)
        return err_set(ACME_ELOCAL, "HTTP: line break in Content-Type");
    if (url_parse(&u, url) < 0) return -1;
    hlen = build_head(c, &u, method, ctype, len, has_body);
    if (hlen < 0) goto failed;

    rc = attempt(c, &u, head_req, (size_t)hlen, body, len, r);
    if (rc == ATTEMPT_RETRY) {
        log_v("%s port %s closed the idle connection (%s); reconnecting", u.host, u.port,
              err_msg()[0] != '\0' ? err_msg() : "end of stream");
        err_clear();
        rc = attempt(c, &u, head_req, (size_t)hlen, body, len, r);
    }
    if (rc != 0) {
        if (err_status() == ACME_OK) err_set(ACME_ETEMP, "HTTP: request failed");
        goto failed;
    }
    c->requests++;
    log_vv("%s %s: %d", method, url, r->status);
    if (resolve_refs(&u, r) == 0) return 0;
failed:
    return err_prefix("%s %s", method, url);
}

const char *http_link(const struct http_response *r, const char *rel)
{
    size_t i, n = strlen(rel);
    for (i = 0; i < r->nlinks; i++) {
        const char *s = r->links[i].rel;
        /* rel may hold several space-separated relation types */
        while (*s != '\0') {
            size_t k = strcspn(s, " \t");
            if (k == n && strncasecmp(s, rel, n) == 0) return r->links[i].url;
            s += k;
            s += strspn(s, " \t");
        }
    }
    return NULL;
}
