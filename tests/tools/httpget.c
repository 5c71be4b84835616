/* httpget: GETs a URL N times over one http_client and the build's TLS transport, for
 * tests/integration/test_transport.sh.
 *
 *   httpget [-v] [-p] [-n N] [--ca FILE] [--timeout S] [--bind ADDR] URL
 *
 * Prints "request I: status S, body B bytes" per request (-p: then the body), and at the end
 * "handshakes=H requests=R". Exit 0 on success; otherwise prints the error and exits with its
 * status (core/err.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http_client.h"
#include "log.h"
#include "transport.h"

static struct http_client client; /* holds a CONFIG_HTTP_BODY_MAX body */
static struct http_response resp;

static int usage(void)
{
    fputs("usage: httpget [-v] [-p] [-n N] [--ca FILE] [--timeout S] [--bind ADDR] URL\n", stderr);
    return ACME_ECONFIG;
}

static int number(const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 1 || v > max) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    struct transport_opts o = {NULL, 30, NULL};
    struct transport *t;
    const char *url = NULL;
    long n = 1, v, i;
    int print = 0, a;

    for (a = 1; a < argc; a++) {
        const char *s = argv[a];
        if (strcmp(s, "-p") == 0) {
            print = 1;
        } else if (s[0] == '-' && s[1] == 'v' && strspn(s + 1, "v") == strlen(s + 1)) {
            log_verbosity += (int)strlen(s + 1);
        } else if (strcmp(s, "-n") == 0 && a + 1 < argc) {
            if (number(argv[++a], 100000, &n) != 0) return usage();
        } else if (strcmp(s, "--ca") == 0 && a + 1 < argc) {
            o.ca_file = argv[++a];
        } else if (strcmp(s, "--timeout") == 0 && a + 1 < argc) {
            if (number(argv[++a], 86400, &v) != 0) return usage();
            o.timeout = (int)v;
        } else if (strcmp(s, "--bind") == 0 && a + 1 < argc) {
            o.bind_address = argv[++a];
        } else if (s[0] != '-' && url == NULL) {
            url = s;
        } else {
            return usage();
        }
    }
    if (url == NULL) return usage();

    t = tls_transport(&o);
    http_client_init(&client, t);
    for (i = 1; i <= n; i++) {
        if (http_request(&client, "GET", url, NULL, NULL, 0, &resp) != 0) {
            fprintf(stderr, "httpget: error: %s\n", err_msg());
            printf("handshakes=%u requests=%ld\n", t->handshakes, i - 1);
            http_client_close(&client);
            return err_status() != 0 ? err_status() : 1;
        }
        printf("request %ld: status %d, body %zu bytes\n", i, resp.status, resp.body_len);
        if (print) {
            fwrite(resp.body, 1, resp.body_len, stdout);
            putchar('\n');
        }
        fflush(stdout);
    }
    printf("handshakes=%u requests=%ld\n", t->handshakes, n);
    http_client_close(&client);
    return 0;
}
