#include "fake_transport.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

static struct fake_transport *self(struct transport *t)
{
    return (struct fake_transport *)t->ctx;
}

static int ft_open(struct transport *t, const char *host, const char *port)
{
    struct fake_transport *f = self(t);
    size_t idx = f->opens++;
    snprintf(f->host, sizeof f->host, "%s", host);
    snprintf(f->port, sizeof f->port, "%s", port);
    if (idx >= f->nconn)
        return err_set(ACME_ETEMP, "fake: no connection %zu scripted (%s port %s)", idx + 1, host,
                       port);
    if (f->conns[idx].open_fails)
        return err_set(ACME_ETEMP, "fake: cannot connect to %s port %s", host, port);
    f->pos = f->conns[idx].start;
    f->end = f->conns[idx].end;
    f->is_open = 1;
    t->handshakes++;
    return 0;
}

static long ft_read(struct transport *t, void *buf, size_t n)
{
    struct fake_transport *f = self(t);
    f->reads++;
    if (!f->is_open) return err_set(ACME_ETEMP, "fake: read on a closed connection");
    while (f->pos < f->end) {
        struct ft_event *e = &f->ev[f->pos];
        size_t k;
        switch (e->kind) {
        case FT_DATA:
            if (e->off == e->len) {
                f->pos++;
                continue;
            }
            k = e->len - e->off;
            if (k > n) k = n;
            if (f->chunk != 0 && k > f->chunk) k = f->chunk;
            memcpy(buf, e->data + e->off, k);
            e->off += k;
            if (e->off == e->len) f->pos++;
            return (long)k;
        case FT_CLOSE:
        case FT_WRITE_FAIL:
            transport_dropped = 1; /* end of stream, as platform/net.c reports it */
            return 0;
        case FT_RESET:
            f->pos++;
            transport_dropped = 1;
            return err_set(ACME_ETEMP, "fake: connection reset by peer");
        }
    }
    return err_set(ACME_ETEMP, "fake: script exhausted");
}

static int ft_write(struct transport *t, const void *buf, size_t n)
{
    struct fake_transport *f = self(t);
    f->writes++;
    if (!f->is_open) return err_set(ACME_ETEMP, "fake: write on a closed connection");
    if (f->pos < f->end && f->ev[f->pos].kind == FT_WRITE_FAIL) {
        f->pos++;
        transport_dropped = 1;
        return err_set(ACME_ETEMP, "fake: write failed: broken pipe");
    }
    if (n > FT_WRITTEN_MAX - f->written_len)
        return err_set(ACME_ETEMP, "fake: written buffer full");
    memcpy(f->written + f->written_len, buf, n);
    f->written_len += n;
    f->written[f->written_len] = '\0';
    return 0;
}

static void ft_close_conn(struct transport *t)
{
    struct fake_transport *f = self(t);
    f->is_open = 0;
    f->closes++;
}

void ft_init(struct fake_transport *f)
{
    memset(f, 0, sizeof *f);
    f->t.open = ft_open;
    f->t.read = ft_read;
    f->t.write = ft_write;
    f->t.close = ft_close_conn;
    f->t.ctx = f;
}

void ft_conn(struct fake_transport *f)
{
    if (f->nconn >= FT_MAX_CONNS) return;
    f->conns[f->nconn].start = f->conns[f->nconn].end = f->nev;
    f->conns[f->nconn].open_fails = 0;
    f->nconn++;
}

void ft_conn_fail(struct fake_transport *f)
{
    ft_conn(f);
    f->conns[f->nconn - 1].open_fails = 1;
}

static void add(struct fake_transport *f, enum ft_kind kind, const void *p, size_t n)
{
    if (f->nconn == 0) ft_conn(f);
    if (f->nev >= FT_MAX_EVENTS) return;
    f->ev[f->nev].kind = kind;
    f->ev[f->nev].data = p;
    f->ev[f->nev].len = n;
    f->ev[f->nev].off = 0;
    f->nev++;
    f->conns[f->nconn - 1].end = f->nev;
}

void ft_data(struct fake_transport *f, const char *s)
{
    add(f, FT_DATA, s, strlen(s));
}

void ft_bytes(struct fake_transport *f, const void *p, size_t n)
{
    add(f, FT_DATA, p, n);
}

void ft_close(struct fake_transport *f)
{
    add(f, FT_CLOSE, NULL, 0);
}

void ft_reset(struct fake_transport *f)
{
    add(f, FT_RESET, NULL, 0);
}

void ft_write_fail(struct fake_transport *f)
{
    add(f, FT_WRITE_FAIL, NULL, 0);
}

unsigned ft_count(const struct fake_transport *f, const char *needle)
{
    unsigned n = 0;
    size_t nl = strlen(needle);
    const char *p = f->written;
    if (nl == 0) return 0;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += nl;
    }
    return n;
}
