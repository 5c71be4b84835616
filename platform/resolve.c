/* Host name resolution: literals, /etc/hosts, DNS over UDP (see resolve.h). */
#include "resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
 * with the error "cannot resolve ROLEHOST: reading PATH: ...". */
static int each_line(const char *path, line_fn *fn, void *ctx, const char *role, const char *host)
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
    if (fd < 0)
        return err_set(ACME_ETEMP, "cannot resolve %s%s: reading %s: %s", role, host, path,
                       sys_errtext(errno));
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
    struct dns_addr addr[DNS_ADDR_MAX];
    size_t n;
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
} lk;

/* A lookup lasts at most a minute: its clock fits in an int. */
static int lookup_ms(void)
{
    return (int)(net_now_ms() - lk.start);
}

/* A UDP socket connected to the server (so the kernel drops datagrams from anyone else and
 * reports ICMP port unreachable) from a random source port; -1 with errno. */
static int server_socket(const struct dns_addr *ns, const uint8_t rnd[8])
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
    for (i = 0; i < 4; i++) {
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

    if (s->fd < 0) return;
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
        rc = dns_parse_reply(msg, len, lk.host, s->id[q], qtypes[q], lk.qs[q].addr, DNS_ADDR_MAX,
                             &n, &extra, &why);
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

/* 1 while some server may still answer a query that is not done. */
static int may_answer(void)
{
    size_t i;
    int q;

    for (q = 0; q < NQ; q++)
        for (i = 0; i < lk.ns && !lk.qs[q].done; i++)
            if (lk.sv[i].fd >= 0 && lk.sv[i].rc[q] == DNS_OK) return 1;
    return 0;
}

/* The message after "cannot resolve HOST: " when no server gave an address. */
static void failure_text(unsigned timeout, char *out, size_t cap)
{
    size_t i, len = 0;
    int r, q;

    out[0] = '\0';
    if (lk.qs[0].done && lk.qs[1].done) {
        fmt_snprintf(out, cap, "no A or AAAA record (answer from %s)", lk.sv[lk.qs[0].from].text);
        return;
    }
    for (i = 0; i < lk.ns && len < cap; i++) {
        const struct server *s = &lk.sv[i];
        const char *sep = len > 0 ? "; " : "";
        for (q = 0; q < NQ && s->rc[q] == DNS_OK; q++)
            ;
        if (s->err != 0) {
            r = fmt_snprintf(out + len, cap - len, "%s%s: %s", sep, s->text, sys_errtext(s->err));
        } else if (q < NQ) {
            /* "a malformed reply from ADDR: why", or why names the RCODE ("SERVFAIL") */
            int detail = s->rc[q] == DNS_EFORMAT || s->rc[q] == DNS_ETRUNC;
            r = fmt_snprintf(out + len, cap - len, "%s%s from %s%s%s", sep,
                             detail ? dns_rc_name(s->rc[q]) : s->why[q], s->text,
                             detail ? ": " : "", detail ? s->why[q] : "");
        } else {
            r = fmt_snprintf(
                out + len, cap - len, "%sno reply from %s within %u s%s", sep, s->text, timeout,
                s->ignored > 0 ? " (replies with a wrong ID or question ignored)" : "");
        }
        if (r < 0) break;
        len += (size_t)r;
    }
}

/* Asks the servers of conf for host's A and AAAA records: the number of addresses stored in
 * out (AAAA first), or -1 with the error. */
static int dns_lookup(const char *host, const char *role, const struct dns_conf *conf,
                      struct dns_addr *out)
{
    struct pollfd pf[DNS_NS_MAX];
    uint8_t rnd[DNS_NS_MAX][NQ * 2 + 8];
    size_t i, k;
    int q, n = 0, r, t, next, poll_err = 0;
    char why[400];

    if (sys_entropy(rnd, sizeof rnd) != 0)
        return err_prefix("cannot resolve %s%s: random query IDs", role, host);
    memset(&lk, 0, sizeof lk);
    lk.host = host;
    lk.ns = conf->n_ns;
    for (i = 0; i < lk.ns; i++) {
        struct server *s = &lk.sv[i];
        ipaddr_format(conf->ns[i].a, conf->ns[i].len, s->text);
        for (q = 0; q < NQ; q++)
            s->id[q] = (uint16_t)(rnd[i][2 * q] << 8 | rnd[i][2 * q + 1]);
        if (s->id[1] == s->id[0]) s->id[1] ^= 1; /* the ID tells the replies apart */
        s->fd = server_socket(&conf->ns[i], rnd[i] + NQ * 2);
        if (s->fd < 0) s->err = errno;
        for (q = 0; q < NQ; q++)
            send_query(s, q);
    }
    lk.start = net_now_ms();
    lk.deadline = (int)conf->timeout * 1000;
    lk.interval = lk.deadline / (int)conf->attempts;
    next = lk.interval;
    while (!(lk.qs[0].done && lk.qs[1].done) && !lk.nx && may_answer()) {
        t = lookup_ms();
        if (t >= lk.deadline) break;
        if (t >= next) { /* no reply yet: send again what is still open */
            for (i = 0; i < lk.ns; i++)
                for (q = 0; q < NQ; q++)
                    if (!lk.qs[q].done && lk.sv[i].rc[q] == DNS_OK) send_query(&lk.sv[i], q);
            next += lk.interval;
            continue;
        }
        for (i = k = 0; i < lk.ns; i++) {
            if (lk.sv[i].fd < 0) continue;
            pf[k].fd = lk.sv[i].fd;
            pf[k].events = POLLIN;
            k++;
        }
        r = poll(pf, (nfds_t)k, (next < lk.deadline ? next : lk.deadline) - t);
        if (r < 0 && errno != EINTR) {
            poll_err = errno;
            break;
        }
        for (i = 0; i < lk.ns && r > 0; i++)
            if (lk.sv[i].fd >= 0) read_replies((int)i);
    }
    for (i = 0; i < lk.ns; i++)
        if (lk.sv[i].fd >= 0) close(lk.sv[i].fd);
    if (poll_err != 0)
        return err_set(ACME_ETEMP, "cannot resolve %s%s: poll: %s", role, host,
                       sys_errtext(poll_err));
    for (q = NQ - 1; q >= 0; q--) /* AAAA first; resolve_host() sorts */
        for (i = 0; i < lk.qs[q].n && lk.qs[q].done; i++)
            out[n++] = lk.qs[q].addr[i];
    if (n > 0) return n;
    if (lk.nx)
        return err_set(ACME_ETEMP, "cannot resolve %s%s: NXDOMAIN from %s", role, host,
                       lk.sv[lk.nx - 1].text);
    failure_text(conf->timeout, why, sizeof why);
    return err_set(ACME_ETEMP, "cannot resolve %s%s: %s", role, host, why);
}

/* ---- order (RFC 6724, the part libc applies) */

static int precedence(const struct dns_addr *a)
{
    static const uint8_t loop6[16] = {[15] = 1};
    const uint8_t *p = a->a;

    if (a->len == 4) return 35; /* ::ffff:0:0/96 */
    if (memcmp(p, loop6, 16) == 0) return 50;
    if (memcmp(p, loop6, 10) == 0 && p[10] == 0xff && p[11] == 0xff) return 35;
    if (p[0] == 0x20 && p[1] == 0x02) return 30;                          /* 6to4 */
    if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0 && p[3] == 0) return 5; /* Teredo */
    if ((p[0] & 0xfe) == 0xfc) return 3;                                  /* ULA */
    if (memcmp(p, loop6, 12) == 0) return 1;                              /* ::/96 */
    if ((p[0] == 0xfe && (p[1] & 0xc0) == 0xc0) || (p[0] == 0x3f && p[1] == 0xfe)) return 1;
    return 40;
}

/* Rule 1: an address without a route is tried last (a UDP connect() sends nothing). */
static int routable(const struct dns_addr *a)
{
    struct resolve_addr ra;
    int fd, ok;

    resolve_sockaddr(a, DNS_PORT, &ra);
    fd = socket(ra.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    ok = connect(fd, (const struct sockaddr *)&ra.sa, ra.len) == 0;
    close(fd);
    return ok;
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
    static const char lh[] = "localhost";
    size_t i;

    if (n > 0 && h[n - 1] == '.') n--;
    if (n < 9 || (n > 9 && h[n - 10] != '.')) return 0;
    for (i = 0; i < 9; i++)
        if ((h[n - 9 + i] | 0x20) != lh[i]) return 0;
    return 1;
}

int resolve_host(const char *host, uint16_t port, const char *role, struct resolve_addr *out,
                 int max)
{
    static struct dns_addr found[RESOLVE_MAX];
    uint8_t order[RESOLVE_MAX];
    struct hosts_ctx hc;
    struct dns_conf conf;
    size_t hl = strlen(host);
    int n, i;

    /* an IP literal: the same strict parser as for hosts and resolv.conf entries */
    found[0].len = (uint8_t)ipaddr_parse(host, hl, found[0].a);
    n = found[0].len != 0;
    if (n == 0 && !dns_name_ok(host, hl))
        return err_set(ACME_ETEMP, "cannot resolve %s%.300s: not a valid host name", role, host);
    if (n == 0) {
        memset(&hc, 0, sizeof hc);
        hc.name = host;
        hc.out = found;
        hc.max = RESOLVE_MAX;
        if (each_line(RESOLVE_HOSTS, hosts_line, &hc, role, host) < 0) return -1;
        n = (int)hc.n;
        if (n > 0)
            log_vv("%s: %d address%s from %s%s", host, n, n == 1 ? "" : "es", RESOLVE_HOSTS,
                   hc.dropped ? " (more not used)" : "");
    }
    if (n == 0 && is_localhost(host, hl)) {
        memset(found, 0, 2 * sizeof found[0]);
        found[0].len = 16;
        found[0].a[15] = 1;
        found[1].len = 4;
        found[1].a[0] = 127;
        found[1].a[3] = 1;
        n = 2;
    }
    if (n == 0) {
        dns_conf_init(&conf);
        if (each_line(RESOLVE_CONF, conf_line, &conf, role, host) < 0) return -1;
        if (conf.skipped > 0)
            log_v("%s: %u nameserver line%s not used (after the first %d, scoped or unparseable "
                  "addresses)",
                  RESOLVE_CONF, conf.skipped, conf.skipped == 1 ? "" : "s", DNS_NS_MAX);
        dns_conf_finish(&conf);
        n = dns_lookup(host, role, &conf, found);
        if (n < 0) return -1;
    }
    sort_addrs(found, n, order);
    if (n > max) n = max;
    for (i = 0; i < n; i++)
        resolve_sockaddr(&found[order[i]], port, &out[i]);
    return n;
}
