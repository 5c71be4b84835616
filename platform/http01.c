/* The built-in HTTP-01 responder: bind in the caller, serve from a forked child with one
 * poll() loop (see core/http01.h for the design and what is answered). */
#include "../core/http01.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/build_config.h"
#include "../core/decimal.h"
#include "../core/err.h"
#include "../core/http.h"
#include "../core/ipaddr.h"
#include "../core/log.h"
#include "listener.h"
#include "net.h"
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

/* The reason phrase of each status the responder sends (see answer_parsed). */
static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Bad Request"; /* 400 */
    }
}

static int respond(struct buf *out, int status, int head, const char *body)
{
    const char *phrase = reason(status);
    if (body == NULL) body = phrase;
    size_t n = strlen(body);
    buf_printf(out,
               "HTTP/1.1 %d %s\r\n%sContent-Type: text/plain\r\nContent-Length: %zu\r\n"
               "Connection: close\r\n\r\n",
               status, phrase, status == 405 ? "Allow: GET, HEAD\r\n" : "", n);
    if (!head) buf_put(out, body, n);
    if (buf_check(out, "HTTP-01 response") < 0) return -1;
    return status;
}

/* The response to a parsed request (rc: the parser's HTTP_DONE or HTTP_ERROR). */
static int answer_parsed(const struct http_req_parser *p, int rc, const struct http01_token *tokens,
                         size_t n, struct buf *out)
{
    int head = strcmp(p->method, "HEAD") == 0, status = 405;
    int known = head || strcmp(p->method, "GET") == 0; /* the parser's p->method or "" */
    const char *t = p->target, *body = NULL;
    size_t plen = sizeof CHALLENGE_PREFIX - 1;

    if (rc != HTTP_DONE) {
        /* A client error whatever the parser's reason: unknown methods get 405 (the Allow
         * header names the two there are), too long a line 414 or 431, anything else (an
         * HTTP version or transfer coding we do not speak, ...) 400. The responder never answers
         * 5xx: nothing here is the server's fault. */
        head = 0;
        if (p->status != 501 || known)
            status = p->status == 414 || p->status == 431 ? p->status : 400;
    } else if (known) {
        status = 404;
        /* Traversal and escapes never name a token: refuse them outright rather than 404. */
        if (strpbrk(t, "%\\") != NULL || str_find(t, "/..") != NULL || str_find(t, "/./") != NULL)
            status = 400;
        else if (strncmp(t, CHALLENGE_PREFIX, plen) == 0)
            for (size_t i = 0; i < n && body == NULL; i++)
                if (strcmp(t + plen, tokens[i].token) == 0) body = tokens[i].key_auth;
        if (body != NULL) status = 200;
    }
    return respond(out, status, head, body);
}

int http01_answer(const char *req, size_t len, const struct http01_token *tokens, size_t n,
                  struct buf *out)
{
    static struct http_req_parser p;
    http_req_init(&p);
    int rc = http_req_feed(&p, req, len, NULL);
    if (rc == HTTP_NEED_MORE) {
        p.status = 400; /* an incomplete request head */
        rc = HTTP_ERROR;
    }
    return answer_parsed(&p, rc, tokens, n, out);
}

int http01_parse_listen(const char *listen, char *host, size_t hostlen, unsigned *port)
{
    int v6 = listen[0] == '[';
    const char *h = listen + v6, *colon;
    size_t hl;
    unsigned char addr[16];
    long v;

    if (v6) {
        colon = strchr(h, ']');
        if (colon == NULL || colon[1] != ':') goto bad;
        hl = (size_t)(colon++ - h);
    } else {
        colon = strrchr(listen, ':');
        if (colon == NULL || memchr(listen, ':', (size_t)(colon - listen)) != NULL)
            goto bad; /* an IPv6 address needs brackets */
        hl = (size_t)(colon - listen);
    }
    if (hl >= hostlen) goto bad;
    memcpy(host, h, hl);
    host[hl] = '\0';
    /* in brackets an IPv6 address; else "", "*" or an IPv4 address */
    if (!v6 && strcmp(host, "*") == 0) host[0] = '\0';
    if ((v6 || host[0] != '\0') && ipaddr_parse(host, hl, addr) != (v6 ? 16 : 4)) goto bad;
    if (strcmp(host, "::") == 0) host[0] = '\0';
    if ((v = decimal_parse(colon + 1, 9)) < 0 || v > 65535) goto bad;
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

enum conn_state { CONN_FREE = 0, CONN_READ, CONN_WRITE, CONN_LINGER };

struct conn {
    enum conn_state state;
    int fd;
    int deadline; /* clock_ms() */
    unsigned seq; /* accept order: the smallest (modulo wrap-around) is the oldest */
    size_t out_len, out_off;
    unsigned char out[HTTP01_RESPONSE_MAX];
    struct http_req_parser p;
};

/* What the child serves. */
struct serve_args {
    const struct http01_token *tokens;
    size_t n;
    int timeout;
};

/* The child's state: it serves one set of tokens, so they are kept here for every call. */
static struct conn conns[CONFIG_HTTP01_MAX_CONNS];
static const struct serve_args *served;
static int64_t serve_start;
static unsigned accept_seq;
static unsigned long evicted; /* connections closed to make room */

/* Milliseconds since the child started serving (it lives a day at most, so an int holds it). */
static int clock_ms(void)
{
    return (int)(net_now_ms() - serve_start);
}

/* 1 when a failed recv() or send() is to be tried again later. */
static int io_again(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

static void conn_close(struct conn *c)
{
    close(c->fd);
    c->state = CONN_FREE;
}

static void conn_answer(struct conn *c, int rc)
{
    struct buf out;
    buf_init(&out, c->out, sizeof c->out);
    int status = answer_parsed(&c->p, rc, served->tokens, served->n, &out);
    if (status < 0) {
        conn_close(c);
        return;
    }
    /* The target names the token, never the key authorization. */
    if (rc == HTTP_DONE)
        log_vv("%s: %s %.100s: %d", responder.name, c->p.method, c->p.target, status);
    else
        log_vv("%s: %s: %d", responder.name, err_msg(), status);
    c->out_len = out.len;
    c->out_off = 0;
    c->state = CONN_WRITE;
}

static void conn_read(struct conn *c)
{
    unsigned char in[512];
    ssize_t r = recv(c->fd, in, sizeof in, 0);

    /* An error, or the client went away (before a complete request, or when lingering: done) */
    if ((r < 0 && !io_again()) || r == 0) {
        conn_close(c);
        return;
    }
    if (r < 0 || c->state == CONN_LINGER) return; /* nothing yet, or discarded */
    /* (bytes after the request head are never read: the connection closes after the answer) */
    int rc = http_req_feed(&c->p, in, (size_t)r, NULL);
    if (rc != HTTP_NEED_MORE) conn_answer(c, rc);
}

static void conn_write(struct conn *c, int now)
{
    ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (w < 0) {
        if (!io_again()) conn_close(c);
        return;
    }
    c->out_off += (size_t)w;
    if (c->out_off == c->out_len) {
        shutdown(c->fd, SHUT_WR);
        c->state = CONN_LINGER;
        if (c->deadline > now + HTTP01_LINGER_MS) c->deadline = now + HTTP01_LINGER_MS;
    }
}

/* Reads or writes what a connection is ready for; an answer chosen just now is sent right
 * away (the socket is rarely full). */
static void conn_ready(struct conn *c, int now)
{
    if (c->state != CONN_WRITE) conn_read(c);
    if (c->state == CONN_WRITE) conn_write(c, now);
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
        /* CONN_LINGER > CONN_READ; seq differences stay small (live connections were
         * accepted close together) */
        if (best == NULL || c->state > best->state ||
            (c->state == best->state && (int)(c->seq - best->seq) < 0))
            best = c;
    }
    if (best != NULL) {
        if (evicted++ == 0)
            log_v("%s: all %d connections busy (HTTP01_MAX_CONNS): closing the oldest idle ones "
                  "for new clients",
                  responder.name, CONFIG_HTTP01_MAX_CONNS);
        conn_close(best);
    }
    return best;
}

/* Accepts everything waiting (bounded per call), reading each new connection's request at
 * once: a request that arrived with the connection is answered before any eviction can
 * touch it. */
static void serve_accept(int lfd, int now)
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
        c->deadline = now + CONFIG_HTTP01_CONN_TIMEOUT * 1000;
        http_req_init(&c->p);
        conn_ready(c, now);
    }
}

/* The child's life: serve until the deadline (or SIGTERM). */
static void serve(int lfd, void *ctx)
{
    /* pfd[i] is conns[i] (fd -1 while free, which poll() skips), the last one the listener */
    static struct pollfd pfd[CONFIG_HTTP01_MAX_CONNS + 1];
    struct pollfd *lp = &pfd[CONFIG_HTTP01_MAX_CONNS];

    served = ctx;
    serve_start = net_now_ms();
    /* Always listening: at the limit, a new client takes the oldest idle slot. */
    lp->fd = lfd;
    lp->events = POLLIN;
    for (;;) {
        int now = clock_ms(), wake = served->timeout * 1000;
        if (now >= wake) return;
        for (size_t i = 0; i < CONFIG_HTTP01_MAX_CONNS; i++) {
            struct conn *c = &conns[i];
            if (c->state != CONN_FREE && now >= c->deadline)
                conn_close(c); /* too slow, or lingering done */
            pfd[i].fd = c->state == CONN_FREE ? -1 : c->fd;
            pfd[i].events = c->state == CONN_WRITE ? POLLOUT : POLLIN;
            if (c->state != CONN_FREE && c->deadline < wake) wake = c->deadline;
        }
        int r = poll(pfd, CONFIG_HTTP01_MAX_CONNS + 1, wake - now + 1);
        if (r < 0 && errno != EINTR) return;
        now = clock_ms();
        for (size_t i = 0; r > 0 && i < CONFIG_HTTP01_MAX_CONNS; i++)
            if (pfd[i].revents != 0 && conns[i].state != CONN_FREE) conn_ready(&conns[i], now);
        if (r > 0 && lp->revents != 0) serve_accept(lfd, now);
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
                           "cannot listen on %s for HTTP-01: port %u is in use; stop the web "
                           "server there, or set webroot (serve the challenge from its document "
                           "root) or http_listen",
                           listen, port);
        return err_set(
            ACME_ELOCAL, "cannot listen on %s for HTTP-01: %s: %s%s", listen, step, sys_errtext(e),
            e == EACCES ? " (ports below 1024 need root); set webroot or http_listen" : "");
    }
    return fd;
}

int http01_bind(const char *listen)
{
    return listener_bind_ahead(&responder, listen, "http_listen", bind_listen);
}

int http01_start(const char *listen, const struct http01_token *tokens, size_t n, int timeout)
{
    struct serve_args sa;

    if (responder.child > 0) /* (the message is the TLS-ALPN-01 responder's too) */
        return err_set(ACME_ELOCAL, "the %s is already running", responder.title);
    if (n > HTTP01_MAX_TOKENS)
        return err_set(ACME_ELOCAL, "%s: %zu tokens, more than the limit of %d", responder.title, n,
                       HTTP01_MAX_TOKENS);
    for (size_t i = 0; i < n; i++) {
        const char *t = tokens[i].token;
        size_t tl = strlen(t), k = 0;
        while (k < tl && token_char((unsigned char)t[k]))
            k++;
        if (tl == 0 || tl > HTTP01_TOKEN_MAX || k < tl)
            return err_set(ACME_EREFUSED,
                           "HTTP-01 token '%.64s' of %zu characters: 1 to %d base64url "
                           "characters expected",
                           t, tl, HTTP01_TOKEN_MAX);
        if (strlen(tokens[i].key_auth) > HTTP01_KEYAUTH_MAX)
            return err_set(ACME_ELOCAL, "HTTP-01 key authorization longer than %d bytes",
                           HTTP01_KEYAUTH_MAX);
    }
    if (timeout <= 0 || timeout > 86400) timeout = timeout <= 0 ? 3600 : 86400;
    sa.tokens = tokens;
    sa.n = n;
    sa.timeout = timeout;
    if (listener_start(&responder, listen, bind_listen, serve, &sa) < 0) return -1;
    /* The port too: with port 0 the kernel chose it. */
    log_v("%s listening on %s (port %u) for %zu token(s)", responder.name, listen, responder.port,
          n);
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
