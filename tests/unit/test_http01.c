/* Unit tests: the built-in HTTP-01 responder (platform/http01.c) on loopback ports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "build_config.h"
#include "err.h"
#include "http01.h"

#define TOKEN1 "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define KEYAUTH1 TOKEN1 ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define TOKEN2 "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define KEYAUTH2 TOKEN2 ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"

static const struct http01_token tokens[] = {{TOKEN1, KEYAUTH1}, {TOKEN2, KEYAUTH2}};

static const char *body_of(const char *resp)
{
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? b + 4 : NULL;
}

#if defined(CONFIG_HTTP01_RESPONDER)

/* Connects to the responder over family's loopback address; -1 when that family is missing. */
static int dial(int family, unsigned port)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int rc;
    if (family == AF_INET6) {
        struct sockaddr_in6 s6;
        memset(&s6, 0, sizeof s6);
        s6.sin6_family = AF_INET6;
        s6.sin6_port = htons((uint16_t)port);
        s6.sin6_addr = in6addr_loopback;
        rc = connect(fd, (struct sockaddr *)&s6, sizeof s6);
    } else {
        struct sockaddr_in s4;
        memset(&s4, 0, sizeof s4);
        s4.sin_family = AF_INET;
        s4.sin_port = htons((uint16_t)port);
        s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rc = connect(fd, (struct sockaddr *)&s4, sizeof s4);
    }
    if (rc < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends req, reads the response until the server closes (at most 5 s); returns its length. */
static size_t exchange_on(int fd, const char *req, size_t reqlen, char *resp, size_t cap)
{
    size_t n = 0;
    assert_true(fd >= 0);
    if (reqlen > 0) assert_int_equal(send(fd, req, reqlen, MSG_NOSIGNAL), (ssize_t)reqlen);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        assert_int_equal(poll(&p, 1, 5000), 1);
        ssize_t r = recv(fd, resp + n, cap - 1 - n, 0);
        if (r < 0 && errno == ECONNRESET) break;
        assert_true(r >= 0);
        if (r == 0) break;
        n += (size_t)r;
        assert_true(n < cap - 1);
    }
    resp[n] = '\0';
    close(fd);
    return n;
}

static size_t exchange(const char *req, char *resp, size_t cap)
{
    return exchange_on(dial(AF_INET, http01_port()), req, strlen(req), resp, cap);
}

static int status_of(const char *resp)
{
    int s = 0;
    if (sscanf(resp, "HTTP/1.1 %d ", &s) != 1) return -1;
    return s;
}

static int start_loopback(void **state)
{
    (void)state;
    if (http01_start("127.0.0.1:0", tokens, 2, 60) < 0) {
        fprintf(stderr, "http01_start: %s\n", err_msg());
        return -1;
    }
    return 0;
}

static int stop(void **state)
{
    (void)state;
    http01_stop();
    return 0;
}

static void test_serves_tokens(void **state)
{
    (void)state;
    static char resp[4096];
    assert_true(http01_port() > 0);

    exchange("GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: router.test\r\n"
             "User-Agent: test\r\nAccept: */*\r\n\r\n",
             resp, sizeof resp);
    assert_int_equal(status_of(resp), 200);
    assert_non_null(strstr(resp, "\r\nContent-Type: text/plain\r\n"));
    assert_non_null(strstr(resp, "\r\nConnection: close\r\n"));
    assert_non_null(strstr(resp, "\r\nContent-Length: 87\r\n"));
    assert_string_equal(body_of(resp), KEYAUTH1);

    /* the other token; HTTP/1.0 without Host; bare LF line ends */
    exchange("GET /.well-known/acme-challenge/" TOKEN2 " HTTP/1.0\n\n", resp, sizeof resp);
    assert_int_equal(status_of(resp), 200);
    assert_string_equal(body_of(resp), KEYAUTH2);

    /* HEAD: the same headers, no body */
    exchange("HEAD /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", resp,
             sizeof resp);
    assert_int_equal(status_of(resp), 200);
    assert_non_null(strstr(resp, "\r\nContent-Length: 87\r\n"));
    assert_string_equal(body_of(resp), "");

    /* a request arriving one byte at a time */
    const char *req = "GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n";
    int fd = dial(AF_INET, http01_port());
    assert_true(fd >= 0);
    for (size_t i = 0; req[i + 1] != '\0'; i++)
        assert_int_equal(send(fd, req + i, 1, MSG_NOSIGNAL), 1);
    exchange_on(fd, req + strlen(req) - 1, 1, resp, sizeof resp);
    assert_int_equal(status_of(resp), 200);
    assert_string_equal(body_of(resp), KEYAUTH1);
}

static void test_not_found(void **state)
{
    (void)state;
    static char resp[4096];
    static const char *const paths[] = {
        "/.well-known/acme-challenge/unknown-token",
        "/.well-known/acme-challenge/",
        ("/.well-known/acme-challenge/" TOKEN1 "x"),
        ("/.well-known/acme-challenge/" TOKEN1 "?x=1"),
        ("/.well-known/acme-challenge/" TOKEN1 "/"),
        ("/" TOKEN1),
        "/",
        "/.well-known/acme-challenge",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char req[512];
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", paths[i]);
        exchange(req, resp, sizeof resp);
        if (status_of(resp) != 404) fail_msg("%s: expected 404, got: %.80s", paths[i], resp);
        assert_null(strstr(resp, KEYAUTH1));
    }
}

static void test_rejects_bad_requests(void **state)
{
    (void)state;
    static char resp[8192], req[8192];
    static const struct {
        const char *req;
        int status;
    } cases[] = {
        {"GET /.well-known/acme-challenge/../acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n",
         400},
        {"GET /.well-known/acme-challenge/%2e%2e/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET /.well-known/acme-challenge/%4C" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET /.well-known/./acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET /.well-known/acme-challenge/..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"POST /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", 405},
        {"PUT /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", 405},
        {"BREW /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", 405},
        {"BREWINGCOFFEE /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", 405},
        {"GET /.well-known/acme-challenge/" TOKEN1
         " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
         400},
        {"GET /.well-known/acme-challenge/" TOKEN1 " HTTP/2.0\r\nHost: a\r\n\r\n", 400},
        {"GET /.well-known/acme-challenge/" TOKEN1 "\r\n\r\n", 400},
        {"GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\n\r\n", 400}, /* no Host */
        {"\x16\x03\x01\x02\x01\xfc\x03\x03 garbage\r\n\r\n", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        exchange(cases[i].req, resp, sizeof resp);
        if (status_of(resp) != cases[i].status)
            fail_msg("case %zu: expected %d, got: %.80s", i, cases[i].status, resp);
        assert_null(strstr(resp, KEYAUTH1));
    }
    exchange("POST / HTTP/1.1\r\nHost: a\r\n\r\n", resp, sizeof resp);
    assert_non_null(strstr(resp, "\r\nAllow: GET, HEAD\r\n"));

    /* an absurdly long request line is refused without waiting for its end */
    memcpy(req, "GET /", 5);
    memset(req + 5, 'a', sizeof req - 6);
    req[sizeof req - 1] = '\0';
    int fd = dial(AF_INET, http01_port());
    exchange_on(fd, req, strlen(req), resp, sizeof resp);
    assert_int_equal(status_of(resp), 414);

    /* so are too many header lines */
    struct buf b;
    buf_init(&b, req, sizeof req);
    buf_puts(&b, "GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n");
    for (int k = 0; k < 60; k++)
        buf_printf(&b, "X-H%d: v\r\n", k);
    buf_puts(&b, "\r\n");
    assert_non_null(buf_cstr(&b));
    exchange(req, resp, sizeof resp);
    assert_int_equal(status_of(resp), 431);
}

/* A client that connects and says nothing does not stop others from being served. */
static void test_idle_client_does_not_block(void **state)
{
    (void)state;
    static char resp[4096];
    int idle = dial(AF_INET, http01_port());
    assert_true(idle >= 0);
    exchange("GET /.well-known/acme-challenge/" TOKEN2 " HTTP/1.1\r\nHost: a\r\n\r\n", resp,
             sizeof resp);
    assert_int_equal(status_of(resp), 200);
    /* a client that closes mid-request is just dropped */
    int gone = dial(AF_INET, http01_port());
    assert_int_equal(send(gone, "GET /.well", 10, MSG_NOSIGNAL), 10);
    close(gone);
    exchange("GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", resp,
             sizeof resp);
    assert_int_equal(status_of(resp), 200);
    close(idle);
}

static void test_port_in_use(void **state)
{
    (void)state;
    char listen_on[64];
    unsigned port = http01_port();
    /* the running responder holds the port: a second bind (as by another program) fails */
    http01_stop();
    assert_int_equal(http01_port(), 0);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in s4;
    socklen_t sl = sizeof s4;
    memset(&s4, 0, sizeof s4);
    s4.sin_family = AF_INET;
    s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&s4, sizeof s4), 0);
    assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&s4, &sl), 0);
    port = ntohs(s4.sin_port);

    snprintf(listen_on, sizeof listen_on, "127.0.0.1:%u", port);
    assert_int_equal(http01_start(listen_on, tokens, 2, 60), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    char want[64];
    snprintf(want, sizeof want, "port %u is in use", port);
    assert_non_null(strstr(err_msg(), want));
    assert_non_null(strstr(err_msg(), "webroot"));
    assert_non_null(strstr(err_msg(), "http_listen"));
    assert_int_equal(http01_port(), 0);
    http01_stop(); /* nothing runs: harmless */

    /* the wildcard form on the same port is refused too (dual-stack covers 127.0.0.1) */
    snprintf(listen_on, sizeof listen_on, ":%u", port);
    assert_int_equal(http01_start(listen_on, tokens, 2, 60), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    close(fd);

    /* once free, the same port works, and stopping twice is fine */
    snprintf(listen_on, sizeof listen_on, "127.0.0.1:%u", port);
    assert_int_equal(http01_start(listen_on, tokens, 2, 60), 0);
    assert_int_equal(http01_port(), port);
    assert_int_equal(http01_start(listen_on, tokens, 2, 60), -1); /* one at a time */
    http01_stop();
    http01_stop();
    assert_int_equal(http01_port(), 0);
    /* after stop, nothing answers there */
    assert_int_equal(dial(AF_INET, port), -1);
}

static void test_dual_stack_wildcard(void **state)
{
    (void)state;
    static char resp[4096];
    const char *req = "GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_int_equal(http01_start(":0", tokens, 1, 60), 0);
    unsigned port = http01_port();
    assert_true(port > 0);
    exchange_on(dial(AF_INET, port), req, strlen(req), resp, sizeof resp);
    assert_int_equal(status_of(resp), 200);
    int fd6 = dial(AF_INET6, port);
    if (fd6 >= 0) { /* IPv6 present: the same socket answers both */
        exchange_on(fd6, req, strlen(req), resp, sizeof resp);
        assert_int_equal(status_of(resp), 200);
        assert_string_equal(body_of(resp), KEYAUTH1);
    }
    http01_stop();
}

static void test_child_lifetime(void **state)
{
    (void)state;
    /* the child exits on its own after `timeout` seconds */
    assert_int_equal(http01_start("127.0.0.1:0", tokens, 1, 1), 0);
    unsigned port = http01_port();
    int fd = -1;
    for (int i = 0; i < 60; i++) {
        fd = dial(AF_INET, port);
        if (fd < 0) break;
        close(fd);
        usleep(100000);
    }
    assert_int_equal(fd, -1);
    http01_stop(); /* reaps it */
}

static void test_bad_start_arguments(void **state)
{
    (void)state;
    static const struct http01_token bad_token[] = {{"../../etc/passwd", "x"}};
    static const struct http01_token empty_token[] = {{"", "x"}};
    assert_int_equal(http01_start("127.0.0.1:0", bad_token, 1, 5), -1);
    assert_int_equal(err_status(), ACME_EREFUSED);
    assert_int_equal(http01_start("127.0.0.1:0", empty_token, 1, 5), -1);
    assert_int_equal(http01_start("localhost:80", tokens, 1, 5), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "localhost:80"));
    assert_int_equal(http01_port(), 0);
}

#else

static void test_disabled(void **state)
{
    (void)state;
    assert_int_equal(http01_start("127.0.0.1:0", tokens, 2, 60), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "webroot"));
    http01_stop();
    assert_int_equal(http01_port(), 0);
}

#endif

static void test_parse_listen(void **state)
{
    (void)state;
    char host[64];
    unsigned port;
    static const struct {
        const char *in, *host;
        unsigned port;
    } good[] = {
        {"[::]:80", "", 80},
        {":80", "", 80},
        {"*:8080", "", 8080},
        {"0.0.0.0:5002", "0.0.0.0", 5002},
        {"127.0.0.1:0", "127.0.0.1", 0},
        {"[::1]:65535", "::1", 65535},
        {"[fe80::1]:1", "fe80::1", 1},
    };
    static const char *const bad[] = {
        "80", "::1:80",         "[::1]80", "[::1]:", "host:80", "1.2.3.4:65536", "1.2.3:80",
        ":",  "[127.0.0.1]:80", ":8O",     "",       ":-1",     "[*]:80",        "[]:80"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (http01_parse_listen(good[i].in, host, sizeof host, &port) != 0)
            fail_msg("%s: %s", good[i].in, err_msg());
        assert_string_equal(host, good[i].host);
        assert_int_equal(port, good[i].port);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (http01_parse_listen(bad[i], host, sizeof host, &port) != -1)
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(err_status(), ACME_ECONFIG);
    }
}

static void test_answer_pure(void **state)
{
    (void)state;
    unsigned char mem[1024], tiny[32];
    struct buf out;
    const char *req = "GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n";

    buf_init(&out, mem, sizeof mem);
    assert_int_equal(http01_answer(req, strlen(req), tokens, 2, &out), 200);
    assert_non_null(buf_cstr(&out));
    assert_string_equal(body_of((const char *)mem), KEYAUTH1);
    /* no tokens at all: 404 */
    buf_init(&out, mem, sizeof mem);
    assert_int_equal(http01_answer(req, strlen(req), tokens, 0, &out), 404);
    /* absolute-form target */
    const char *abs =
        "GET http://router.test/.well-known/acme-challenge/" TOKEN2 " HTTP/1.1\r\nHost: x\r\n\r\n";
    buf_init(&out, mem, sizeof mem);
    assert_int_equal(http01_answer(abs, strlen(abs), tokens, 2, &out), 200);
    /* an incomplete head */
    buf_init(&out, mem, sizeof mem);
    assert_int_equal(http01_answer(req, 20, tokens, 2, &out), 400);
    /* a response that does not fit is an error, not a cut */
    buf_init(&out, tiny, sizeof tiny);
    assert_int_equal(http01_answer(req, strlen(req), tokens, 2, &out), -1);
    assert_non_null(strstr(err_msg(), "HTTP-01 response"));
}

/* Clients holding every slot: each new connection closes the oldest idle one, and a real
 * request still gets its answer. */
static void test_cap_evicts_idle(void **state)
{
    (void)state;
    static char resp[4096];
    static int idle[3 * CONFIG_HTTP01_MAX_CONNS];
    size_t i, n = sizeof idle / sizeof idle[0];
    for (i = 0; i < n; i++) {
        idle[i] = dial(AF_INET, http01_port());
        assert_true(idle[i] >= 0);
    }
    exchange("GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", resp,
             sizeof resp);
    assert_int_equal(status_of(resp), 200);
    assert_non_null(strstr(resp, KEYAUTH1));
    /* the first one was evicted: the server closed it without an answer */
    struct pollfd p = {idle[0], POLLIN, 0};
    assert_int_equal(poll(&p, 1, 5000), 1);
    char c;
    ssize_t r = recv(idle[0], &c, 1, 0);
    assert_true(r == 0 || (r < 0 && errno == ECONNRESET));
    for (i = 0; i < n; i++)
        close(idle[i]);
}

/* http01_bind() before start (config `user`): the socket bound early serves, and survives a
 * stop for the next start. Runs last: the bound socket stays for the process's life. */
static void test_bound_ahead(void **state)
{
    (void)state;
    static char resp[4096];
    assert_int_equal(http01_bind("127.0.0.1:0"), 0);
    assert_int_equal(http01_start("127.0.0.1:0", tokens, 2, 60), 0);
    unsigned port = http01_port();
    assert_true(port != 0);
    exchange("GET /.well-known/acme-challenge/" TOKEN2 " HTTP/1.1\r\nHost: a\r\n\r\n", resp,
             sizeof resp);
    assert_int_equal(status_of(resp), 200);
    http01_stop();
    assert_int_equal(http01_start("127.0.0.1:0", tokens, 1, 60), 0);
    assert_int_equal(http01_port(), port);
    exchange("GET /.well-known/acme-challenge/" TOKEN1 " HTTP/1.1\r\nHost: a\r\n\r\n", resp,
             sizeof resp);
    assert_int_equal(status_of(resp), 200);
    http01_stop();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_listen),
        cmocka_unit_test(test_answer_pure),
#if defined(CONFIG_HTTP01_RESPONDER)
        cmocka_unit_test_setup_teardown(test_serves_tokens, start_loopback, stop),
        cmocka_unit_test_setup_teardown(test_not_found, start_loopback, stop),
        cmocka_unit_test_setup_teardown(test_rejects_bad_requests, start_loopback, stop),
        cmocka_unit_test_setup_teardown(test_idle_client_does_not_block, start_loopback, stop),
        cmocka_unit_test_setup_teardown(test_port_in_use, start_loopback, stop),
        cmocka_unit_test(test_dual_stack_wildcard),
        cmocka_unit_test(test_child_lifetime),
        cmocka_unit_test(test_bad_start_arguments),
        cmocka_unit_test_setup_teardown(test_cap_evicts_idle, start_loopback, stop),
        cmocka_unit_test(test_bound_ahead),
#else
        cmocka_unit_test(test_disabled),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
