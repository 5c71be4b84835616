/* TCP client sockets with timeouts, bind address and HTTP CONNECT proxy (see net.h). */
#include "net.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/decimal.h"
#include "../core/err.h"
#include "../core/http.h"
#include "../core/ipaddr.h"
#include "../core/log.h"
#include "../core/transport.h"
#include "../core/url.h"
#include "fmt.h"
#include "resolve.h"
#include "../core/str.h"
#include "../core/sys.h"

#define DEFAULT_TIMEOUT 30

/* What bind_address asks for: an address (sa.family AF_INET or AF_INET6), an interface
 * (ifname), or nothing (both empty). */
struct bind_spec {
    struct resolve_addr sa;
    char ifname[IF_NAMESIZE];
    const char *text;
};

int64_t net_now_ms(void)
{
    return sys_monotonic_ms();
}

/* Waits for events on fd until deadline (monotonic ms): 1 ready, 0 timed out, -1 errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd p;
    int64_t left;
    int r;

    for (;;) {
        left = deadline - net_now_ms();
        if (left <= 0) return 0;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        r = poll(&p, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
        if (r < 0 && errno == EINTR) continue;
        return r < 0 ? -1 : r;
    }
}

static int parse_bind(const char *s, struct bind_spec *b)
{
    struct dns_addr ip;
    size_t n;

    memset(b, 0, sizeof *b);
    if (s == NULL || *s == '\0') return 0;
    b->text = s;
    n = strlen(s);
    ip.len = (uint8_t)ipaddr_parse(s, n, ip.a);
    if (ip.len == 0 && n > 2 && s[0] == '[' && s[n - 1] == ']')
        ip.len = (uint8_t)ipaddr_parse(s + 1, n - 2, ip.a);
    if (ip.len != 0) {
        resolve_sockaddr(&ip, 0, &b->sa);
        return 0;
    }
    if (n >= IF_NAMESIZE || strpbrk(s, " /:\t") != NULL)
        return err_set(ACME_ECONFIG,
                       "bind_address '%.64s' is neither an IP address nor an interface name", s);
    memcpy(b->ifname, s, n + 1);
    return 0;
}

/* One connection attempt: the socket, or -1 with errno (ETIMEDOUT on timeout) and *what
 * naming the step that failed ("" for connect itself). */
static int connect_one(const struct resolve_addr *ai, const struct bind_spec *b, int timeout,
                       const char **what)
{
    struct sockaddr_storage peer;
    socklen_t len = sizeof(int), plen = sizeof peer;
    int fd, e, r, one = 1;
    char c;

    *what = "socket: ";
    fd = socket(ai->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    /* Requests go out as several small TLS records; without this, Nagle's algorithm and the
     * server's delayed ACK add ~40 ms to every request. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (b->ifname[0] != '\0') {
        *what = "binding to the interface (SO_BINDTODEVICE): ";
        if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, b->ifname,
                       (socklen_t)strlen(b->ifname) + 1) != 0)
            goto fail;
    } else if (b->sa.family != 0) {
        *what = "bind: ";
        if (bind(fd, (const struct sockaddr *)&b->sa.sa, b->sa.len) != 0) goto fail;
    }
    *what = "";
    if (connect(fd, (const struct sockaddr *)&ai->sa, ai->len) == 0) return fd;
    if (errno != EINPROGRESS && errno != EINTR) goto fail;
    r = wait_fd(fd, POLLOUT, net_now_ms() + (int64_t)timeout * 1000);
    if (r == 0) {
        errno = ETIMEDOUT;
        goto fail;
    }
    if (r < 0) goto fail;
    if (getpeername(fd, (struct sockaddr *)&peer, &plen) == 0) return fd;
    /* Failed: recv() reports the pending socket error as errno. (SO_ERROR gives the same
     * value, but qemu-user, which runs the cross tests, passes it on untranslated.) */
    if (recv(fd, &c, 1, 0) < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOTCONN)
        goto fail;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) goto fail;
    errno = e != 0 ? e : ENOTCONN;
fail:
    e = errno;
    close(fd);
    errno = e;
    return -1;
}

/* Why a step failed, for messages: "timed out after N s" when timed_out, else the step ("" or
 * e.g. "poll: ") and the text of errno. */
static const char *fail_reason(int timed_out, const char *step, int timeout)
{
    static char text[128]; /* the longest step and errno text fit */

    if (timed_out)
        fmt_snprintf(text, sizeof text, "timed out after %d s", timeout);
    else
        fmt_snprintf(text, sizeof text, "%s%s", step, sys_errtext(errno));
    return text;
}

/* The port number, or 0 when p is not one. */
static int valid_port(const char *p)
{
    long v = decimal_parse(p, 5);
    return v >= 1 && v <= 65535 ? (int)v : 0;
}

/* Resolves host and tries every address in order; the socket or -1 with the error. port is
 * valid (net_connect() checked it; a proxy's port comes from url_parse()). */
static int tcp_connect(const char *host, const char *port, int timeout, const struct bind_spec *b,
                       const char *role)
{
    static struct resolve_addr res[RESOLVE_MAX];
    const struct resolve_addr *ai;
    char addr[IPADDR_TEXT_MAX], why[512];
    struct buf w; /* "addr: reason" for each address tried */
    const char *what;
    int n, i, fd = -1, want = b->sa.family;

    n = resolve_host(host, (uint16_t)valid_port(port), role, res, RESOLVE_MAX);
    if (n < 0) return -1;
    buf_init(&w, why, sizeof why);
    for (i = 0; i < n; i++) {
        ai = &res[i];
        if (want != 0 && ai->family != want) continue;
        ipaddr_format(ai->ip.a, ai->ip.len, addr);
        log_vv("connecting to %s%s port %s at %s", role, host, port, addr);
        fd = connect_one(ai, b, timeout, &what);
        if (fd >= 0) return fd;
        buf_printf(&w, "%s%s: %s", w.len > 0 ? "; " : "", addr,
                   fail_reason(errno == ETIMEDOUT, what, timeout));
    }
    why[w.len] = '\0';             /* what fitted; an append that did not fit left no text */
    if (w.len == 0 && !w.overflow) /* no address of bind_address's family */
        fmt_snprintf(why, sizeof why, "it has no IPv%c address to use with bind_address %s",
                     want == AF_INET ? '4' : '6', b->text);
    return err_set(ACME_ETEMP, "cannot connect to %s%s port %s: %s%s", role, host, port, why,
                   w.overflow ? "; (more addresses failed)" : "");
}

int net_no_proxy_match(const char *list, const char *host)
{
    const char *p = list, *e;
    size_t n, hl = strlen(host);
    unsigned char a[16];
    int ip = ipaddr_parse(host, hl, a) != 0;

    if (list == NULL) return 0;
    while (*p != '\0') {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        e = p;
        while (*e != '\0' && *e != ',' && *e != ' ' && *e != '\t')
            e++;
        n = (size_t)(e - p);
        if (n == 1 && *p == '*') return 1;
        if (n > 1 && p[0] == '*' && p[1] == '.') { /* "*.example.org" as ".example.org" */
            p++;
            n--;
        }
        if (n > 0 && *p == '.') {
            p++;
            n--;
        }
        if (n > 2 && p[0] == '[' && p[n - 1] == ']') { /* "[::1]" */
            p++;
            n -= 2;
        }
        /* IP literals only match themselves; names also match the names under them. */
        if (n > 0 && n <= hl && strncasecmp(host + hl - n, p, n) == 0 &&
            (n == hl || (!ip && host[hl - n - 1] == '.')))
            return 1;
        p = e;
    }
    return 0;
}

int net_proxy_for(const char *host, char *phost, size_t phost_cap, char *pport, size_t pport_cap)
{
    static struct url u;
    const char *env = "https_proxy", *v = getenv("https_proxy"), *np;
    char tmp[HTTP_URL_MAX];

    if (v == NULL || *v == '\0') {
        env = "HTTPS_PROXY";
        v = getenv(env);
    }
    if (v == NULL || *v == '\0') return 0;
    np = getenv("no_proxy");
    if (np == NULL || *np == '\0') np = getenv("NO_PROXY");
    if (net_no_proxy_match(np, host)) {
        log_vv("not using the proxy for %s (no_proxy)", host);
        return 0;
    }
    if (str_find(v, "://") == NULL) {
        if ((size_t)fmt_snprintf(tmp, sizeof tmp, "http://%s", v) >= sizeof tmp)
            return err_set(ACME_ECONFIG, "%s: URL too long", env);
        v = tmp;
    }
    if (url_parse(&u, v) != 0) return err_prefix("%s", env);
    if (u.https)
        return err_set(ACME_ECONFIG, "%s '%s': only http:// proxies are supported", env, v);
    if (strlen(u.host) >= phost_cap || strlen(u.port) >= pport_cap)
        return err_set(ACME_ECONFIG, "%s '%s': host name too long", env, v);
    strcpy(phost, u.host);
    strcpy(pport, u.port);
    return 1;
}

/* Sends CONNECT host:port to the proxy on c->fd and reads its reply. The errors say what went
 * wrong; the caller's prefix names the proxy. */
static int proxy_connect(struct net_conn *c)
{
    static struct http_resp_parser p; /* large; one connection at a time */
    char req[600];
    long n, len;
    size_t used;
    int rc;

    len = http_connect_request(req, sizeof req, c->host, c->port);
    if (len < 0 || net_write(c, req, (size_t)len) != 0) return -1;
    http_connect_reply_init(&p);
    for (;;) {
        /* Read straight into c->pending (empty until the reply is complete): what follows
         * the reply is the start of the tunnelled stream and stays there. */
        n = net_read(c, c->pending, sizeof c->pending);
        if (n < 0) return -1;
        if (n == 0) { /* "proxy closed the connection before answering CONNECT" */
            http_connect_reply_eof(&p);
            return -1;
        }
        rc = http_connect_reply_feed(&p, c->pending, (size_t)n, &used);
        if (rc == HTTP_ERROR) return err_recode(ACME_ETEMP);
        if (rc == HTTP_DONE) {
            c->pending_off = used;
            c->pending_len = (size_t)n;
            return 0;
        }
    }
}

int net_connect(struct net_conn *c, const char *host, const char *port, int timeout,
                const char *bind_address)
{
    struct bind_spec b;
    char phost[256], pport[8];
    int proxy;

    c->fd = -1;
    c->pending_len = c->pending_off = 0;
    c->timeout = timeout > 0 ? timeout : DEFAULT_TIMEOUT;
    if (strlen(host) >= sizeof c->host)
        return err_set(ACME_ETEMP, "cannot connect to %.64s...: host name too long", host);
    if (!valid_port(port)) /* so port fits in c->port */
        return err_set(ACME_ETEMP, "cannot connect to %s: bad port '%s'", host, port);
    strcpy(c->host, host);
    strcpy(c->port, port);
    if (parse_bind(bind_address, &b) != 0) return -1;
    proxy = net_proxy_for(host, phost, sizeof phost, pport, sizeof pport);
    if (proxy < 0) return -1;
    if (!proxy) {
        log_v("connecting to %s port %s", host, port);
        c->fd = tcp_connect(host, port, c->timeout, &b, "");
        return c->fd < 0 ? -1 : 0;
    }
    log_v("connecting to %s port %s through proxy %s port %s", host, port, phost, pport);
    c->fd = tcp_connect(phost, pport, c->timeout, &b, "proxy ");
    if (c->fd < 0) return err_prefix("connecting to %s port %s", host, port);
    if (proxy_connect(c) != 0) {
        net_close(c);
        return err_prefix("connecting to %s port %s through proxy %s port %s", host, port, phost,
                          pport);
    }
    return 0;
}

/* A failed or timed-out (w == 0) read or write; errno holds the error otherwise. A reset or
 * a broken pipe means the server dropped the connection (see transport_dropped). */
static int io_error(const struct net_conn *c, const char *dir, const char *step, int w)
{
    if (w != 0 && (errno == ECONNRESET || errno == EPIPE)) transport_dropped = 1;
    return err_set(ACME_ETEMP, "%s %s port %s: %s", dir, c->host, c->port,
                   fail_reason(w == 0, step, c->timeout));
}

long net_read(struct net_conn *c, void *buf, size_t n)
{
    int64_t deadline = net_now_ms() + (int64_t)c->timeout * 1000;
    ssize_t r;
    int w;

    if (c->pending_off < c->pending_len) {
        if (n > c->pending_len - c->pending_off) n = c->pending_len - c->pending_off;
        memcpy(buf, c->pending + c->pending_off, n);
        c->pending_off += n;
        return (long)n;
    }
    for (;;) {
        r = recv(c->fd, buf, n, 0);
        if (r == 0) transport_dropped = 1; /* end of stream: the server closed it */
        if (r >= 0) return (long)r;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return io_error(c, "reading from", "", -1);
        w = wait_fd(c->fd, POLLIN, deadline);
        if (w <= 0) return io_error(c, "reading from", "poll: ", w);
    }
}

int net_write(struct net_conn *c, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    int64_t deadline = net_now_ms() + (int64_t)c->timeout * 1000;
    ssize_t r;
    int w;

    while (n > 0) {
        r = send(c->fd, p, n, MSG_NOSIGNAL);
        if (r > 0) {
            p += r;
            n -= (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return io_error(c, "writing to", "", -1);
        w = wait_fd(c->fd, POLLOUT, deadline);
        if (w <= 0) return io_error(c, "writing to", "poll: ", w);
    }
    return 0;
}

void net_send_nowait(struct net_conn *c, const void *buf, size_t n)
{
    if (c->fd >= 0 && send(c->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        log_vv("not sent on closing %s port %s: %s", c->host, c->port, sys_errtext(errno));
}

void net_close(struct net_conn *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->pending_len = c->pending_off = 0;
}
