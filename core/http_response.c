/* Incremental HTTP/1.1 response parser (RFC 9112) and HTTP CONNECT replies. */
#include "http.h"
#include "http_client.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "fmt.h"

/* A protocol error in the response (ACME_ETEMP): "HTTP: " and the message. */
static int herr(const char *fmt, ...) ACME_PRINTF(1, 2);
static int herr(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(ACME_ETEMP, "HTTP: %s", msg);
}

/* Length of a quoted excerpt of the input in a message. */
static int clip(size_t n)
{
    return n > 40 ? 40 : (int)n;
}

enum {
    S_STATUS,
    S_HEADER,
    S_BODY_LENGTH,
    S_CHUNK_SIZE,
    S_CHUNK_DATA,
    S_CHUNK_CRLF,
    S_TRAILER,
    S_BODY_CLOSE,
    S_DONE,
    S_ERROR
};

/* For messages; S_DONE and S_ERROR are never named. */
static const char *const state_names[] = {
    "status line", "header section",  "body", "chunk size line", "chunk data",
    "chunk data",  "trailer section", "body"};

int http_is_tchar(int c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int http_is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int http_is_host_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* Field values: visible ASCII, SP, HTAB and obs-text; no other control characters. */
int http_value_ok(const char *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return 0;
    }
    return 1;
}

int http_line_byte(char *line, size_t *len, int *cr, size_t max, int c)
{
    if (*cr) {
        *cr = 0;
        if (c != '\n') return HTTP_LINE_BARE_CR;
        line[*len] = '\0';
        return HTTP_LINE_END;
    }
    if (c == '\r') {
        *cr = 1;
        return HTTP_LINE_MORE;
    }
    if (c == '\n') {
        line[*len] = '\0';
        return HTTP_LINE_END;
    }
    if (*len >= max) return HTTP_LINE_TOO_LONG;
    line[(*len)++] = (char)c;
    return HTTP_LINE_MORE;
}

int http_split_field(char *line, size_t len, const char **name, size_t *nlen, const char **val,
                     size_t *vlen)
{
    size_t i, colon;
    const char *v;
    size_t n;
    if (len > 0 && (line[0] == ' ' || line[0] == '\t'))
        return herr("obsolete line folding in header");
    for (colon = 0; colon < len && line[colon] != ':'; colon++)
        ;
    if (colon == len) return herr("header line without a colon");
    for (i = 0; i < colon; i++) {
        if (line[i] == ' ' || line[i] == '\t')
            return herr("whitespace before the colon in header '%.*s'", clip(colon), line);
        if (!http_is_tchar((unsigned char)line[i])) break;
    }
    if (colon == 0 || i < colon) return herr("bad header field name");
    v = line + colon + 1;
    n = len - colon - 1;
    while (n > 0 && (v[0] == ' ' || v[0] == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (!http_value_ok(v, n)) return herr("control character in header '%.*s'", clip(colon), line);
    *name = line;
    *nlen = colon;
    *val = v;
    *vlen = n;
    return 0;
}

int http_name_is(const char *name, size_t nlen, const char *want)
{
    return strlen(want) == nlen && strncasecmp(name, want, nlen) == 0;
}

/* Calls fn for each non-empty element of a comma-separated list (OWS trimmed). */
int http_list_each(const char *v, size_t n, int (*fn)(void *arg, const char *e, size_t len),
                   void *arg)
{
    size_t i = 0;
    while (i <= n) {
        size_t s = i, e;
        while (i < n && v[i] != ',')
            i++;
        e = i;
        while (s < e && (v[s] == ' ' || v[s] == '\t'))
            s++;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e > s && fn(arg, v + s, e - s) < 0) return -1;
        i++;
    }
    return 0;
}

/* Content-Length list elements: all the same decimal number. */
static int length_elem(void *arg, const char *e, size_t n)
{
    struct http_framing *f = arg;
    uint64_t x = 0;
    size_t i;
    for (i = 0; i < n; i++) { /* n > 0: http_list_each() skips empty elements */
        /* digits only, and not beyond 64 bits */
        if (e[i] < '0' || e[i] > '9' || x > (UINT64_MAX - 9) / 10)
            return herr("bad Content-Length '%.*s'", clip(n), e);
        x = x * 10 + (uint64_t)(e[i] - '0');
    }
    if (f->have_length && x != f->content_length) return herr("conflicting Content-Length values");
    f->have_length = 1;
    f->content_length = x;
    return 0;
}

static int conn_elem(void *arg, const char *e, size_t n)
{
    struct http_framing *f = arg;
    if (http_name_is(e, n, "close"))
        f->conn_close = 1;
    else if (http_name_is(e, n, "keep-alive"))
        f->conn_keep_alive = 1;
    return 0;
}

int http_framing_field(struct http_framing *f, const char *name, size_t nlen, const char *v,
                       size_t n)
{
    if (http_name_is(name, nlen, "Connection")) {
        http_list_each(v, n, conn_elem, f); /* other options are ignored: cannot fail */
        return 1;
    }
    if (!http_name_is(name, nlen, "Content-Length")) return 0;
    if (n == 0) return herr("empty %s header", "Content-Length");
    return http_list_each(v, n, length_elem, f) < 0 ? -1 : 1;
}

int http_version(const char *v)
{
    if (memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' || v[7] < '0' ||
        v[7] > '9')
        return -1;
    if (v[5] != '1') {
        herr("unsupported version HTTP/%c.%c", v[5], v[7]);
        return -2;
    }
    return v[7] - '0';
}

/* ---------------------------------------------------------------------------------------- */

static void reset_message(struct http_resp_parser *p)
{
    struct http_response *r = p->r;
    /* the line buffer is empty here: this runs at the start and after a complete line */
    memset(&p->body_len, 0, sizeof *p - offsetof(struct http_resp_parser, body_len));
    if (p->body != NULL) p->body[0] = '\0';
    if (r != NULL) {
        memset(r, 0, sizeof *r);
        r->retry_after = -1;
        r->body = (char *)p->body;
    }
}

void http_resp_init(struct http_resp_parser *p, struct http_response *r, uint8_t *body, size_t cap,
                    int head, int64_t now)
{
    memset(p, 0, offsetof(struct http_resp_parser, body_len));
    p->head = head;
    p->now = now;
    p->r = r;
    p->body = body;
    p->body_cap = body != NULL ? cap : 0;
    reset_message(p);
}

static int parse_status(struct http_resp_parser *p)
{
    const char *l = p->line;
    size_t n = p->line_len, i, k = 0;
    /* the SP before the reason phrase is required; tolerate its absence with no reason */
    if (n < 12 || l[8] != ' ' || (n > 12 && l[12] != ' ') ||
        (p->version_minor = http_version(l)) == -1)
        return herr("bad status line '%.*s'", clip(n), l);
    if (p->version_minor < 0) return -1;
    for (i = 9; i < 12 && l[i] >= '0' && l[i] <= '9'; i++)
        p->status = p->status * 10 + (l[i] - '0');
    if (i < 12 || p->status < 100) return herr("bad status line '%.*s'", clip(n), l);
    if (!http_value_ok(l + 12, n - 12)) return herr("control character in the status line");
    for (i = 13; i < n && k + 4 < sizeof p->reason; i++) {
        unsigned char c = (unsigned char)l[i];
        p->reason[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (i < n) memcpy(p->reason + k, "...", 3), k += 3;
    p->reason[k] = '\0';
    if (p->r != NULL) p->r->status = p->status;
    return 0;
}

static int te_elem(void *arg, const char *e, size_t n)
{
    struct http_resp_parser *p = arg;
    if (p->chunked || !http_name_is(e, n, "chunked"))
        return herr("unsupported Transfer-Encoding '%.*s'", clip(n), e);
    p->chunked = 1;
    return 0;
}

/* Header fields stored as they are in struct http_response (up to the NULL name). */
static const struct copied_field {
    const char *name;
    unsigned short off, cap;
} copied[] = {
    {"Replay-Nonce", offsetof(struct http_response, nonce), HTTP_NONCE_MAX},
    {"Location", offsetof(struct http_response, location), HTTP_URL_MAX},
    {"Content-Type", offsetof(struct http_response, content_type), HTTP_CTYPE_MAX},
    {NULL, 0, 0},
};

static int count_field(struct http_resp_parser *p)
{
    if (++p->nheaders <= HTTP_HEADERS_MAX) return 0;
    return herr("more than %d fields (HTTP_HEADERS_MAX) in the %s", HTTP_HEADERS_MAX,
                state_names[p->state]);
}

/* A header field (split and checked already): the framing, or a value stored in p->r. */
static int header_field(struct http_resp_parser *p, const char *name, size_t nlen, const char *v,
                        size_t n)
{
    const struct copied_field *f;
    struct http_response *r = p->r;
    int rc;
    /* a CONNECT reply (no body, nothing stored): the fields are only checked */
    if (p->header_only) return 0;
    rc = http_framing_field(&p->f, name, nlen, v, n);
    if (rc != 0) return rc < 0 ? -1 : 0;
    if (http_name_is(name, nlen, "Transfer-Encoding")) {
        if (n == 0) return herr("empty %s header", "Transfer-Encoding");
        return http_list_each(v, n, te_elem, p);
    }
    if (r == NULL) return 0;
    for (f = copied; f->name != NULL; f++) {
        char *dst = (char *)r + f->off;
        if (!http_name_is(name, nlen, f->name)) continue;
        if (dst[0] != '\0') return herr("repeated %s header", f->name);
        if (n >= f->cap)
            return herr("%s header of %zu bytes exceeds the limit of %d", f->name, n, f->cap - 1);
        if (n == 0) return herr("empty %s header", f->name);
        memcpy(dst, v, n);
        dst[n] = '\0';
        return 0;
    }
    if (http_name_is(name, nlen, "Retry-After")) {
        if (r->retry_after >= 0) return herr("repeated %s header", "Retry-After");
        return http_retry_after(v, n, p->now, &r->retry_after);
    }
    if (http_name_is(name, nlen, "Link")) return http_parse_link(r, v, n);
    return 0;
}

static int body_limit(const struct http_resp_parser *p)
{
    /* The server sent more than any ACME answer needs: a bad response, not a local fault. */
    return herr("response body exceeds the limit of %zu bytes (CONFIG_HTTP_BODY_MAX)", p->body_cap);
}

/* The blank line after the header section: decides how the body is delimited. */
static int end_of_headers(struct http_resp_parser *p)
{
    if (p->status < 200) {
        if (p->status == 101) return herr("unexpected 101 Switching Protocols");
        /* an interim response (100 Continue, 103 Early Hints): the real one follows */
        reset_message(p);
        p->state = S_STATUS;
        return 0;
    }
    if (p->version_minor == 0 && !p->f.conn_keep_alive) p->f.conn_close = 1;
    p->state = S_DONE;
    if (p->header_only || p->head || p->status == 204 || p->status == 304) return 0;
    if (p->chunked) {
        if (p->f.have_length) return herr("Content-Length and Transfer-Encoding both present");
        p->state = S_CHUNK_SIZE;
    } else if (p->f.have_length) {
        if (p->f.content_length > p->body_cap) return body_limit(p);
        p->remaining = (size_t)p->f.content_length;
        if (p->remaining != 0) p->state = S_BODY_LENGTH;
    } else {
        p->f.conn_close = 1; /* the body ends when the connection does */
        p->state = S_BODY_CLOSE;
        p->remaining = p->body_cap; /* more is an error */
    }
    return 0;
}

static int parse_chunk_size(struct http_resp_parser *p)
{
    const char *l = p->line;
    size_t n = p->line_len, i = 0, size = 0, room = p->body_cap - p->body_len;
    for (; i < n; i++) {
        int c = (unsigned char)l[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            break;
        /* size stays <= room, so size * 16 cannot overflow */
        if (size > room / 16 || size * 16 + (size_t)d > room) return body_limit(p);
        size = size * 16 + (size_t)d;
    }
    if (i == 0) return herr("bad chunk size line");
    while (i < n && (l[i] == ' ' || l[i] == '\t'))
        i++;
    if (i < n && l[i] != ';') return herr("bad chunk size line");
    if (!http_value_ok(l + i, n - i)) return herr("control character in chunk extension");
    p->remaining = size;
    p->state = S_CHUNK_DATA;
    if (size == 0) {
        p->nheaders = 0;
        p->state = S_TRAILER;
    }
    return 0;
}

static int line_done(struct http_resp_parser *p)
{
    const char *name, *v;
    size_t nlen, n;
    switch (p->state) {
    case S_STATUS:
        p->state = S_HEADER;
        return parse_status(p);
    case S_CHUNK_SIZE:
        return parse_chunk_size(p);
    case S_CHUNK_CRLF:
        p->state = S_CHUNK_SIZE;
        return 0;
    default: /* S_HEADER, S_TRAILER */
        if (p->line_len == 0) {
            if (p->state == S_HEADER) return end_of_headers(p);
            p->state = S_DONE;
            return 0;
        }
        if (count_field(p) < 0 || http_split_field(p->line, p->line_len, &name, &nlen, &v, &n) < 0)
            return -1;
        /* trailer fields are checked and ignored */
        return p->state == S_HEADER ? header_field(p, name, nlen, v, n) : 0;
    }
}

static size_t line_max(const struct http_resp_parser *p)
{
    if (p->state == S_CHUNK_SIZE) return HTTP_CHUNK_LINE_MAX;
    return p->state == S_CHUNK_CRLF ? 0 : HTTP_HEADER_LINE_MAX;
}

static int line_error(struct http_resp_parser *p, int rc)
{
    if (rc == HTTP_LINE_BARE_CR) return herr("CR without LF in the %s", state_names[p->state]);
    if (p->state == S_CHUNK_CRLF) return herr("missing CRLF after chunk data");
    return herr("line longer than %zu bytes (%s) in the %s", line_max(p),
                p->state == S_CHUNK_SIZE ? "HTTP_CHUNK_LINE_MAX" : "HTTP_HEADER_LINE_MAX",
                state_names[p->state]);
}

static void body_put(struct http_resp_parser *p, const uint8_t *d, size_t n)
{
    memcpy(p->body + p->body_len, d, n);
    p->body_len += n;
    p->body[p->body_len] = '\0';
    if (p->r != NULL) p->r->body_len = p->body_len;
}

int http_resp_feed(struct http_resp_parser *p, const void *data, size_t n, size_t *used)
{
    const uint8_t *d = data;
    size_t i = 0, take;
    int rc;

    if (used != NULL) *used = 0;
    if (p->state == S_ERROR) return herr("response parser used after an error");
    while (i < n && p->state != S_DONE) {
        take = n - i;
        switch (p->state) {
        case S_BODY_CLOSE:
        case S_BODY_LENGTH:
        case S_CHUNK_DATA:
            if (take > p->remaining) {
                if (p->state == S_BODY_CLOSE) {
                    body_limit(p);
                    goto failed;
                }
                take = p->remaining;
            }
            body_put(p, d + i, take);
            i += take;
            p->remaining -= take;
            if (p->remaining == 0 && p->state != S_BODY_CLOSE)
                p->state = p->state == S_BODY_LENGTH ? S_DONE : S_CHUNK_CRLF;
            break;
        default:
            rc = http_line_byte(p->line, &p->line_len, &p->cr, line_max(p), d[i++]);
            if (rc == HTTP_LINE_MORE) break;
            if (rc != HTTP_LINE_END) {
                line_error(p, rc);
                goto failed;
            }
            if (line_done(p) < 0) goto failed;
            p->line_len = 0;
            break;
        }
    }
    p->total += i;
    if (used != NULL) *used = i;
    return p->state == S_DONE ? HTTP_DONE : HTTP_NEED_MORE;
failed:
    p->total += i;
    p->state = S_ERROR;
    return HTTP_ERROR;
}

int http_resp_eof(struct http_resp_parser *p)
{
    int s = p->state;
    if (s == S_DONE || s == S_BODY_CLOSE) {
        p->state = S_DONE;
        return HTTP_DONE;
    }
    p->state = S_ERROR;
    if (s == S_ERROR) return herr("response parser used after an error");
    if (s == S_STATUS && p->total == 0) return herr("connection closed before the response");
    return herr("connection closed in the %s after %zu bytes of the response", state_names[s],
                p->total);
}

int http_resp_keep_alive(const struct http_resp_parser *p)
{
    return p->state == S_DONE && !p->f.conn_close;
}

/* ---------------------------------------------------------------------------------------- */
/* HTTP CONNECT (RFC 9110 section 9.3.6) */

long http_connect_request(char *out, size_t cap, const char *host, const char *port)
{
    const char *lb = "", *rb = "";
    size_t i;
    int n;
    /* (net.c keeps hosts under 256 bytes and ports under 6, so out is the only limit) */
    if (host[0] == '\0' || port[0] == '\0' || strlen(port) > 5)
        return err_set(ACME_ECONFIG, "CONNECT: bad host or port");
    for (i = 0; host[i] != '\0'; i++)
        if (!http_is_host_char((unsigned char)host[i]) && host[i] != ':')
            return err_set(ACME_ECONFIG, "CONNECT: bad character in host '%s'", host);
    if (port[strspn(port, "0123456789")] != '\0')
        return err_set(ACME_ECONFIG, "CONNECT: bad port '%s'", port);
    if (strchr(host, ':') != NULL) lb = "[", rb = "]"; /* an IPv6 literal */
    n = fmt_snprintf(out, cap, "CONNECT %s%s%s:%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n\r\n", lb, host,
                     rb, port, lb, host, rb, port);
    if (n < 0 || (size_t)n >= cap)
        return err_set(ACME_ELOCAL, "%s: %zu-byte buffer too small", "CONNECT request", cap);
    return n;
}

void http_connect_reply_init(struct http_resp_parser *p)
{
    http_resp_init(p, NULL, NULL, 0, 1, 0);
    p->header_only = 1;
}

int http_connect_reply_feed(struct http_resp_parser *p, const void *data, size_t n, size_t *used)
{
    int rc = http_resp_feed(p, data, n, used);
    if (rc == HTTP_ERROR) return err_prefix("proxy reply to CONNECT");
    if (rc == HTTP_DONE && (p->status < 200 || p->status > 299)) {
        p->state = S_ERROR;
        return err_set(ACME_ETEMP, "proxy refused CONNECT: %d %s", p->status, p->reason);
    }
    return rc;
}

int http_connect_reply_eof(struct http_resp_parser *p)
{
    if (p->state == S_DONE) return HTTP_DONE;
    p->state = S_ERROR;
    return err_set(ACME_ETEMP, "proxy closed the connection before answering CONNECT");
}
