/* Host name resolution: literals, /etc/hosts, DNS over UDP (see resolve.h). */
#include "resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/err.h"
#include "../core/ipaddr.h"
#include "../core/log.h"
#include "../core/sys.h"
#include "fmt.h"
#include "net.h"

#define DNS_PORT 53
#define NQ 2 /* queries per server: A and AAAA */

static const uint16_t qtypes[NQ] = {DNS_TYPE_A, DNS_TYPE_AAAA};
static const char *const qnames[NQ] = {"A", "AAAA"};

void resolve_sockaddr(const struct dns_addr *a, uint16_t port, struct resolve_addr *out)
{
    memset(out, 0, sizeof *out);
    out->ip = *a;
    if (a->len == 4) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        memcpy(&v4->sin_addr, a->a, 4);
        out->family = AF_INET;
        out->len = sizeof *v4;
    } else {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        memcpy(&v6->sin6_addr, a->a, 16);
        out->family = AF_INET6;
        out->len = sizeof *v6;
    }
}

/* ---- files, read in pieces without stdio */

typedef void line_fn(const char *line, size_t n, void *ctx);

/* Calls fn for every line of path but those longer than the buffer (skipped and logged). 0,
 * also when path does not exist or may not be read (as libc: no file, no entries), or -1
 * with the error "reading PATH: ...". */
static int each_line(const char *path, line_fn *fn, void *ctx)
{
    static char buf[2048];
    size_t have = 0, pos, ll;
    int fd, skipping = 0, skipped = 0, e;
    ssize_t r;
    const char *nl;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == EACCES)) return 0;
    while (fd >= 0) {
        r = read(fd, buf + have, sizeof buf - have);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            e = errno;
            close(fd);
            errno = e;
            fd = -1;
            break;
        }
        if (r == 0 && have == 0) break;
        have += (size_t)r;
        if (r == 0) buf[have++] = '\n'; /* the last line without one (have < sizeof buf) */
        pos = 0;
        while ((nl = memchr(buf + pos, '\n', have - pos)) != NULL) {
            ll = (size_t)(nl - (buf + pos));
            if (!skipping) fn(buf + pos, ll, ctx);
            skipping = 0;
            pos += ll + 1;
        }
        memmove(buf, buf + pos, have - pos);
        have -= pos;
        if (have == sizeof buf) { /* a line longer than the buffer: skip to its end */
            if (!skipping) skipped++;
            skipping = 1;
            have = 0;
        }
    }
    if (fd < 0) return err_set(ACME_ETEMP, "reading %s: %s", path, sys_errtext(errno));
    close(fd);
    if (skipped > 0)
        log_v("%s: skipped %d line%s longer than 2 KiB", path, skipped, skipped == 1 ? "" : "s");
    return 0;
}

struct hosts_ctx {
    const char *name;
    struct dns_addr *out;
    size_t max, n, dropped;
};

static void hosts_line(const char *line, size_t n, void *p)
{
    struct hosts_ctx *h = p;

    h->dropped += dns_hosts_scan(line, n, h->name, h->out, h->max, &h->n);
}

static void conf_line(const char *line, size_t n, void *p)
{
    dns_conf_line(p, line, n);
}

/* ---- DNS over UDP */

struct server {
    int fd; /* -1 when out of the game: err says why */
    int err;
    char text[IPADDR_TEXT_MAX];
    uint16_t id[NQ];
    int rc[NQ];          /* DNS_OK: no error reply yet; else the error reply's result */
    const char *why[NQ]; /* its detail */
    unsigned ignored;    /* replies with a wrong ID or question */
};

struct query {
    int done;
    size_t n; /* addresses at lk.out + addr_at[q] */
    int from; /* the server that answered */
};

/* The state of the lookup in progress (one at a time). Times are ms since start. */
static struct lookup {
    const char *host;
    int64_t start;
    int deadline, interval;
    int nx; /* 1 + the server that answered NXDOMAIN, or 0 */
    size_t ns;
    struct server sv[DNS_NS_MAX];
    struct query qs[NQ];
    struct dns_addr *out; /* [0..DNS_ADDR_MAX): the AAAA answer's addresses; then the A's */
} lk;

/* Where each query's addresses go in lk.out. */
static const uint8_t addr_at[NQ] = {DNS_ADDR_MAX, 0};

/* A lookup lasts at most a minute: its clock fits in an int. */
static int lookup_ms(void)
{
    return (int)(net_now_ms() - lk.start);
}

/* A UDP socket connected to port 53 of ns (so the kernel drops datagrams from anyone else and
 * reports ICMP port unreachable), from a random source port unless rnd is NULL; -1 with
 * errno. */
static int udp_socket(const struct dns_addr *ns, const uint8_t rnd[8])
{
    struct resolve_addr local, peer;
    struct dns_addr any;
    int fd, i, e;

    resolve_sockaddr(ns, DNS_PORT, &peer);
    fd = socket(peer.family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    memset(&any, 0, sizeof any);
    any.len = ns->len;
    /* The kernel would pick an ephemeral port too; ask for a random one of 1024..65535 so
     * that the port does not depend on how the kernel is configured. */
    for (i = 0; i < 4 && rnd != NULL; i++) {
        uint16_t port = (uint16_t)(1024 + (rnd[2 * i] << 8 | rnd[2 * i + 1]) % (65536 - 1024));
        resolve_sockaddr(&any, port, &local);
        if (bind(fd, (const struct sockaddr *)&local.sa, local.len) == 0) break;
        if (errno != EADDRINUSE) break; /* e.g. no IPv6 on this host: connect() will say */
    }
    if (connect(fd, (const struct sockaddr *)&peer.sa, peer.len) != 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Takes server s out of the lookup after the socket error errno. */
static void server_failed(struct server *s)
{
    s->err = errno;
    close(s->fd);
    s->fd = -1;
}

static void send_query(struct server *s, int q)
{
    uint8_t msg[DNS_QUERY_MAX];
    size_t len = dns_query(msg, sizeof msg, lk.host, s->id[q], qtypes[q]);

    log_vv("asking %s for the %s records of %s", s->text, qnames[q], lk.host);
    if (send(s->fd, msg, len, 0) < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        server_failed(s);
}

/* A reply from server i; an NXDOMAIN settles the lookup (lk.nx). */
static void take_reply(int i, const uint8_t *msg, size_t len)
{
    struct server *s = &lk.sv[i];
    const char *why = "an unknown ID";
    size_t n, extra;
    int q, rc = DNS_EID, now;

    for (q = 0; q < NQ; q++)
        if (len >= 2 && (msg[0] << 8 | msg[1]) == s->id[q]) break;
    if (q < NQ) {
        if (lk.qs[q].done) return; /* a late copy after a resend */
        rc = dns_parse_reply(msg, len, lk.host, s->id[q], qtypes[q], lk.out + addr_at[q],
                             DNS_ADDR_MAX, &n, &extra, &why);
    }
    switch (rc) {
    case DNS_OK:
        lk.qs[q].done = 1;
        lk.qs[q].n = n;
        lk.qs[q].from = i;
        log_vv("%s: %zu %s record%s from %s%s", lk.host, n, qnames[q], n == 1 ? "" : "s", s->text,
               extra > 0 ? " (more not used)" : "");
        /* Some forwarders never answer AAAA: having addresses, wait at most one more
         * resend interval for the other family. */
        now = lookup_ms();
        if (n > 0 && lk.deadline > now + lk.interval) lk.deadline = now + lk.interval;
        return;
    case DNS_EID:
    case DNS_EQUESTION:
        s->ignored++;
        log_vv("ignored a DNS reply from %s: %s", s->text, why);
        return;
    case DNS_ENXDOMAIN:
        lk.nx = i + 1;
        return;
    default:
        log_vv("%s: %s from %s for the %s query: %s", lk.host, dns_rc_name(rc), s->text, qnames[q],
               why);
        s->rc[q] = rc;
        s->why[q] = why;
    }
}

static void read_replies(int i)
{
    static uint8_t msg[DNS_UDP_MAX + 1];
    struct server *s = &lk.sv[i];
    ssize_t r;

    while (s->fd >= 0 && !lk.nx) {
        r = recv(s->fd, msg, sizeof msg, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) /* ECONNREFUSED: nothing on port 53 */
                server_failed(s);
            return;
        }
        /* More than 512 bytes without EDNS0 is not a valid UDP reply; the parser sees it
         * cut at 513 bytes and fails on it. */
        take_reply(i, msg, (size_t)r);
    }
}

/* The queries some server may still answer (its socket is open, it sent no error reply to
 * the query, no server answered it yet): how many; with resend, each is sent (again). */
static int open_queries(int resend)
{
    size_t i;
    int q, open = 0;

    for (i = 0; i < lk.ns; i++)
        for (q = 0; q < NQ; q++)
            if (lk.sv[i].fd >= 0 && !lk.qs[q].done && lk.sv[i].rc[q] == DNS_OK) {
                if (resend) send_query(&lk.sv[i], q);
                open++;
            }
    return open;
}

/* The error when no server gave an address or NXDOMAIN: what each server did. */
static int servers_failed(unsigned timeout)
{
    char why[400];
    struct buf b;
    size_t i;
    int q;

    why[0] = '\0';
    buf_init(&b, why, sizeof why);
    for (i = 0; i < lk.ns; i++) {
        const struct server *s = &lk.sv[i];
        const char *sep = i > 0 ? "; " : "";
        for (q = 0; q < NQ && s->rc[q] == DNS_OK; q++)
            ;
        if (s->err != 0) {
            buf_printf(&b, "%s%s: %s", sep, s->text, sys_errtext(s->err));
        } else if (q < NQ) {
            /* "a malformed reply from ADDR: why", or why names the RCODE ("SERVFAIL") */
            int detail = s->rc[q] == DNS_EFORMAT || s->rc[q] == DNS_ETRUNC;
            buf_printf(&b, "%s%s from %s%s%s", sep, detail ? dns_rc_name(s->rc[q]) : s->why[q],
                       s->text, detail ? ": " : "", detail ? s->why[q] : "");
        } else {
            buf_printf(&b, "%sno reply from %s within %u s%s", sep, s->text, timeout,
                       s->ignored > 0 ? " (replies with a wrong ID or question ignored)" : "");
        }
    }
    return err_set(ACME_ETEMP, "%s", why);
}

/* Asks the servers of conf for host's A and AAAA records: the number of addresses stored in
 * out[0..2 * DNS_ADDR_MAX) (AAAA first), or -1 with the error (without "cannot resolve
 * HOST: "). */
static int dns_lookup(const char *host, const struct dns_conf *conf, struct dns_addr *out)
{
    struct pollfd pf[DNS_NS_MAX];
    uint8_t rnd[DNS_NS_MAX][NQ * 2 + 8];
    size_t i;
    int n, r, t, next, poll_err = 0;

    if (sys_entropy(rnd, sizeof rnd) != 0) return err_prefix("random query IDs");
    memset(&lk, 0, sizeof lk);
    lk.host = host;
    lk.out = out;
    lk.ns = conf->n_ns;
    for (i = 0; i < lk.ns; i++) {
        struct server *s = &lk.sv[i];
        ipaddr_format(conf->ns[i].a, conf->ns[i].len, s->text);
        memcpy(s->id, rnd[i], sizeof s->id);
        if (s->id[1] == s->id[0]) s->id[1] ^= 1; /* the ID tells the replies apart */
        s->fd = udp_socket(&conf->ns[i], rnd[i] + NQ * 2);
        if (s->fd < 0) s->err = errno;
    }
    open_queries(1);
    lk.start = net_now_ms();
    lk.deadline = (int)conf->timeout * 1000;
    lk.interval = lk.deadline / (int)conf->attempts;
    next = lk.interval;
    while (!lk.nx && open_queries(0) > 0) {
        t = lookup_ms();
        if (t >= lk.deadline) break;
        if (t >= next) { /* no reply yet: send again what is still open */
            open_queries(1);
            next += lk.interval;
            continue;
        }
        for (i = 0; i < lk.ns; i++) {
            pf[i].fd = lk.sv[i].fd; /* -1 for a server out of the game: poll() skips it */
            pf[i].events = POLLIN;
        }
        r = poll(pf, (nfds_t)lk.ns, (next < lk.deadline ? next : lk.deadline) - t);
        if (r < 0 && errno != EINTR) {
            poll_err = errno;
            break;
        }
        for (i = 0; i < lk.ns && r > 0; i++)
            if (lk.sv[i].fd >= 0) read_replies((int)i);
    }
    for (i = 0; i < lk.ns; i++)
        if (lk.sv[i].fd >= 0) close(lk.sv[i].fd);
    if (poll_err != 0) return err_set(ACME_ETEMP, "poll: %s", sys_errtext(poll_err));
    /* AAAA first (resolve_host() sorts), the A addresses moved up to them (n is 0 until done) */
    n = (int)lk.qs[1].n;
    memmove(out + n, out + DNS_ADDR_MAX, lk.qs[0].n * sizeof *out);
    n += (int)lk.qs[0].n;
    if (n > 0) return n;
    if (lk.nx) return err_set(ACME_ETEMP, "NXDOMAIN from %s", lk.sv[lk.nx - 1].text);
    if (lk.qs[0].done && lk.qs[1].done)
        return err_set(ACME_ETEMP, "no A or AAAA record (answer from %s)",
                       lk.sv[lk.qs[0].from].text);
    return servers_failed(conf->timeout);
}

/* ---- order (RFC 6724, the part libc applies) */

static int precedence(const struct dns_addr *a)
{
    static const uint8_t zero[12];
    const uint8_t *p = a->a;

    if (a->len == 4) return 35;   /* as ::ffff:0:0/96 */
    if (memcmp(p, zero, 12) == 0) /* ::1/128, else ::/96 */
        return memcmp(p + 12, "\0\0\0\1", 4) == 0 ? 50 : 1;
    if (memcmp(p, zero, 10) == 0 && p[10] == 0xff && p[11] == 0xff) return 35;
    if (p[0] == 0x20 && p[1] == 0x02) return 30;                          /* 6to4 */
    if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0 && p[3] == 0) return 5; /* Teredo */
    if ((p[0] & 0xfe) == 0xfc) return 3;                                  /* ULA */
    if ((p[0] == 0xfe && (p[1] & 0xc0) == 0xc0) || (p[0] == 0x3f && p[1] == 0xfe)) return 1;
    return 40;
}

/* Rule 1: an address without a route is tried last (a UDP connect() sends nothing). */
static int routable(const struct dns_addr *a)
{
    int fd = udp_socket(a, NULL);

    if (fd < 0) return 0;
    close(fd);
    return 1;
}

/* The order to try a[0..n) in: a stable sort by (routable, precedence) into order[], as
 * musl's getaddrinfo; nothing to do when every address is IPv4 (they keep their order). */
static void sort_addrs(const struct dns_addr *a, int n, uint8_t *order)
{
    int key[RESOLVE_MAX], i, j, v6 = 0;

    for (i = 0; i < n; i++)
        v6 |= a[i].len == 16;
    for (i = 0; i < n; i++) {
        key[i] = v6 && n > 1 ? routable(&a[i]) * 100 + precedence(&a[i]) : 0;
        for (j = i; j > 0 && key[order[j - 1]] < key[i]; j--)
            order[j] = order[j - 1];
        order[j] = (uint8_t)i;
    }
}

static int is_localhost(const char *h, size_t n)
{
    if (n > 0 && h[n - 1] == '.') n--;
    return n >= 9 && (n == 9 || h[n - 10] == '.') && strncasecmp(h + n - 9, "localhost", 9) == 0;
}

/* The addresses of host (hl bytes) into found: how many (>= 1), or -1 with the error
 * (without "cannot resolve HOST: "). */
static int find_addrs(const char *host, size_t hl, struct dns_addr *found)
{
    struct hosts_ctx hc;
    struct dns_conf conf;
    int n;

    /* an IP literal: the same strict parser as for hosts and resolv.conf entries */
    found[0].len = (uint8_t)ipaddr_parse(host, hl, found[0].a);
    if (found[0].len != 0) return 1;
    if (!dns_name_ok(host, hl)) return err_set(ACME_ETEMP, "not a valid host name");
    memset(&hc, 0, sizeof hc);
    hc.name = host;
    hc.out = found;
    hc.max = RESOLVE_MAX;
    if (each_line(RESOLVE_HOSTS, hosts_line, &hc) < 0) return -1;
    n = (int)hc.n;
    if (n > 0) {
        log_vv("%s: %d address%s from %s%s", host, n, n == 1 ? "" : "es", RESOLVE_HOSTS,
               hc.dropped ? " (more not used)" : "");
        return n;
    }
    if (is_localhost(host, hl)) {
        memset(found, 0, 2 * sizeof found[0]);
        found[0].len = 16;
        found[0].a[15] = 1;
        found[1].len = 4;
        found[1].a[0] = 127;
        found[1].a[3] = 1;
        return 2;
    }
    dns_conf_init(&conf);
    if (each_line(RESOLVE_CONF, conf_line, &conf) < 0) return -1;
    if (conf.skipped > 0)
        log_v("%s: %u nameserver line%s not used (after the first %d, scoped or unparseable "
              "addresses)",
              RESOLVE_CONF, conf.skipped, conf.skipped == 1 ? "" : "s", DNS_NS_MAX);
    dns_conf_finish(&conf);
    return dns_lookup(host, &conf, found);
}

int resolve_host(const char *host, uint16_t port, const char *role, struct resolve_addr *out,
                 int max)
{
    static struct dns_addr found[RESOLVE_MAX];
    uint8_t order[RESOLVE_MAX];
    int n = find_addrs(host, strlen(host), found), i;

    if (n < 0) return err_prefix("cannot resolve %s%.300s", role, host);
    sort_addrs(found, n, order);
    if (n > max) n = max;
    for (i = 0; i < n; i++)
        resolve_sockaddr(&found[order[i]], port, &out[i]);
    return n;
}
