/* Unit tests: platform/net.c (no_proxy matching, proxy selection from the environment, TCP
 * connect/read/write with timeouts on loopback). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "../../platform/net.h"

static void clear_env(void)
{
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
}

static void test_no_proxy_match(void **state)
{
    (void)state;
    assert_int_equal(net_no_proxy_match(NULL, "a.example"), 0);
    assert_int_equal(net_no_proxy_match("", "a.example"), 0);
    assert_int_equal(net_no_proxy_match("*", "a.example"), 1);
    assert_int_equal(net_no_proxy_match("example", "a.example"), 1);
    assert_int_equal(net_no_proxy_match("a.example", "a.example"), 1);
    assert_int_equal(net_no_proxy_match("A.Example", "a.example"), 1);
    assert_int_equal(net_no_proxy_match(".example", "a.example"), 1);
    assert_int_equal(net_no_proxy_match("*.example", "x.a.example"), 1);
    assert_int_equal(net_no_proxy_match("xample", "a.example"), 0); /* label boundary */
    assert_int_equal(net_no_proxy_match("b.example", "a.example"), 0);
    assert_int_equal(net_no_proxy_match("foo, bar ,a.example", "a.example"), 1);
    assert_int_equal(net_no_proxy_match("foo,,bar", "a.example"), 0);
    assert_int_equal(net_no_proxy_match("foo *", "a.example"), 1);
    assert_int_equal(net_no_proxy_match("127.0.0.1", "127.0.0.1"), 1);
    assert_int_equal(net_no_proxy_match("0.0.1", "127.0.0.1"), 0); /* IPs only match whole */
    assert_int_equal(net_no_proxy_match("[::1]", "::1"), 1);
    assert_int_equal(net_no_proxy_match("::1", "::1"), 1);
    assert_int_equal(net_no_proxy_match("a.example.org", "example.org"), 0);
}

static void test_proxy_for(void **state)
{
    char h[256], p[8];
    (void)state;

    clear_env();
    assert_int_equal(net_proxy_for("ca.example", h, sizeof h, p, sizeof p), 0);

    setenv("https_proxy", "http://Proxy.Example:3128/", 1);
    assert_int_equal(net_proxy_for("ca.example", h, sizeof h, p, sizeof p), 1);
    assert_string_equal(h, "proxy.example");
    assert_string_equal(p, "3128");

    setenv("no_proxy", "other.example, ca.example", 1);
    assert_int_equal(net_proxy_for("ca.example", h, sizeof h, p, sizeof p), 0);
    assert_int_equal(net_proxy_for("x.other.example", h, sizeof h, p, sizeof p), 0);
    assert_int_equal(net_proxy_for("ca2.example", h, sizeof h, p, sizeof p), 1);
    unsetenv("no_proxy");
    setenv("NO_PROXY", "*", 1);
    assert_int_equal(net_proxy_for("ca2.example", h, sizeof h, p, sizeof p), 0);
    unsetenv("NO_PROXY");

    /* upper case variable, no scheme, default port */
    unsetenv("https_proxy");
    setenv("HTTPS_PROXY", "10.0.0.1:8080", 1);
    assert_int_equal(net_proxy_for("ca.example", h, sizeof h, p, sizeof p), 1);
    assert_string_equal(h, "10.0.0.1");
    assert_string_equal(p, "8080");
    setenv("HTTPS_PROXY", "http://[fd00::1]", 1);
    assert_int_equal(net_proxy_for("ca.example", h, sizeof h, p, sizeof p), 1);
    assert_string_equal(h, "fd00::1");
    assert_string_equal(p, "80");

    /* an empty https_proxy falls through to HTTPS_PROXY */
    setenv("https_proxy", "", 1);
    assert_int_equal(net_proxy_for("ca.example", h, sizeof h, p, sizeof p), 1);

    setenv("https_proxy", "https://proxy.example:443", 1);
    assert_int_equal(net_proxy_for("ca.example", h, sizeof h, p, sizeof p), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "only http:// proxies"));

    setenv("https_proxy", "http://user:pw@proxy.example:3128", 1);
    assert_int_equal(net_proxy_for("ca.example", h, sizeof h, p, sizeof p), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "https_proxy"));
    clear_env();
}

/* A listening loopback socket; its port as text in port. */
static int listener(char *port, size_t cap)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    snprintf(port, cap, "%u", (unsigned)ntohs(a.sin_port));
    return fd;
}

static void test_connect_read_write_timeout(void **state)
{
    struct net_conn c;
    char port[8], buf[16];
    int l, s;
    time_t t0;
    (void)state;

    clear_env();
    l = listener(port, sizeof port);
    assert_int_equal(net_connect(&c, "127.0.0.1", port, 1, NULL), 0);
    s = accept(l, NULL, NULL);
    assert_true(s >= 0);
    assert_int_equal(net_write(&c, "ping", 4), 0);
    assert_int_equal(read(s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(write(s, "pong!", 5), 5);
    assert_int_equal(net_read(&c, buf, sizeof buf), 5);
    assert_memory_equal(buf, "pong!", 5);

    t0 = time(NULL);
    assert_int_equal(net_read(&c, buf, sizeof buf), -1); /* the peer says nothing */
    assert_true(time(NULL) - t0 <= 3);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_non_null(strstr(err_msg(), "reading from 127.0.0.1 port"));
    assert_non_null(strstr(err_msg(), "timed out after 1 s"));

    close(s);
    assert_int_equal(net_read(&c, buf, sizeof buf), 0); /* end of file */
    net_close(&c);
    assert_int_equal(c.fd, -1);
    net_close(&c); /* twice is harmless */
    close(l);
}

static void test_connect_errors(void **state)
{
    struct net_conn c;
    char port[8];
    int l;
    (void)state;

    clear_env();
    l = listener(port, sizeof port);
    close(l); /* nothing listens there now */
    assert_int_equal(net_connect(&c, "127.0.0.1", port, 2, NULL), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_non_null(strstr(err_msg(), "cannot connect to 127.0.0.1 port"));
    assert_non_null(strstr(err_msg(), "Connection refused"));

    assert_int_equal(net_connect(&c, "127.0.0.1", port, 2, "::1"), -1);
    assert_non_null(strstr(err_msg(), "no IPv6 address to use with bind_address ::1"));

    assert_int_equal(net_connect(&c, "127.0.0.1", port, 2, "bad address/x"), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "bind_address"));

    assert_int_equal(net_connect(&c, "127.0.0.1", "99999", 2, NULL), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_non_null(strstr(err_msg(), "bad port '99999'"));
    assert_int_equal(net_connect(&c, "127.0.0.1", "https", 2, NULL), -1);
    assert_non_null(strstr(err_msg(), "bad port 'https'"));
}

/* A listener whose accept queue is full drops further SYNs (Linux), so a connect to it hangs
 * until the per-address timeout. */
static void test_connect_timeout(void **state)
{
    struct net_conn c;
    struct sockaddr_in a;
    char port[8];
    int l, fill[4], i, r;
    time_t t0;
    (void)state;

    clear_env();
    l = listener(port, sizeof port);
    assert_int_equal(listen(l, 0), 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)atoi(port));
    for (i = 0; i < 4; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assert_true(fill[i] >= 0);
        r = connect(fill[i], (struct sockaddr *)&a, sizeof a);
        assert_true(r == 0 || errno == EINPROGRESS);
    }
    usleep(200000);
    t0 = time(NULL);
    r = net_connect(&c, "127.0.0.1", port, 1, NULL);
    if (r == 0) { /* a kernel that queued it after all: nothing to check here */
        net_close(&c);
    } else {
        assert_true(time(NULL) - t0 <= 3);
        assert_int_equal(err_status(), ACME_ETEMP);
        assert_non_null(strstr(err_msg(), "127.0.0.1: timed out after 1 s"));
    }
    for (i = 0; i < 4; i++)
        close(fill[i]);
    close(l);
}

/* Bytes the proxy sends right after its CONNECT reply belong to the tunnelled stream: the
 * first net_read() returns them (fork: the proxy answers while net_connect() waits). */
static void test_proxy_tunnel_pending(void **state)
{
    static const char reply[] = "HTTP/1.1 200 Connection established\r\n\r\nHELLO";
    struct net_conn c;
    char port[8], proxy[64], buf[600];
    int l, s, st;
    pid_t pid;
    (void)state;

    clear_env();
    l = listener(port, sizeof port);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        s = accept(l, NULL, NULL);
        /* the whole request head arrives in one write on loopback */
        if (s < 0 || read(s, buf, sizeof buf) <= 0 ||
            strncmp(buf, "CONNECT ca.example:443 HTTP/1.1\r\n", 33) != 0 ||
            write(s, reply, sizeof reply - 1) != (ssize_t)sizeof reply - 1)
            _exit(1);
        (void)read(s, buf, sizeof buf); /* until the client closes */
        _exit(0);
    }
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%s", port);
    setenv("https_proxy", proxy, 1);
    assert_int_equal(net_connect(&c, "ca.example", "443", 2, NULL), 0);
    assert_int_equal(net_read(&c, buf, sizeof buf), 5);
    assert_memory_equal(buf, "HELLO", 5);
    net_close(&c);
    close(l);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    clear_env();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_proxy_match),
        cmocka_unit_test(test_proxy_for),
        cmocka_unit_test(test_connect_read_write_timeout),
        cmocka_unit_test(test_connect_errors),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test(test_proxy_tunnel_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
