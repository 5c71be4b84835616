/* Unit tests: the HTTP client over a scripted fake transport. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "http_client.h"
#include "support/fake_transport.h"

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define NOW_1994 784111777

static struct fake_transport f;
static struct http_client c;
static struct http_response r;

static int64_t fake_now(void)
{
    return NOW_1994;
}

static int setup(void **state)
{
    (void)state;
    ft_init(&f);
    http_client_init(&c, &f.t);
    c.now = fake_now;
    err_clear();
    return 0;
}

#define assert_err(substr)                                                                         \
    do {                                                                                           \
        if (strstr(err_msg(), (substr)) == NULL)                                                   \
            fail_msg("error '%s' does not contain '%s'", err_msg(), (substr));                     \
    } while (0)

static const char ok_a[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
static const char ok_b[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb";
static const char ok_c[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc";

static void test_keep_alive_reuse(void **state)
{
    static const char created[] = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}";
    static const char head[] = "HTTP/1.1 200 OK\r\nReplay-Nonce: nonce-1\r\n"
                               "Content-Length: 500\r\n\r\n";
    (void)state;
    ft_conn(&f);
    ft_data(&f, ok_a);
    ft_data(&f, created);
    ft_data(&f, head);
    ft_data(&f, ok_b);
    ft_conn(&f); /* must stay unused */
    ft_data(&f, ok_c);

    assert_int_equal(http_request(&c, "GET", "https://ca.example/dir", NULL, NULL, 0, &r), 0);
    assert_string_equal(r.body, "a");
    assert_int_equal(http_request(&c, "POST", "https://ca.example/new-acct",
                                  "application/jose+json", "{\"x\":1}", 7, &r),
                     0);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "{}");
    assert_int_equal(http_request(&c, "HEAD", "https://ca.example/nonce", NULL, NULL, 0, &r), 0);
    assert_string_equal(r.nonce, "nonce-1");
    assert_int_equal(r.body_len, 0);
    assert_int_equal(http_request(&c, "GET", "https://CA.example:443/x", NULL, NULL, 0, &r), 0);
    assert_string_equal(r.body, "b");

    assert_int_equal(f.opens, 1);
    assert_int_equal(c.requests, 4);
    assert_int_equal(c.connections, 1);
    assert_string_equal(f.host, "ca.example");
    assert_string_equal(f.port, "443");
    assert_non_null(strstr(f.written, "GET /dir HTTP/1.1\r\nHost: ca.example\r\n"
                                      "User-Agent: acme.c/" ACME_VERSION " ("));
    assert_non_null(strstr(f.written, "POST /new-acct HTTP/1.1\r\nHost: ca.example\r\n"));
    assert_non_null(strstr(f.written,
                           "Content-Type: application/jose+json\r\n"
                           "Content-Length: 7\r\n\r\n{\"x\":1}HEAD /nonce HTTP/1.1\r\n"));
    assert_int_equal(ft_count(&f, "Accept: */*\r\n"), 4);
    assert_int_equal(ft_count(&f, "Content-Length"), 1);
    assert_int_equal(ft_count(&f, "\r\n\r\n"), 4);
}

/* Each response delivered in pieces of every size from 1 byte up. */
static void test_piece_sizes(void **state)
{
    static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: 21\r\n\r\n{\"status\":\"pending\"}\n";
    static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "a\r\n{\"status\":\r\nA;x=y\r\n\"pending\"}\r\n0\r\n\r\n";
    size_t k;
    (void)state;
    for (k = 1; k <= sizeof cl; k++) {
        setup(NULL);
        f.chunk = k;
        ft_conn(&f);
        ft_data(&f, cl);
        ft_data(&f, ch);
        assert_int_equal(http_request(&c, "GET", "https://h/o", NULL, NULL, 0, &r), 0);
        assert_string_equal(r.body, "{\"status\":\"pending\"}\n");
        assert_string_equal(r.content_type, "application/json");
        assert_int_equal(http_request(&c, "GET", "https://h/o", NULL, NULL, 0, &r), 0);
        assert_string_equal(r.body, "{\"status\":\"pending\"}");
        assert_int_equal(r.body_len, 20);
        assert_int_equal(f.opens, 1);
    }
}

static void idle_close_then(void (*event)(struct fake_transport *))
{
    setup(NULL);
    ft_conn(&f);
    ft_data(&f, ok_a);
    event(&f);
    ft_conn(&f);
    ft_data(&f, ok_b);
    assert_int_equal(http_request(&c, "GET", "https://h/a", NULL, NULL, 0, &r), 0);
    assert_int_equal(http_request(&c, "POST", "https://h/b", "text/plain", "xyz", 3, &r), 0);
    assert_string_equal(r.body, "b");
    assert_int_equal(f.opens, 2);
    assert_int_equal(c.requests, 2);
}

static void test_idle_close_reconnects(void **state)
{
    (void)state;
    idle_close_then(ft_close);
    /* the POST was written twice: once into the dead connection, once into the new one */
    assert_int_equal(ft_count(&f, "POST /b HTTP/1.1"), 2);
    idle_close_then(ft_reset);
    assert_int_equal(ft_count(&f, "POST /b HTTP/1.1"), 2);
    idle_close_then(ft_write_fail);
    assert_int_equal(ft_count(&f, "POST /b HTTP/1.1"), 1);
}

static void test_close_mid_response_no_resend(void **state)
{
    static const char part[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    (void)state;
    /* on a reused connection */
    ft_conn(&f);
    ft_data(&f, ok_a);
    ft_data(&f, part);
    ft_close(&f);
    ft_conn(&f);
    ft_data(&f, ok_b);
    assert_int_equal(http_request(&c, "GET", "https://h/a", NULL, NULL, 0, &r), 0);
    assert_int_equal(http_request(&c, "POST", "https://h/b", "t/p", "x", 1, &r), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_err("POST https://h/b: HTTP: connection closed in the body");
    assert_int_equal(f.opens, 1);
    assert_int_equal(ft_count(&f, "POST /b"), 1);

    /* reset after the first byte */
    setup(NULL);
    ft_conn(&f);
    ft_data(&f, ok_a);
    ft_data(&f, "H");
    ft_reset(&f);
    ft_conn(&f);
    ft_data(&f, ok_b);
    assert_int_equal(http_request(&c, "GET", "https://h/a", NULL, NULL, 0, &r), 0);
    assert_int_equal(http_request(&c, "GET", "https://h/b", NULL, NULL, 0, &r), -1);
    assert_err("GET https://h/b: fake: connection reset");
    assert_int_equal(f.opens, 1);
    /* the client reconnects for the next request */
    assert_int_equal(http_request(&c, "GET", "https://h/c", NULL, NULL, 0, &r), 0);
    assert_string_equal(r.body, "b");
    assert_int_equal(f.opens, 2);
}

static void test_fresh_connection_no_retry(void **state)
{
    (void)state;
    ft_conn(&f);
    ft_close(&f);
    ft_conn(&f);
    ft_data(&f, ok_a);
    assert_int_equal(http_request(&c, "GET", "https://h/a", NULL, NULL, 0, &r), -1);
    assert_err("GET https://h/a: HTTP: connection closed before the response");
    assert_int_equal(f.opens, 1);

    /* retried once only */
    setup(NULL);
    ft_conn(&f);
    ft_data(&f, ok_a);
    ft_close(&f);
    ft_conn(&f);
    ft_close(&f);
    ft_conn(&f);
    ft_data(&f, ok_b);
    assert_int_equal(http_request(&c, "GET", "https://h/a", NULL, NULL, 0, &r), 0);
    assert_int_equal(http_request(&c, "GET", "https://h/b", NULL, NULL, 0, &r), -1);
    assert_int_equal(f.opens, 2);

    /* open failure */
    setup(NULL);
    ft_conn_fail(&f);
    assert_int_equal(http_request(&c, "GET", "https://h:8443/a", NULL, NULL, 0, &r), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_err("GET https://h:8443/a: fake: cannot connect to h port 8443");
}

static void test_connection_close_and_hosts(void **state)
{
    static const char closing[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                                  "Content-Length: 1\r\n\r\nz";
    static const char until_close[] = "HTTP/1.0 200 OK\r\n\r\nuntil close";
    (void)state;
    ft_conn(&f);
    ft_data(&f, closing);
    ft_conn(&f);
    ft_data(&f, until_close);
    ft_close(&f);
    ft_conn(&f);
    ft_data(&f, ok_a);
    ft_conn(&f);
    ft_data(&f, ok_b);
    assert_int_equal(http_request(&c, "GET", "https://a.example/1", NULL, NULL, 0, &r), 0);
    assert_int_equal(c.connected, 0);
    assert_int_equal(http_request(&c, "GET", "https://a.example/2", NULL, NULL, 0, &r), 0);
    assert_string_equal(r.body, "until close");
    assert_int_equal(c.connected, 0);
    assert_int_equal(http_request(&c, "GET", "http://[::1]:14000/3", NULL, NULL, 0, &r), 0);
    assert_string_equal(f.host, "::1");
    assert_string_equal(f.port, "14000");
    assert_non_null(strstr(f.written, "GET /3 HTTP/1.1\r\nHost: [::1]:14000\r\n"));
    assert_int_equal(http_request(&c, "GET", "https://b.example/4", NULL, NULL, 0, &r), 0);
    assert_string_equal(f.host, "b.example");
    assert_int_equal(f.opens, 4);
    assert_int_equal(f.closes, 3);
    http_client_close(&c);
    assert_int_equal(f.closes, 4);
}

static void test_body_limit(void **state)
{
    static char big[CONFIG_HTTP_BODY_MAX + 200];
    static char exact[CONFIG_HTTP_BODY_MAX + 200];
    size_t n;
    (void)state;
    n = (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
                         CONFIG_HTTP_BODY_MAX + 1);
    ft_conn(&f);
    ft_bytes(&f, big, n);
    assert_int_equal(http_request(&c, "GET", "https://h/big", NULL, NULL, 0, &r), -1);
    assert_err("GET https://h/big: HTTP: response body exceeds the limit of");
    assert_err("(CONFIG_HTTP_BODY_MAX)");
    assert_int_equal(err_status(), ACME_ETEMP); /* the server's fault, not a local one */

    setup(NULL);
    n = (size_t)snprintf(exact, sizeof exact, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
                         CONFIG_HTTP_BODY_MAX);
    memset(exact + n, 'q', CONFIG_HTTP_BODY_MAX);
    f.chunk = 1000;
    ft_conn(&f);
    ft_bytes(&f, exact, n + CONFIG_HTTP_BODY_MAX);
    assert_int_equal(http_request(&c, "GET", "https://h/exact", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.body_len, CONFIG_HTTP_BODY_MAX);
    assert_int_equal(strlen(r.body), CONFIG_HTTP_BODY_MAX);
}

static void test_header_extraction(void **state)
{
    static const char resp[] =
        "HTTP/1.1 429 Too Many Requests\r\n"
        "Replay-Nonce: oFvnlFP1wIhRlYS2jTaXbA\r\n"
        "Location: /acme/order/7\r\n"
        "Retry-After: Sun, 06 Nov 1994 09:49:37 GMT\r\n"
        "Link: <https://ca.example/directory>;rel=\"index\"\r\n"
        "Link: </acme/cert/1/1>;rel=\"alternate\", <https://ca.example/acme/cert/1/2>; "
        "rel=alternate\r\n"
        "Content-Type: application/problem+json\r\n"
        "Content-Length: 2\r\n\r\n{}";
    static const char delta[] = "HTTP/1.1 503 x\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n";
    (void)state;
    f.chunk = 7;
    ft_conn(&f);
    ft_data(&f, resp);
    ft_data(&f, delta);
    assert_int_equal(http_request(&c, "GET", "https://ca.example:14000/x", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 429);
    assert_string_equal(r.nonce, "oFvnlFP1wIhRlYS2jTaXbA");
    assert_string_equal(r.location, "https://ca.example:14000/acme/order/7");
    assert_int_equal(r.retry_after, 3600);
    assert_string_equal(r.content_type, "application/problem+json");
    assert_int_equal(r.nlinks, 3);
    assert_string_equal(http_link(&r, "index"), "https://ca.example/directory");
    assert_string_equal(r.links[1].url, "https://ca.example:14000/acme/cert/1/1");
    assert_string_equal(r.links[2].url, "https://ca.example/acme/cert/1/2");
    assert_int_equal(http_request(&c, "GET", "https://ca.example:14000/y", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.retry_after, 30);
    assert_string_equal(r.nonce, "");
    assert_string_equal(r.location, "");
    assert_int_equal(r.nlinks, 0);
}

/* The fake's resets, reported the way platform/net.c reports a read timeout: not a dropped
 * connection (the message keeps the word "reset": only transport_dropped tells them apart). */
static long (*plain_read)(struct transport *, void *, size_t);
static long timeout_read(struct transport *t, void *buf, size_t n)
{
    long r = plain_read(t, buf, n);
    if (r < 0 && strstr(err_msg(), "reset") != NULL) {
        err_set(ACME_ETEMP, "TLS read: reading from h port 443 (reset): timed out after 5 s");
        transport_dropped = 0;
    }
    return r;
}

static void test_timeout_on_reused_connection_no_resend(void **state)
{
    (void)state;
    plain_read = f.t.read;
    f.t.read = timeout_read;
    ft_conn(&f);
    ft_data(&f, ok_a);
    ft_reset(&f); /* a stall: the read times out */
    ft_conn(&f);  /* must stay unused */
    ft_data(&f, ok_b);
    assert_int_equal(http_request(&c, "GET", "https://h/a", NULL, NULL, 0, &r), 0);
    assert_int_equal(http_request(&c, "POST", "https://h/b", "t/p", "x", 1, &r), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_err("POST https://h/b: ");
    assert_err("timed out after 5 s");
    assert_int_equal(f.opens, 1);
    assert_int_equal(ft_count(&f, "POST /b"), 1);
    /* the next request gets a new connection */
    assert_int_equal(http_request(&c, "GET", "https://h/c", NULL, NULL, 0, &r), 0);
    assert_string_equal(r.body, "b");
    assert_int_equal(f.opens, 2);
}

static void test_bad_calls(void **state)
{
    (void)state;
    assert_int_equal(http_request(&c, "PUT", "https://h/", NULL, NULL, 0, &r), -1);
    assert_int_equal(http_request(&c, "GET", "https://h/", NULL, "x", 1, &r), -1);
    assert_int_equal(http_request(&c, "POST", "https://h/", "a\r\nX: y", "x", 1, &r), -1);
    assert_err("line break in Content-Type");
    assert_int_equal(http_request(&c, "GET", "ftp://h/", NULL, NULL, 0, &r), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(f.opens, 0);
}

static void test_trailing_garbage_drops_connection(void **state)
{
    static const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\n";
    (void)state;
    ft_conn(&f);
    ft_data(&f, two);
    ft_conn(&f);
    ft_data(&f, ok_b);
    assert_int_equal(http_request(&c, "GET", "https://h/a", NULL, NULL, 0, &r), 0);
    assert_string_equal(r.body, "a");
    assert_int_equal(c.connected, 0);
    assert_int_equal(http_request(&c, "GET", "https://h/b", NULL, NULL, 0, &r), 0);
    assert_string_equal(r.body, "b");
    assert_int_equal(f.opens, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_keep_alive_reuse, setup),
        cmocka_unit_test_setup(test_piece_sizes, setup),
        cmocka_unit_test_setup(test_idle_close_reconnects, setup),
        cmocka_unit_test_setup(test_close_mid_response_no_resend, setup),
        cmocka_unit_test_setup(test_fresh_connection_no_retry, setup),
        cmocka_unit_test_setup(test_connection_close_and_hosts, setup),
        cmocka_unit_test_setup(test_body_limit, setup),
        cmocka_unit_test_setup(test_header_extraction, setup),
        cmocka_unit_test_setup(test_timeout_on_reused_connection_no_resend, setup),
        cmocka_unit_test_setup(test_bad_calls, setup),
        cmocka_unit_test_setup(test_trailing_garbage_drops_connection, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
