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

static int hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
            if (i + 2 >= n || !hex((unsigned char)t[i + 1]) || !hex((unsigned char)t[i + 2]))
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
            if (!hex((unsigned char)h[i]) && h[i] != ':' && h[i] != '.') return 0;
        if (i == n || i == 1) return 0;
        i++;
    } else {
        for (; i < n && h[i] != ':'; i++) {
            int c = (unsigned char)h[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_'))
                return 0;
        }
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

    sp1 = memchr(l, ' ', n);
    if (sp1 == NULL) return req_fail(p, 400, "bad request line");
    sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l));
    if (sp2 == NULL) return req_fail(p, 400, "bad request line");
    ml = (size_t)(sp1 - l);
    t = sp1 + 1;
    tl = (size_t)(sp2 - t);
    v = sp2 + 1;
    if (ml == 0 || tl == 0) return req_fail(p, 400, "bad request line");
    for (size_t i = 0; i < ml; i++)
        if (!http_is_tchar((unsigned char)l[i])) return req_fail(p, 400, "bad method");
    /* HTTP-version = "HTTP/" DIGIT "." DIGIT */
    if ((size_t)(l + n - v) != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' ||
        v[6] != '.' || v[7] < '0' || v[7] > '9')
        return req_fail(p, 400, "bad HTTP version");
    if (v[5] != '1') return req_fail(p, 505, "HTTP/%c.%c not supported", v[5], v[7]);
    p->version_minor = v[7] - '0';
    if (ml < sizeof p->method) { /* also for 501, so the responder can tell 405 apart */
        memcpy(p->method, l, ml);
        p->method[ml] = '\0';
    }
    if (!((ml == 3 && memcmp(l, "GET", 3) == 0) || (ml == 4 && memcmp(l, "HEAD", 4) == 0)))
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

static int length_elem(void *arg, const char *e, size_t n)
{
    struct http_req_parser *p = arg;
    uint64_t x;
    if (http_parse_length(e, n, &x) < 0) return refuse(p, 400);
    if (p->have_length && x != p->content_length)
        return req_fail(p, 400, "conflicting Content-Length values");
    p->have_length = 1;
    p->content_length = x;
    return 0;
}

static int conn_elem(void *arg, const char *e, size_t n)
{
    struct http_req_parser *p = arg;
    if (http_name_is(e, n, "close"))
        p->conn_close = 1;
    else if (http_name_is(e, n, "keep-alive"))
        p->conn_keep_alive = 1;
    return 0;
}

static int parse_field(struct http_req_parser *p)
{
    const char *name, *v;
    size_t nlen, n;
    if (++p->nheaders > HTTP_REQ_HEADERS_MAX)
        return req_fail(p, 431, "more than %d header fields", HTTP_REQ_HEADERS_MAX);
    if (http_split_field(p->line, p->line_len, &name, &nlen, &v, &n) < 0) return refuse(p, 400);
    if (http_name_is(name, nlen, "Host")) {
        if (p->have_host) return req_fail(p, 400, "repeated Host header");
        p->have_host = 1;
        if (p->absolute_form) /* the target's authority wins (RFC 9112 section 3.2.2) */
            return 0;
        if (n == 0) /* allowed when the URI has no authority; ours never do */
            return req_fail(p, 400, "empty Host header");
        return set_host(p, v, n);
    }
    if (http_name_is(name, nlen, "Content-Length")) {
        if (n == 0) return req_fail(p, 400, "empty Content-Length");
        return http_list_each(v, n, length_elem, p);
    }
    if (http_name_is(name, nlen, "Transfer-Encoding"))
        return req_fail(p, 501, "Transfer-Encoding not implemented");
    if (http_name_is(name, nlen, "Connection")) return http_list_each(v, n, conn_elem, p);
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
    p->keep_alive =
        !p->conn_close && (p->version_minor >= 1 || p->conn_keep_alive) && p->content_length == 0;
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
        if (rc == HTTP_LINE_TOO_LONG) {
            if (p->state == R_LINE)
                return req_fail(p, 414, "request line longer than %d bytes", HTTP_REQ_LINE_MAX);
            return req_fail(p, 431, "header line longer than %d bytes", HTTP_REQ_HEADER_MAX);
        }
        if (line_done(p) < 0) return HTTP_ERROR;
        p->line_len = 0;
    }
    if (used != NULL) *used = i;
    return p->state == R_DONE ? HTTP_DONE : HTTP_NEED_MORE;
}
