/* HTTP/1.1 message framing (RFC 9110, RFC 9112): an incremental response parser for the
 * client and for HTTP CONNECT proxy replies, an incremental request parser for the built-in
 * HTTP-01 responder, and IMF-fixdate parsing for Retry-After.
 *
 * Both parsers take bytes in arbitrary pieces (down to one byte at a time), keep no more than
 * one header line of state, and fail with a specific error on oversize or malformed input:
 * they never guess. Nothing is allocated; the caller owns the parser and every buffer. */
#ifndef ACME_HTTP_H
#define ACME_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct http_response; /* http_client.h */

/* Connection and Content-Length: read the same way in requests and responses. */
struct http_framing {
    int have_length;
    uint64_t content_length;
    int conn_close;      /* Connection: close */
    int conn_keep_alive; /* Connection: keep-alive (matters for HTTP/1.0) */
};

/* Results of the *_feed() functions. */
#define HTTP_NEED_MORE 0 /* everything consumed; feed more bytes */
#define HTTP_DONE 1      /* a complete message; *used says how much of this piece it took */
#define HTTP_ERROR (-1)  /* err_set() names the problem; the parser stays in the error state */

/* Limits of the response parser. */
#define HTTP_HEADER_LINE_MAX 4096 /* status line and each header/trailer line, without CRLF */
#define HTTP_HEADERS_MAX 64       /* header fields (and, separately, trailer fields) */
#define HTTP_CHUNK_LINE_MAX 256   /* a chunk-size line including chunk extensions */
#define HTTP_REASON_MAX 64        /* reason phrase kept for messages (longer ones are cut) */

/* ------------------------------------------------------------------------------------------
 * Response parser.
 *
 *   struct http_resp_parser p;
 *   http_resp_init(&p, r, body, CONFIG_HTTP_BODY_MAX, head, now);
 *   loop: n = read(...);
 *         n > 0:  rc = http_resp_feed(&p, buf, n, &used);  HTTP_DONE -> complete
 *         n == 0: rc = http_resp_eof(&p);                   (read-until-close bodies end here)
 *
 * Fills r (status, Replay-Nonce, Location, Content-Type, Retry-After, Link headers, body).
 * The body is stored NUL-terminated in body[0..cap] (so body must hold cap + 1 bytes); a
 * longer body is an error naming the limit. Errors: ACME_ETEMP for malformed, truncated or
 * oversized responses (a body over the limit is the server's fault, not a local one). */
struct http_resp_parser {
    int state;
    int head;        /* the request was HEAD (or CONNECT): no body whatever the headers say */
    int header_only; /* stop after the header section (proxy CONNECT replies) */
    int64_t now;     /* seconds since the epoch, for Retry-After dates */
    struct http_response *r; /* may be NULL: headers are checked, not stored */
    uint8_t *body;
    size_t body_cap;
    size_t total; /* bytes consumed by this response so far */

    /* From here on: the state of one message, cleared after an interim (1xx) response. */
    size_t body_len;
    int version_minor; /* HTTP/1.x */
    int status;
    char reason[HTTP_REASON_MAX];
    unsigned nheaders;
    int chunked;
    /* f.conn_close is also set for HTTP/1.0 without keep-alive and for a body read until the
       connection closes */
    struct http_framing f;
    size_t remaining; /* of the Content-Length body or of the current chunk, or the room
                         left for a body read until close (<= body_cap) */

    size_t line_len;
    int cr; /* the previous byte was a CR */
    char line[HTTP_HEADER_LINE_MAX + 1];
};

/* head: 1 when the request was HEAD (the response has no body). now: seconds since the epoch.
 * r may be NULL. Resets r (status 0, empty strings, retry_after -1, no links, empty body). */
void http_resp_init(struct http_resp_parser *p, struct http_response *r, uint8_t *body, size_t cap,
                    int head, int64_t now);
/* Consumes bytes; *used (may be NULL) receives how many were part of this response (less than
 * n only with HTTP_DONE). */
int http_resp_feed(struct http_resp_parser *p, const void *data, size_t n, size_t *used);
/* The peer closed the connection: HTTP_DONE when that ends a read-until-close body, else
 * HTTP_ERROR ("connection closed ... of the response"). */
int http_resp_eof(struct http_resp_parser *p);
/* After HTTP_DONE: 1 when the connection may carry another request. */
int http_resp_keep_alive(const struct http_resp_parser *p);

/* Parses a Retry-After value: delta-seconds, or an IMF-fixdate turned into seconds from `now`
 * (dates in the past give 0). -1 with an error when malformed or too large. */
int http_retry_after(const char *v, size_t n, int64_t now, long *out);
/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 section 5.6.7) to seconds since the
 * epoch; -1 with an error when malformed (wrong weekday included). */
int http_date_parse(const char *s, size_t n, int64_t *out);

/* Parses one Link field value (RFC 8288; several comma-separated links allowed) into r's
 * links; exposed for tests. */
int http_parse_link(struct http_response *r, const char *v, size_t n);

/* ------------------------------------------------------------------------------------------
 * HTTP CONNECT through a proxy (for the net/TLS layer).
 *
 *   n = http_connect_request(out, sizeof out, "acme.example", "443");   write out[0..n)
 *   http_connect_reply_init(&p);
 *   loop: read; rc = http_connect_reply_feed(&p, buf, n, &used);
 *         HTTP_DONE: the tunnel is up; buf[used..n) already belongs to the tunnel (a proxy
 *                    sends nothing there before the TLS ClientHello, but it is not lost)
 *         HTTP_ERROR: err_msg() names the proxy's status, e.g.
 *                    "proxy refused CONNECT: 407 Proxy Authentication Required"
 *   a read of 0 before HTTP_DONE: http_connect_reply_eof(&p) for the error. */
/* "CONNECT host:port HTTP/1.1\r\nHost: host:port\r\n\r\n" (IPv6 hosts in brackets) into out
 * (NUL-terminated); returns the length, or -1 with an error when it does not fit or host/port
 * contain characters that do not belong there. */
long http_connect_request(char *out, size_t cap, const char *host, const char *port);
void http_connect_reply_init(struct http_resp_parser *p);
int http_connect_reply_feed(struct http_resp_parser *p, const void *data, size_t n, size_t *used);
int http_connect_reply_eof(struct http_resp_parser *p);

/* ------------------------------------------------------------------------------------------
 * Request parser (for the HTTP-01 responder).
 *
 *   struct http_req_parser p;
 *   http_req_init(&p);
 *   loop: n = read(...);  (n == 0 before HTTP_DONE: the client went away; just close)
 *         rc = http_req_feed(&p, buf, n, &used);
 *         HTTP_NEED_MORE: read more
 *         HTTP_DONE:      p.method ("GET" or "HEAD"), p.target (origin-form path and query;
 *                         an absolute-form target is reduced to it, p.absolute_form = 1),
 *                         p.host (Host header, or the absolute-form authority; "" when an
 *                         HTTP/1.0 request sent none), p.version_minor, p.keep_alive.
 *                         A request body is not read: when p.f.content_length != 0 or
 *                         p.keep_alive == 0, close after answering.
 *         HTTP_ERROR:     answer p.status (400, 414, 431, 501 or 505) and close; err_msg()
 *                         says why (for a -vv log line). With 501 (a method other than GET
 *                         and HEAD) p.method holds the method when it is shorter than 8
 *                         bytes (so POST etc. can be answered 405), else "".
 * The header section is only read up to its blank line. */
#define HTTP_REQ_LINE_MAX 1024   /* request line without CRLF (longer: 414) */
#define HTTP_REQ_HEADER_MAX 2048 /* one header line (longer: 431) */
#define HTTP_REQ_HEADERS_MAX 50  /* header fields (more: 431) */

struct http_req_parser {
    int state;
    int status; /* suggested response status after HTTP_ERROR */
    char method[8];
    char target[HTTP_REQ_LINE_MAX + 1];
    char host[256];
    int version_minor;
    int absolute_form;
    int have_host;
    int keep_alive;
    struct http_framing f;
    unsigned nheaders;
    unsigned empty_lines;
    size_t line_len;
    int cr;
    char line[HTTP_REQ_HEADER_MAX + 1];
};

void http_req_init(struct http_req_parser *p);
int http_req_feed(struct http_req_parser *p, const void *data, size_t n, size_t *used);

/* ------------------------------------------------------------------------------------------
 * Pieces shared by the two parsers (http_response.c). */
#define HTTP_LINE_MORE 0
#define HTTP_LINE_END 1
#define HTTP_LINE_BARE_CR (-1)
#define HTTP_LINE_TOO_LONG (-2)
/* Adds byte c to line[0..*len) (max bytes without the line end; line holds max + 1). Lines end
 * with CRLF or a bare LF (RFC 9112 section 2.2); the line is NUL-terminated at the end. */
int http_line_byte(char *line, size_t *len, int *cr, size_t max, int c);
int http_is_tchar(int c);
int http_is_hex(int c);
/* A character of a host name or an IPv4 address: letter, digit, '-', '.' or '_' (also used by
 * url.c). */
int http_is_host_char(int c);
int http_value_ok(const char *v, size_t n);
/* Splits "name: value" (value trimmed); rejects obs-fold, whitespace before the colon, bad
 * names and control characters, with err_set(ACME_ETEMP, ...). */
int http_split_field(char *line, size_t len, const char **name, size_t *nlen, const char **val,
                     size_t *vlen);
int http_name_is(const char *name, size_t nlen, const char *want);
int http_list_each(const char *v, size_t n, int (*fn)(void *arg, const char *e, size_t len),
                   void *arg);
/* A Connection or Content-Length field into f: 1 when name is one of them (and its value is
 * valid), 0 when it is neither, -1 with an error. */
int http_framing_field(struct http_framing *f, const char *name, size_t nlen, const char *v,
                       size_t n);
/* "HTTP/" DIGIT "." DIGIT at v[0..8): the minor version of HTTP/1.x; -1 when malformed (no
 * error set); -2 with an error for another major version. */
int http_version(const char *v);

#endif
