/* The built-in HTTP-01 responder: bind in the caller, serve from a forked child with one
 * poll() loop (see core/http01.h for the design and what is answered). */
#include "../core/http01.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/build_config.h"
#include "../core/err.h"
#include "../core/http.h"
#include "../core/ipaddr.h"
#include "../core/log.h"
#include "listener.h"
#include "../core/str.h"
#include "../core/sys.h"

#define CHALLENGE_PREFIX "/.well-known/acme-challenge/"
/* A token longer than this cannot come from a sane CA (RFC 8555: 128 bits of entropy,
 * base64url; Let's Encrypt and Pebble send 43 characters). */
#define HTTP01_TOKEN_MAX 256
#define HTTP01_KEYAUTH_MAX 512
/* One response: status line, four header lines, the key authorization. */
#define HTTP01_RESPONSE_MAX (256 + HTTP01_KEYAUTH_MAX)
/* After the response, unread request bytes are drained this long before closing, so that
 * the close does not turn into a reset that destroys the response in flight. */
#define HTTP01_LINGER_MS 2000
/* Connections the kernel queues before the responder accepts them: more than the slots, so
 * that a burst of clients does not make the validator's SYN wait for a retransmission. */
#define HTTP01_BACKLOG (CONFIG_HTTP01_MAX_CONNS > 128 ? CONFIG_HTTP01_MAX_CONNS : 128)

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

static int respond(struct buf *out, int status, int head, const char *body)
{
    if (body == NULL) body = reason(status);
    size_t n = strlen(body);
    buf_printf(out, "HTTP/1.1 %d %s\r\n", status, reason(status));
    if (status == 405) buf_puts(out, "Allow: GET, HEAD\r\n");
    buf_printf(out, "Content-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
               n);
    if (!head) buf_put(out, body, n);
    if (buf_check(out, "HTTP-01 response") < 0) return -1;
    return status;
}

/* The response to a parsed request (rc: the parser's HTTP_DONE or HTTP_ERROR). */
static int answer_parsed(const struct http_req_parser *p, int rc, const struct http01_token *tokens,
                         size_t n, struct buf *out)
{
    if (rc != HTTP_DONE) {
        /* A client error whatever the parser's reason: unknown methods get 405 (the Allow
         * header names the two there are), an HTTP version or transfer coding we do not
         * speak 400. The responder never answers 5xx: nothing here is the server's fault. */
        if (p->status == 501 && strcmp(p->method, "GET") != 0 && strcmp(p->method, "HEAD") != 0)
            return respond(out, 405, 0, NULL);
        return respond(out, p->status >= 400 && p->status < 500 ? p->status : 400, 0, NULL);
    }
    int head = strcmp(p->method, "HEAD") == 0;
    if (!head && strcmp(p->method, "GET") != 0) return respond(out, 405, 0, NULL);
    const char *t = p->target;
    /* Traversal and escapes never name a token: refuse them outright rather than 404. */
    if (strchr(t, '%') != NULL || str_find(t, "/..") != NULL || str_find(t, "/./") != NULL ||
        strchr(t, '\\') != NULL)
        return respond(out, 400, head, NULL);
    size_t plen = sizeof CHALLENGE_PREFIX - 1;
    if (strncmp(t, CHALLENGE_PREFIX, plen) != 0) return respond(out, 404, head, NULL);
    t += plen;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t, tokens[i].token) == 0) return respond(out, 200, head, tokens[i].key_auth);
    return respond(out, 404, head, NULL);
}

int http01_answer(const char *req, size_t len, const struct http01_token *tokens, size_t n,
                  struct buf *out)
{
    static struct http_req_parser p;
    size_t used;
    http_req_init(&p);
    int rc = http_req_feed(&p, req, len, &used);
    if (rc == HTTP_NEED_MORE) {
        p.status = 400; /* an incomplete request head */
        rc = HTTP_ERROR;
    }
    return answer_parsed(&p, rc, tokens, n, out);
}

int http01_parse_listen(const char *listen, char *host, size_t hostlen, unsigned *port)
{
    const char *colon, *h = listen;
    size_t hl;
    unsigned char addr[16];
    char tmp[INET6_ADDRSTRLEN];

    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (close == NULL || close[1] != ':') goto bad;
        h = listen + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(listen, ':');
        if (colon == NULL || memchr(listen, ':', (size_t)(colon - listen)) != NULL)
            goto bad; /* an IPv6 address needs brackets */
        hl = (size_t)(colon - listen);
    }
    if (hl >= sizeof tmp) goto bad;
    memcpy(tmp, h, hl);
    tmp[hl] = '\0';
    if (strcmp(tmp, "*") == 0 || strcmp(tmp, "::") == 0) tmp[0] = '\0';
    if (tmp[0] != '\0' && ipaddr_parse(tmp, hl, addr) != (listen[0] == '[' ? 16 : 4)) goto bad;
    const char *d = colon + 1;
    unsigned long v = 0;
    if (*d == '\0') goto bad;
    for (; *d; d++) {
        if (*d < '0' || *d > '9' || (v = v * 10 + (unsigned long)(*d - '0')) > 65535) goto bad;
    }
    if (strlen(tmp) >= hostlen) goto bad;
    strcpy(host, tmp);
    *port = (unsigned)v;
    return 0;
bad:
    return err_set(ACME_ECONFIG,
                   "http_listen: '%s' is not ADDRESS:PORT, [IPV6]:PORT or :PORT with a numeric "
                   "address and a port 0-65535",
                   listen);
}

#if defined(CONFIG_HTTP01_RESPONDER)

static int token_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static struct listener responder = LISTENER_INIT("http-01 responder", "HTTP-01 responder");

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum conn_state { CONN_FREE = 0, CONN_READ, CONN_WRITE, CONN_LINGER };

struct conn {
    enum conn_state state;
    int fd;
    int64_t deadline;
    uint64_t seq; /* accept order: the smallest is the oldest */
    size_t out_len, out_off;
    unsigned char out[HTTP01_RESPONSE_MAX];
    struct http_req_parser p;
};

static struct conn conns[CONFIG_HTTP01_MAX_CONNS];
static uint64_t accept_seq;
static unsigned long evicted; /* connections closed to make room */

static void conn_close(struct conn *c)
{
    close(c->fd);
    c->state = CONN_FREE;
}

static void conn_answer(struct conn *c, int rc, const struct http01_token *tokens, size_t n)
{
    struct buf out;
    buf_init(&out, c->out, sizeof c->out);
    int status = answer_parsed(&c->p, rc, tokens, n, &out);
    if (status < 0) {
        conn_close(c);
        return;
    }
    /* The target names the token, never the key authorization. */
    if (rc == HTTP_DONE)
        log_vv("http-01 responder: %s %.100s: %d", c->p.method, c->p.target, status);
    else
        log_vv("http-01 responder: %s: %d", err_msg(), status);
    c->out_len = out.len;
    c->out_off = 0;
    c->state = CONN_WRITE;
}

static void conn_read(struct conn *c, const struct http01_token *tokens, size_t n)
{
    unsigned char in[512];
    ssize_t r = recv(c->fd, in, sizeof in, 0);
    if (r < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) conn_close(c);
        return;
    }
    if (c->state == CONN_LINGER) {
        if (r == 0) conn_close(c);
        return; /* discarded */
    }
    if (r == 0) {
        conn_close(c); /* the client went away before a complete request */
        return;
    }
    size_t used;
    int rc = http_req_feed(&c->p, in, (size_t)r, &used);
    if (rc != HTTP_NEED_MORE) conn_answer(c, rc, tokens, n);
}

static void conn_write(struct conn *c, int64_t now)
{
    ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) conn_close(c);
        return;
    }
    c->out_off += (size_t)w;
    if (c->out_off == c->out_len) {
        shutdown(c->fd, SHUT_WR);
        c->state = CONN_LINGER;
        if (c->deadline > now + HTTP01_LINGER_MS) c->deadline = now + HTTP01_LINGER_MS;
    }
}

/* The slot a new connection takes when all are busy: the oldest lingering connection (its
 * answer is sent), else the oldest one still reading (idle or trickling: a validator sends
 * its whole request at once and is answered the moment it is accepted, see serve_accept). A
 * client holding every slot thus cannot keep the CA's validation requests out; it only
 * loses its own oldest connections. Connections being written to are never taken. */
static struct conn *evict_slot(void)
{
    struct conn *best = NULL;
    for (size_t i = 0; i < CONFIG_HTTP01_MAX_CONNS; i++) {
        struct conn *c = &conns[i];
        if (c->state == CONN_FREE) return c;
        if (c->state == CONN_WRITE) continue;
        if (best == NULL || (c->state == CONN_LINGER && best->state != CONN_LINGER) ||
            (c->state == best->state && c->seq < best->seq))
            best = c;
    }
    if (best != NULL) {
        if (evicted++ == 0)
            log_v("http-01 responder: all %d connections busy (HTTP01_MAX_CONNS): closing the "
                  "oldest idle ones for new clients",
                  CONFIG_HTTP01_MAX_CONNS);
        conn_close(best);
    }
    return best;
}

/* Accepts everything waiting (bounded per call), reading each new connection's request at
 * once: a request that arrived with the connection is answered before any eviction can
 * touch it. */
static void serve_accept(int lfd, int64_t now, const struct http01_token *tokens, size_t n)
{
    for (size_t k = 0; k < 4 * CONFIG_HTTP01_MAX_CONNS; k++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        struct conn *c = evict_slot();
        if (c == NULL) { /* every slot is sending a response: refuse this one */
            close(fd);
            continue;
        }
        c->fd = fd;
        c->state = CONN_READ;
        c->seq = ++accept_seq;
        c->deadline = now + (int64_t)CONFIG_HTTP01_CONN_TIMEOUT * 1000;
        http_req_init(&c->p);
        conn_read(c, tokens, n);
        if (c->state == CONN_WRITE) conn_write(c, now);
    }
}

/* What the child serves. */
struct serve_args {
    const struct http01_token *tokens;
    size_t n;
    int timeout;
};

/* The child's life: serve until the deadline (or SIGTERM). */
static void serve(int lfd, void *ctx)
{
    const struct serve_args *sa = ctx;
    const struct http01_token *tokens = sa->tokens;
    size_t n = sa->n;
    int timeout = sa->timeout;
    static struct pollfd pfd[CONFIG_HTTP01_MAX_CONNS + 1];
    static size_t who[CONFIG_HTTP01_MAX_CONNS + 1];
    int64_t end = now_ms() + (int64_t)timeout * 1000;

    for (;;) {
        int64_t now = now_ms(), wake = end;
        size_t np = 0;
        if (now >= end) return;
        for (size_t i = 0; i < CONFIG_HTTP01_MAX_CONNS; i++) {
            struct conn *c = &conns[i];
            if (c->state == CONN_FREE) continue;
            if (now >= c->deadline) {
                conn_close(c); /* too slow, or lingering done */
                continue;
            }
            if (c->deadline < wake) wake = c->deadline;
            pfd[np].fd = c->fd;
            pfd[np].events = c->state == CONN_WRITE ? POLLOUT : POLLIN;
            pfd[np].revents = 0;
            who[np++] = i;
        }
        /* Always listening: at the limit, a new client takes the oldest idle slot. */
        pfd[np].fd = lfd;
        pfd[np].events = POLLIN;
        pfd[np].revents = 0;
        who[np++] = (size_t)-1;
        int r = poll(pfd, np, (int)(wake - now) + 1);
        if (r < 0 && errno != EINTR) return;
        now = now_ms();
        for (size_t k = 0; r > 0 && k < np; k++) {
            if (pfd[k].revents == 0) continue;
            if (who[k] == (size_t)-1) {
                serve_accept(lfd, now, tokens, n);
                continue;
            }
            struct conn *c = &conns[who[k]];
            if (c->state == CONN_FREE) continue; /* evicted by an accept in this round */
            if (c->state == CONN_WRITE)
                conn_write(c, now);
            else
                conn_read(c, tokens, n);
            /* An answer chosen just now is sent right away (the socket is rarely full). */
            if (c->state == CONN_WRITE) conn_write(c, now);
        }
    }
}

/* Binds listen: the socket, or -1 with the error set. */
static int bind_listen(const char *listen)
{
    char host[INET6_ADDRSTRLEN];
    unsigned port;
    const char *step = "";
    int fd;

    if (http01_parse_listen(listen, host, sizeof host, &port) < 0) return -1;
    fd = listener_open(&responder, host, port, SOCK_NONBLOCK, HTTP01_BACKLOG, &step);
    if (fd < 0) {
        int e = errno;
        if (e == EADDRINUSE)
            return err_set(ACME_ETEMP,
                           "cannot listen on %s for HTTP-01: port %u is in use (%s); stop the "
                           "web server there, or set webroot (serve the challenge from its "
                           "document root) or http_listen",
                           listen, port, sys_errtext(e));
        if (e == EACCES)
            return err_set(ACME_ELOCAL,
                           "cannot listen on %s for HTTP-01: %s (port %u needs root); set "
                           "webroot or http_listen",
                           listen, sys_errtext(e), port);
        return err_set(ACME_ELOCAL, "cannot listen on %s for HTTP-01: %s: %s", listen, step,
                       sys_errtext(e));
    }
    return fd;
}

int http01_bind(const char *listen)
{
    return listener_bind_ahead(&responder, listen, "http_listen", bind_listen);
}

int http01_start(const char *listen, const struct http01_token *tokens, size_t n, int timeout)
{
    char host[INET6_ADDRSTRLEN];
    unsigned port;
    struct serve_args sa;

    if (responder.child > 0)
        return err_set(ACME_ELOCAL, "the HTTP-01 responder is already running");
    if (n > HTTP01_MAX_TOKENS)
        return err_set(ACME_ELOCAL, "HTTP-01 responder: %zu tokens, more than the limit of %d", n,
                       HTTP01_MAX_TOKENS);
    for (size_t i = 0; i < n; i++) {
        size_t tl = strlen(tokens[i].token);
        if (tl == 0 || tl > HTTP01_TOKEN_MAX)
            return err_set(ACME_EREFUSED, "HTTP-01 token of %zu characters (1 to %d allowed)", tl,
                           HTTP01_TOKEN_MAX);
        for (size_t k = 0; k < tl; k++)
            if (!token_char((unsigned char)tokens[i].token[k]))
                return err_set(ACME_EREFUSED, "HTTP-01 token '%.64s' is not base64url",
                               tokens[i].token);
        if (strlen(tokens[i].key_auth) > HTTP01_KEYAUTH_MAX)
            return err_set(ACME_ELOCAL, "HTTP-01 key authorization longer than %d bytes",
                           HTTP01_KEYAUTH_MAX);
    }
    if (timeout <= 0 || timeout > 86400) timeout = timeout <= 0 ? 3600 : 86400;
    /* The port asked for: 0 lets the kernel choose, and the log then names its choice. */
    if (http01_parse_listen(listen, host, sizeof host, &port) < 0) return -1;
    sa.tokens = tokens;
    sa.n = n;
    sa.timeout = timeout;
    if (listener_start(&responder, listen, bind_listen, serve, &sa) < 0) return -1;
    if (port == 0)
        log_v("http-01 responder listening on %s (port %u) for %zu token(s)", listen,
              responder.port, n);
    else
        log_v("http-01 responder listening on %s for %zu token(s)", listen, n);
    return 0;
}

void http01_stop(void)
{
    listener_stop(&responder);
}

unsigned http01_port(void)
{
    return responder.port;
}

#else /* !CONFIG_HTTP01_RESPONDER */

int http01_bind(const char *listen)
{
    (void)listen;
    return 0; /* http01_start() reports that the responder is missing */
}

int http01_start(const char *listen, const struct http01_token *tokens, size_t n, int timeout)
{
    (void)listen, (void)tokens, (void)n, (void)timeout;
    return err_set(ACME_ECONFIG, "this acme was built without the HTTP-01 responder "
                                 "(CONFIG_HTTP01_RESPONDER); set webroot or challenge = dns-01");
}

void http01_stop(void)
{
}

unsigned http01_port(void)
{
    return 0;
}

#endif
