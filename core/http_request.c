/* Incremental HTTP/1.1 request parser for the HTTP-01 responder (RFC 9112 sections 3, 5). */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "fmt.h"

enum { R_LINE, R_HEADER, R_DONE, R_ERROR };

/* Empty lines tolerated before the request line (RFC 9112 section 2.2 says at least one). */
#define REQ_EMPTY_LINES_MAX 4

static int req_fail(struct http_req_parser *p, int status, const char *fmt, ...) ACME_PRINTF(3, 4);

/* The request is refused with status; the held error (the responder logs it with the status
 * it answers) is prefixed "HTTP request: ". */
static int refuse(struct http_req_parser *p, int status)
{
    p->status = status;
    p->state = R_ERROR;
    return err_prefix("HTTP request");
}

static int req_fail(struct http_req_parser *p, int status, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(ACME_ETEMP, "%s", msg);
    return refuse(p, status);
}

void http_req_init(struct http_req_parser *p)
{
    memset(p, 0, sizeof *p);
    p->state = R_LINE;
}

/* Path and query characters: visible ASCII without '#' (no fragments in a request), with
 * well-formed percent-encoding. */
static int target_ok(const char *t, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c <= 0x20 || c >= 0x7f || c == '#') return 0;
        if (c == '%') {
            if (i + 2 >= n || !http_is_hex((unsigned char)t[i + 1]) ||
                !http_is_hex((unsigned char)t[i + 2]))
                return 0;
            i += 2;
        }
    }
    return 1;
}

/* host [":" port], host a reg-name, IPv4 or bracketed IPv6 literal. */
static int host_ok(const char *h, size_t n)
{
    size_t i = 0, end = n;
    if (n == 0 || n >= 256) return 0;
    if (h[0] == '[') {
        for (i = 1; i < n && h[i] != ']'; i++)
            if (!http_is_hex((unsigned char)h[i]) && h[i] != ':' && h[i] != '.') return 0;
        if (i == n || i == 1) return 0;
        i++;
    } else {
        for (; i < n && h[i] != ':'; i++)
            if (!http_is_host_char((unsigned char)h[i])) return 0;
        if (i == 0) return 0;
    }
    if (i == end) return 1;
    if (h[i] != ':' || end - i > 6) return 0;
    for (i++; i < end; i++)
        if (h[i] < '0' || h[i] > '9') return 0;
    return 1;
}

static int set_host(struct http_req_parser *p, const char *h, size_t n)
{
    if (!host_ok(h, n)) return req_fail(p, 400, "bad host '%.*s'", (int)(n > 64 ? 64 : n), h);
    memcpy(p->host, h, n);
    p->host[n] = '\0';
    return 0;
}

static int parse_request_line(struct http_req_parser *p)
{
    char *l = p->line;
    size_t n = p->line_len, ml, tl;
    char *sp1, *sp2, *t, *v;

    /* method SP request-target SP HTTP-version, none of them empty */
    sp1 = memchr(l, ' ', n);
    sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l)) : NULL;
    if (sp2 == NULL || sp1 == l || sp2 == sp1 + 1) return req_fail(p, 400, "bad request line");
    ml = (size_t)(sp1 - l);
    t = sp1 + 1;
    tl = (size_t)(sp2 - t);
    v = sp2 + 1;
    for (size_t i = 0; i < ml; i++)
        if (!http_is_tchar((unsigned char)l[i])) return req_fail(p, 400, "bad method");
    if ((size_t)(l + n - v) != 8 || (p->version_minor = http_version(v)) == -1)
        return req_fail(p, 400, "bad HTTP version");
    if (p->version_minor < 0) return refuse(p, 505);
    if (ml < sizeof p->method) { /* also for 501, so the responder can tell 405 apart */
        memcpy(p->method, l, ml);
        p->method[ml] = '\0';
    } /* else p->method stays "" */
    if (strcmp(p->method, "GET") != 0 && strcmp(p->method, "HEAD") != 0)
        return req_fail(p, 501, "method '%.*s' not implemented", (int)(ml > 16 ? 16 : ml), l);

    if (tl > 8 && strncasecmp(t, "https://", 8) == 0) {
        t += 8, tl -= 8;
        p->absolute_form = 1;
    } else if (tl > 7 && strncasecmp(t, "http://", 7) == 0) {
        t += 7, tl -= 7;
        p->absolute_form = 1;
    } else if (t[0] != '/') {
        return req_fail(p, 400, "request target is not a path");
    }
    if (p->absolute_form) {
        size_t al = 0;
        while (al < tl && t[al] != '/' && t[al] != '?')
            al++;
        if (memchr(t, '@', al) != NULL)
            return req_fail(p, 400, "user information in the request target");
        if (set_host(p, t, al) < 0) return -1;
        t += al, tl -= al;
        if (tl == 0 || t[0] == '?') p->target[0] = '/';
    }
    if (!target_ok(t, tl)) return req_fail(p, 400, "bad character in the request target");
    memcpy(p->target + (p->target[0] == '/'), t, tl);
    p->target[tl + (p->target[0] == '/')] = '\0';
    return 0;
}

static int parse_field(struct http_req_parser *p)
{
    const char *name, *v;
    size_t nlen, n;
    int rc;
    if (++p->nheaders > HTTP_REQ_HEADERS_MAX)
        return req_fail(p, 431, "more than %d header fields", HTTP_REQ_HEADERS_MAX);
    if (http_split_field(p->line, p->line_len, &name, &nlen, &v, &n) < 0) return refuse(p, 400);
    if (http_name_is(name, nlen, "Host")) {
        if (p->have_host) return req_fail(p, 400, "repeated Host header");
        p->have_host = 1;
        if (p->absolute_form) /* the target's authority wins (RFC 9112 section 3.2.2) */
            return 0;
        /* (an empty one, allowed when the URI has no authority, is refused: ours have one) */
        return set_host(p, v, n);
    }
    rc = http_framing_field(&p->f, name, nlen, v, n);
    if (rc < 0) return refuse(p, 400);
    if (rc == 0 && http_name_is(name, nlen, "Transfer-Encoding"))
        return req_fail(p, 501, "Transfer-Encoding not implemented");
    return 0;
}

static int line_done(struct http_req_parser *p)
{
    if (p->state == R_LINE) {
        if (p->line_len == 0) {
            if (++p->empty_lines > REQ_EMPTY_LINES_MAX)
                return req_fail(p, 400, "empty lines instead of a request line");
            return 0;
        }
        if (parse_request_line(p) < 0) return -1;
        p->state = R_HEADER;
        return 0;
    }
    if (p->line_len > 0) return parse_field(p);
    if (p->version_minor >= 1 && !p->have_host && !p->absolute_form)
        return req_fail(p, 400, "no Host header");
    p->keep_alive = !p->f.conn_close && (p->version_minor >= 1 || p->f.conn_keep_alive) &&
                    p->f.content_length == 0;
    p->state = R_DONE;
    return 0;
}

int http_req_feed(struct http_req_parser *p, const void *data, size_t n, size_t *used)
{
    const uint8_t *d = data;
    size_t i = 0;
    if (used != NULL) *used = 0;
    if (p->state == R_ERROR) return err_set(ACME_ETEMP, "HTTP request: parser used after an error");
    while (i < n && p->state != R_DONE) {
        size_t max = p->state == R_LINE ? HTTP_REQ_LINE_MAX : HTTP_REQ_HEADER_MAX;
        int rc = http_line_byte(p->line, &p->line_len, &p->cr, max, d[i++]);
        if (rc == HTTP_LINE_MORE) continue;
        if (rc == HTTP_LINE_BARE_CR) return req_fail(p, 400, "CR without LF");
        if (rc == HTTP_LINE_TOO_LONG)
            return req_fail(p, p->state == R_LINE ? 414 : 431, "%s line longer than %zu bytes",
                            p->state == R_LINE ? "request" : "header", max);
        if (line_done(p) < 0) return HTTP_ERROR;
        p->line_len = 0;
    }
    if (used != NULL) *used = i;
    return p->state == R_DONE ? HTTP_DONE : HTTP_NEED_MORE;
}
