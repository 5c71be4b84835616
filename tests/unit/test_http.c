/* Unit tests: HTTP response parser, request parser, CONNECT, dates, Link headers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "http.h"
#include "http_client.h"

#define CAP 256
/* Sun, 06 Nov 1994 08:49:37 GMT */
#define NOW_1994 784111777

static uint8_t body[CAP + 1];
static struct http_response r;
static struct http_resp_parser p;

#define assert_err(substr)                                                                         \
    do {                                                                                           \
        if (strstr(err_msg(), (substr)) == NULL)                                                   \
            fail_msg("error '%s' does not contain '%s'", err_msg(), (substr));                     \
    } while (0)

/* Feeds s[0..n) in pieces of `step` bytes (0: one piece); when the data runs out without
 * HTTP_DONE and eof is set, signals the end of the connection. Returns the last result;
 * *used_total gets the bytes the response took. */
static int feed(const char *s, size_t n, size_t step, int head, size_t cap, int eof,
                size_t *used_total)
{
    size_t i = 0, used = 0;
    int rc = HTTP_NEED_MORE;
    err_clear();
    http_resp_init(&p, &r, body, cap, head, NOW_1994);
    while (i < n) {
        size_t k = step == 0 || step > n - i ? n - i : step;
        rc = http_resp_feed(&p, s + i, k, &used);
        if (rc != HTTP_NEED_MORE) break;
        assert_int_equal(used, k);
        i += k;
    }
    if (rc == HTTP_DONE) i += used;
    if (rc == HTTP_NEED_MORE && eof) rc = http_resp_eof(&p);
    if (used_total != NULL) *used_total = i;
    return rc;
}

static int feed_str(const char *s)
{
    return feed(s, strlen(s), 0, 0, CAP, 0, NULL);
}

static const char resp_cl[] = "HTTP/1.1 201 Created\r\n"
                              "Server: test\r\n"
                              "Replay-Nonce: abc-DEF_123\r\n"
                              "Location: https://ca.example/acct/1\r\n"
                              "Content-Type: application/json\r\n"
                              "Link: <https://ca.example/dir>;rel=\"index\"\r\n"
                              "Content-Length: 13\r\n"
                              "\r\n"
                              "{\"a\":\"hello\"}";

static const char resp_chunked[] = "HTTP/1.1 200 OK\r\n"
                                   "Transfer-Encoding: chunked\r\n"
                                   "Replay-Nonce: n1\r\n"
                                   "\r\n"
                                   "5;ext=1;q=\"x\"\r\n"
                                   "hello\r\n"
                                   "1A\r\n"
                                   "abcdefghijklmnopqrstuvwxyz\r\n"
                                   "0\r\n"
                                   "Trailer-One: yes\r\n"
                                   "\r\n";

static void check_cl(void)
{
    assert_int_equal(r.status, 201);
    assert_string_equal(r.nonce, "abc-DEF_123");
    assert_string_equal(r.location, "https://ca.example/acct/1");
    assert_string_equal(r.content_type, "application/json");
    assert_int_equal(r.body_len, 13);
    assert_string_equal(r.body, "{\"a\":\"hello\"}");
    assert_int_equal(r.nlinks, 1);
    assert_string_equal(http_link(&r, "index"), "https://ca.example/dir");
    assert_int_equal(r.retry_after, -1);
    assert_int_equal(http_resp_keep_alive(&p), 1);
}

static void check_chunked(void)
{
    assert_int_equal(r.status, 200);
    assert_string_equal(r.nonce, "n1");
    assert_int_equal(r.body_len, 31);
    assert_string_equal(r.body, "helloabcdefghijklmnopqrstuvwxyz");
    assert_int_equal(http_resp_keep_alive(&p), 1);
}

static void test_content_length(void **state)
{
    size_t used;
    (void)state;
    assert_int_equal(feed(resp_cl, sizeof resp_cl - 1, 0, 0, CAP, 0, &used), HTTP_DONE);
    assert_int_equal(used, sizeof resp_cl - 1);
    check_cl();
}

static void test_chunked(void **state)
{
    (void)state;
    assert_int_equal(feed(resp_chunked, sizeof resp_chunked - 1, 0, 0, CAP, 0, NULL), HTTP_DONE);
    check_chunked();
}

/* Two pieces split at every byte boundary, and every piece size. */
static void test_every_split(void **state)
{
    size_t n, k, used;
    (void)state;
    n = sizeof resp_cl - 1;
    for (k = 0; k <= n; k++) {
        err_clear();
        http_resp_init(&p, &r, body, CAP, 0, NOW_1994);
        assert_int_equal(http_resp_feed(&p, resp_cl, k, &used), k == n ? HTTP_DONE : 0);
        if (k < n) assert_int_equal(http_resp_feed(&p, resp_cl + k, n - k, &used), HTTP_DONE);
        check_cl();
    }
    for (k = 1; k <= n; k++) {
        assert_int_equal(feed(resp_cl, n, k, 0, CAP, 0, &used), HTTP_DONE);
        assert_int_equal(used, n);
        check_cl();
    }
    n = sizeof resp_chunked - 1;
    for (k = 0; k <= n; k++) {
        err_clear();
        http_resp_init(&p, &r, body, CAP, 0, NOW_1994);
        assert_int_equal(http_resp_feed(&p, resp_chunked, k, &used), k == n ? HTTP_DONE : 0);
        if (k < n) assert_int_equal(http_resp_feed(&p, resp_chunked + k, n - k, &used), HTTP_DONE);
        check_chunked();
    }
    for (k = 1; k <= n; k++) {
        assert_int_equal(feed(resp_chunked, n, k, 0, CAP, 0, NULL), HTTP_DONE);
        check_chunked();
    }
}

static void test_body_limit(void **state)
{
    static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n0123456789abcdefg";
    static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "8\r\n01234567\r\n9\r\n012345678\r\n0\r\n\r\n";
    static const char cl_ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n0123456789abcdef";
    static const char close_body[] = "HTTP/1.1 200 OK\r\n\r\n0123456789abcdefXYZ";
    (void)state;
    assert_int_equal(feed(cl, sizeof cl - 1, 0, 0, 16, 0, NULL), HTTP_ERROR);
    assert_err("exceeds the limit of 16 bytes (CONFIG_HTTP_BODY_MAX)");
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_int_equal(feed(ch, sizeof ch - 1, 3, 0, 16, 0, NULL), HTTP_ERROR);
    assert_err("exceeds the limit of 16 bytes (CONFIG_HTTP_BODY_MAX)");
    assert_int_equal(feed(close_body, sizeof close_body - 1, 1, 0, 16, 1, NULL), HTTP_ERROR);
    assert_err("CONFIG_HTTP_BODY_MAX");
    /* exactly at the limit is fine, and NUL-terminated */
    assert_int_equal(feed(cl_ok, sizeof cl_ok - 1, 0, 0, 16, 0, NULL), HTTP_DONE);
    assert_int_equal(r.body_len, 16);
    assert_int_equal(body[16], 0);
}

static void test_framing_errors(void **state)
{
    (void)state;
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n"),
                     HTTP_ERROR);
    assert_string_equal(err_msg(), "HTTP: Content-Length and Transfer-Encoding both present");
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n"),
                     HTTP_ERROR);
    assert_err("conflicting Content-Length");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n"), HTTP_ERROR);
    assert_err("conflicting Content-Length");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n"
                              "\r\nab"),
                     HTTP_DONE);
    assert_string_equal(r.body, "ab");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n"), HTTP_ERROR);
    assert_err("bad Content-Length");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n"),
                     HTTP_ERROR);
    assert_err("bad Content-Length '99999999999999999999");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n"), HTTP_ERROR);
    assert_err("obsolete line folding");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nX-A : a\r\n"), HTTP_ERROR);
    assert_err("whitespace before the colon");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nX-A a\r\n"), HTTP_ERROR);
    assert_err("without a colon");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n"), HTTP_ERROR);
    assert_err("CR without LF");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n"),
                     HTTP_ERROR);
    assert_err("unsupported Transfer-Encoding 'gzip'");
    assert_int_equal(feed_str("HTTP/2.0 200 OK\r\n"), HTTP_ERROR);
    assert_err("unsupported version HTTP/2.0");
    assert_int_equal(feed_str("HTTP/1.1 2000 OK\r\n"), HTTP_ERROR);
    assert_err("bad status line");
    assert_int_equal(feed_str("HTTP/1.1 abc OK\r\n"), HTTP_ERROR);
    assert_err("bad status line 'HTTP/1.1 abc OK'");
    assert_int_equal(feed_str("ICY 200 OK\r\n"), HTTP_ERROR);
    assert_err("bad status line");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n"),
                     HTTP_ERROR);
    assert_err("bad chunk size line");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "2\r\nabX\r\n"),
                     HTTP_ERROR);
    assert_err("missing CRLF after chunk data");
    assert_int_equal(feed_str("HTTP/1.1 101 Switching Protocols\r\n\r\n"), HTTP_ERROR);
    assert_err("101");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nX: \x01\r\n"), HTTP_ERROR);
    assert_err("control character");
    assert_int_equal(feed_str("HTTP/1.1 200 OK\r\nReplay-Nonce: a\r\nReplay-Nonce: b\r\n"),
                     HTTP_ERROR);
    assert_err("repeated Replay-Nonce");
    /* the parser stays failed */
    assert_int_equal(http_resp_feed(&p, "x", 1, NULL), HTTP_ERROR);
}

static void test_line_limits(void **state)
{
    static char big[HTTP_HEADER_LINE_MAX + 200];
    static char many[HTTP_HEADERS_MAX * 8 + 100];
    static char chunkline[400];
    size_t n;
    int i;
    (void)state;
    n = (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nX-Big: ");
    memset(big + n, 'a', HTTP_HEADER_LINE_MAX);
    n += HTTP_HEADER_LINE_MAX;
    memcpy(big + n, "\r\n", 2);
    assert_int_equal(feed(big, n + 2, 7, 0, CAP, 0, NULL), HTTP_ERROR);
    assert_err("line longer than 4096 bytes (HTTP_HEADER_LINE_MAX) in the header section");
    /* a line of exactly the limit is fine */
    n = (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nX-Big: ");
    memset(big + n, 'a', HTTP_HEADER_LINE_MAX - 7);
    n += HTTP_HEADER_LINE_MAX - 7;
    memcpy(big + n, "\r\nContent-Length: 0\r\n\r\n", 23);
    assert_int_equal(feed(big, n + 23, 0, 0, CAP, 0, NULL), HTTP_DONE);

    n = (size_t)snprintf(many, sizeof many, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i <= HTTP_HEADERS_MAX; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "X: %d\r\n", i % 10);
    assert_int_equal(feed(many, n, 0, 0, CAP, 0, NULL), HTTP_ERROR);
    assert_err("more than 64 fields (HTTP_HEADERS_MAX) in the header section");

    n = (size_t)snprintf(chunkline, sizeof chunkline,
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
    memset(chunkline + n, 'e', 300);
    assert_int_equal(feed(chunkline, n + 300, 0, 0, CAP, 0, NULL), HTTP_ERROR);
    assert_err("HTTP: line longer than 256 bytes (HTTP_CHUNK_LINE_MAX) in the chunk size line");
}

static void test_no_body_responses(void **state)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nReplay-Nonce: h\r\n\r\n";
    static const char nc[] = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1";
    static const char nm[] = "HTTP/1.1 304 Not Modified\r\n\r\n";
    size_t used;
    (void)state;
    assert_int_equal(feed(head, sizeof head - 1, 0, 1, CAP, 0, &used), HTTP_DONE);
    assert_int_equal(used, sizeof head - 1);
    assert_string_equal(r.nonce, "h");
    assert_int_equal(r.body_len, 0);
    assert_string_equal(r.body, "");
    assert_int_equal(http_resp_keep_alive(&p), 1);
    assert_int_equal(feed(nc, sizeof nc - 1, 0, 0, CAP, 0, &used), HTTP_DONE);
    assert_int_equal(used, sizeof nc - 1 - 8);
    assert_int_equal(r.status, 204);
    assert_int_equal(feed(nm, sizeof nm - 1, 1, 0, CAP, 0, NULL), HTTP_DONE);
    assert_int_equal(r.status, 304);
}

static void test_connection_handling(void **state)
{
    static const char c10[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until close";
    static const char c10ka[] = "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
                                "Content-Length: 1\r\n\r\nx";
    static const char close11[] = "HTTP/1.1 200 OK\r\nConnection: foo, close\r\n"
                                  "Content-Length: 1\r\n\r\nx";
    static const char cont[] = "HTTP/1.1 100 Continue\r\nReplay-Nonce: early\r\n\r\n"
                               "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    static const char nocl11[] = "HTTP/1.1 200 OK\r\n\r\nabc";
    (void)state;
    assert_int_equal(feed(c10, sizeof c10 - 1, 5, 0, CAP, 1, NULL), HTTP_DONE);
    assert_string_equal(r.body, "body until close");
    assert_int_equal(http_resp_keep_alive(&p), 0);
    assert_int_equal(feed(c10ka, sizeof c10ka - 1, 0, 0, CAP, 0, NULL), HTTP_DONE);
    assert_int_equal(http_resp_keep_alive(&p), 1);
    assert_int_equal(feed(close11, sizeof close11 - 1, 0, 0, CAP, 0, NULL), HTTP_DONE);
    assert_int_equal(http_resp_keep_alive(&p), 0);
    assert_int_equal(feed(cont, sizeof cont - 1, 1, 0, CAP, 0, NULL), HTTP_DONE);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.nonce, "");
    assert_string_equal(r.body, "ok");
    assert_int_equal(feed(nocl11, sizeof nocl11 - 1, 0, 0, CAP, 1, NULL), HTTP_DONE);
    assert_string_equal(r.body, "abc");
    assert_int_equal(http_resp_keep_alive(&p), 0);
}

static void test_eof(void **state)
{
    static const char mid[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    static const char midch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n";
    (void)state;
    assert_int_equal(feed("", 0, 0, 0, CAP, 1, NULL), HTTP_ERROR);
    assert_string_equal(err_msg(), "HTTP: connection closed before the response");
    assert_int_equal(feed("HTTP/1.1 2", 10, 0, 0, CAP, 1, NULL), HTTP_ERROR);
    assert_err("connection closed in the status line after 10 bytes");
    assert_int_equal(feed(mid, sizeof mid - 1, 0, 0, CAP, 1, NULL), HTTP_ERROR);
    assert_err("connection closed in the body");
    assert_int_equal(feed(midch, sizeof midch - 1, 0, 0, CAP, 1, NULL), HTTP_ERROR);
    assert_err("connection closed in the chunk size line");
}

static void test_extra_bytes(void **state)
{
    static const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n";
    size_t used;
    (void)state;
    assert_int_equal(feed(two, sizeof two - 1, 0, 0, CAP, 0, &used), HTTP_DONE);
    assert_int_equal(used, 39);
    assert_string_equal(r.body, "x");
}

static void test_links(void **state)
{
    static const char resp[] =
        "HTTP/1.1 200 OK\r\n"
        "Link: <https://ca.example/dir>;rel=\"index\", <https://ca.example/a,b>; "
        "title=\"x, y; z\"; REL=Alternate\r\n"
        "Link: <https://ca.example/up>; rel=\"up Index\"; rel=ignored\r\n"
        "link: <https://ca.example/norel>; title=t\r\n"
        "Link: </relative>; rel=\"terms-of-service\"\r\n"
        "Content-Length: 0\r\n\r\n";
    (void)state;
    assert_int_equal(feed(resp, sizeof resp - 1, 3, 0, CAP, 0, NULL), HTTP_DONE);
    assert_int_equal(r.nlinks, 4);
    assert_string_equal(r.links[0].rel, "index");
    assert_string_equal(r.links[1].url, "https://ca.example/a,b");
    assert_string_equal(r.links[1].rel, "alternate");
    assert_string_equal(r.links[2].rel, "up index");
    assert_string_equal(http_link(&r, "index"), "https://ca.example/dir");
    assert_string_equal(http_link(&r, "up"), "https://ca.example/up");
    assert_string_equal(http_link(&r, "alternate"), "https://ca.example/a,b");
    assert_string_equal(http_link(&r, "terms-of-service"), "/relative");
    assert_null(http_link(&r, "ignored"));
    assert_null(http_link(&r, "in"));

    memset(&r, 0, sizeof r);
    assert_int_equal(http_parse_link(&r, "<x>; rel=\"a", 11), -1);
    assert_err("unterminated quoted string");
    assert_int_equal(http_parse_link(&r, "x; rel=a", 8), -1);
    assert_err("expected '<'");
    assert_int_equal(http_parse_link(&r, "<x> rel=a", 9), -1);
    assert_err("expected ';'");
    {
        static const char long_rel[] = "<x>; rel=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"";
        assert_int_equal(http_parse_link(&r, long_rel, sizeof long_rel - 1), -1);
    }
    assert_err("Link rel longer than 31 bytes");
    r.nlinks = 0;
    for (int i = 0; i < HTTP_MAX_LINKS; i++)
        assert_int_equal(http_parse_link(&r, "<u>;rel=up", 10), 0);
    assert_int_equal(http_parse_link(&r, "<u>;rel=up", 10), -1);
    assert_err("more than 8 links (HTTP_MAX_LINKS)");
}

static void test_retry_after(void **state)
{
    long s;
    int64_t t;
    (void)state;
    assert_int_equal(feed_str("HTTP/1.1 503 Busy\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n"),
                     HTTP_DONE);
    assert_int_equal(r.retry_after, 120);
    assert_int_equal(feed_str("HTTP/1.1 429 Slow\r\nRetry-After: Sun, 06 Nov 1994 08:51:37 GMT\r\n"
                              "Content-Length: 0\r\n\r\n"),
                     HTTP_DONE);
    assert_int_equal(r.retry_after, 120);
    assert_int_equal(http_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", 29, NOW_1994, &s), 0);
    assert_int_equal(s, 0);
    assert_int_equal(http_retry_after("Wed, 01 Jan 2025 00:00:00 GMT", 29, 1735689600 - 3600, &s),
                     0);
    assert_int_equal(s, 3600);
    assert_int_equal(http_retry_after("12a", 3, 0, &s), -1);
    assert_int_equal(http_retry_after("99999999999", 11, 0, &s), -1);
    assert_err("exceeds");
    assert_int_equal(http_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", 30, 0, &s), -1);
    assert_int_equal(feed_str("HTTP/1.1 503 Busy\r\nRetry-After: soon\r\n"), HTTP_ERROR);

    assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, &t), 0);
    assert_int_equal(t, NOW_1994);
    assert_int_equal(http_date_parse("Thu, 01 Jan 1970 00:00:00 GMT", 29, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(http_date_parse("Thu, 29 Feb 2024 23:59:59 GMT", 29, &t), 0);
    assert_int_equal(t, 1709251199);
    assert_int_equal(http_date_parse("Mon, 06 Nov 1994 08:49:37 GMT", 29, &t), -1);
    assert_err("wrong weekday");
    assert_int_equal(http_date_parse("Fri, 29 Feb 2023 00:00:00 GMT", 29, &t), -1);
    assert_int_equal(http_date_parse("Sun, 06 Nov 1994 24:49:37 GMT", 29, &t), -1);
    assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", 29, &t), -1);
}

static void test_connect(void **state)
{
    char out[128];
    static const char ok[] =
        "HTTP/1.1 200 Connection established\r\nProxy-Agent: x\r\n\r\n\x16\x03";
    static const char denied[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                                 "Content-Length: 5\r\n\r\n";
    size_t used, i;
    int rc = HTTP_NEED_MORE;
    (void)state;
    assert_int_equal(http_connect_request(out, sizeof out, "acme.example", "443"), 61);
    assert_string_equal(out, "CONNECT acme.example:443 HTTP/1.1\r\nHost: acme.example:443\r\n\r\n");
    assert_int_equal(strlen(out), 61);
    assert_true(http_connect_request(out, sizeof out, "2001:db8::1", "8443") > 0);
    assert_string_equal(out,
                        "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n");
    assert_int_equal(http_connect_request(out, sizeof out, "a\r\nb", "443"), -1);
    assert_int_equal(http_connect_request(out, sizeof out, "a", "44x"), -1);
    assert_int_equal(http_connect_request(out, 20, "acme.example", "443"), -1);

    http_connect_reply_init(&p);
    assert_int_equal(http_connect_reply_feed(&p, ok, sizeof ok - 1, &used), HTTP_DONE);
    assert_int_equal(used, sizeof ok - 3);
    /* byte by byte */
    http_connect_reply_init(&p);
    for (i = 0; i < sizeof ok - 1 && rc == HTTP_NEED_MORE; i++)
        rc = http_connect_reply_feed(&p, ok + i, 1, &used);
    assert_int_equal(rc, HTTP_DONE);
    assert_int_equal(i, sizeof ok - 3);

    http_connect_reply_init(&p);
    assert_int_equal(http_connect_reply_feed(&p, denied, sizeof denied - 1, &used), HTTP_ERROR);
    assert_string_equal(err_msg(), "proxy refused CONNECT: 407 Proxy Authentication Required");
    assert_int_equal(err_status(), ACME_ETEMP);

    http_connect_reply_init(&p);
    assert_int_equal(http_connect_reply_feed(&p, "HTTP/1.1 200", 12, &used), HTTP_NEED_MORE);
    assert_int_equal(http_connect_reply_eof(&p), HTTP_ERROR);
    assert_err("proxy closed the connection");

    http_connect_reply_init(&p);
    assert_int_equal(http_connect_reply_feed(&p, "SSH-2.0\r\n", 9, &used), HTTP_ERROR);
    assert_err("proxy reply to CONNECT: HTTP: bad status line");
}

/* ---------------------------------------------------------------------------------------- */

static struct http_req_parser q;

static int req(const char *s, size_t step)
{
    size_t n = strlen(s), i = 0, used;
    int rc = HTTP_NEED_MORE;
    err_clear();
    http_req_init(&q);
    while (i < n && rc == HTTP_NEED_MORE) {
        size_t k = step == 0 || step > n - i ? n - i : step;
        rc = http_req_feed(&q, s + i, k, &used);
        i += k;
    }
    return rc;
}

static void test_request_ok(void **state)
{
    static const char get[] = "GET /.well-known/acme-challenge/tok_EN-1 HTTP/1.1\r\n"
                              "Host: example.org\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n";
    size_t step;
    (void)state;
    for (step = 0; step < sizeof get; step++) {
        assert_int_equal(req(get, step), HTTP_DONE);
        assert_string_equal(q.method, "GET");
        assert_string_equal(q.target, "/.well-known/acme-challenge/tok_EN-1");
        assert_string_equal(q.host, "example.org");
        assert_int_equal(q.version_minor, 1);
        assert_int_equal(q.keep_alive, 1);
        assert_int_equal(q.absolute_form, 0);
    }
    assert_int_equal(req("\r\nHEAD /x?y=1 HTTP/1.0\n\n", 0), HTTP_DONE);
    assert_string_equal(q.method, "HEAD");
    assert_string_equal(q.target, "/x?y=1");
    assert_string_equal(q.host, "");
    assert_int_equal(q.keep_alive, 0);
    assert_int_equal(req("GET http://Example.org:80 HTTP/1.1\r\nHost: other\r\n\r\n", 0),
                     HTTP_DONE);
    assert_int_equal(q.absolute_form, 1);
    assert_string_equal(q.target, "/");
    assert_string_equal(q.host, "Example.org:80");
    assert_int_equal(req("GET http://[::1]:8080/p/q HTTP/1.1\r\n\r\n", 0), HTTP_DONE);
    assert_string_equal(q.target, "/p/q");
    assert_string_equal(q.host, "[::1]:8080");
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 0), HTTP_DONE);
    assert_int_equal(q.keep_alive, 0);
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n", 0), HTTP_DONE);
    assert_int_equal(q.f.content_length, 3);
    assert_int_equal(q.keep_alive, 0);
}

static void test_request_errors(void **state)
{
    static char big[HTTP_REQ_LINE_MAX + 100];
    static char hdr[HTTP_REQ_HEADER_MAX + 100];
    static char many[HTTP_REQ_HEADERS_MAX * 10 + 100];
    size_t n;
    int i;
    (void)state;
    assert_int_equal(req("GET / HTTP/1.1\r\n\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_err("no Host header");
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("POST / HTTP/1.1\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 501);
    assert_string_equal(q.method, "POST");
    assert_int_equal(req("PROPFINDX / HTTP/1.1\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 501);
    assert_string_equal(q.method, "");
    assert_int_equal(req("GET / HTTP/2.0\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 505);
    assert_int_equal(req("GET / HTTP/1.1 \r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET / HTTX/1.1\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET /a b HTTP/1.1\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET /a#f HTTP/1.1\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET /%zz HTTP/1.1\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET * HTTP/1.1\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET http://u@h/ HTTP/1.1\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_err("obsolete line folding");
    assert_int_equal(req("GET / HTTP/1.1\r\nHost : a\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: a b\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n", 0),
                     HTTP_ERROR);
    assert_int_equal(q.status, 501);
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("GET / HTTP/1.1\rX\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);
    assert_int_equal(req("\r\n\r\n\r\n\r\n\r\n", 0), HTTP_ERROR);
    assert_int_equal(q.status, 400);

    n = (size_t)snprintf(big, sizeof big, "GET /");
    memset(big + n, 'a', HTTP_REQ_LINE_MAX);
    big[n + HTTP_REQ_LINE_MAX] = '\0';
    assert_int_equal(req(big, 100), HTTP_ERROR);
    assert_int_equal(q.status, 414);
    assert_err("request line longer than 1024 bytes");

    n = (size_t)snprintf(hdr, sizeof hdr, "GET / HTTP/1.1\r\nX: ");
    memset(hdr + n, 'a', HTTP_REQ_HEADER_MAX);
    hdr[n + HTTP_REQ_HEADER_MAX] = '\0';
    assert_int_equal(req(hdr, 0), HTTP_ERROR);
    assert_int_equal(q.status, 431);

    n = (size_t)snprintf(many, sizeof many, "GET / HTTP/1.1\r\n");
    for (i = 0; i <= HTTP_REQ_HEADERS_MAX; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "X: %d\r\n", i % 10);
    assert_int_equal(req(many, 0), HTTP_ERROR);
    assert_int_equal(q.status, 431);
    assert_err("more than 50 header fields");
    /* used after an error */
    assert_int_equal(http_req_feed(&q, "x", 1, NULL), HTTP_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_every_split),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_framing_errors),
        cmocka_unit_test(test_line_limits),
        cmocka_unit_test(test_no_body_responses),
        cmocka_unit_test(test_connection_handling),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_extra_bytes),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_connect),
        cmocka_unit_test(test_request_ok),
        cmocka_unit_test(test_request_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
