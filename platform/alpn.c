/* The TLS-ALPN-01 responder's process: bind in the caller, serve from a forked child that
 * handles one connection at a time (a validation is a single short handshake), each bounded
 * by ALPN_CONN_TIMEOUT seconds (see core/alpn.h). */
#include "../core/alpn.h"
#include "../core/build_config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../core/err.h"
#include "../core/http01.h"
#include "../core/log.h"
#include "../core/sys.h"
#include "listener.h"

#if defined(CONFIG_TLSALPN01_RESPONDER)

#define ALPN_CONN_TIMEOUT 10

static struct listener responder = LISTENER_INIT("tls-alpn-01 responder", "TLS-ALPN-01 responder");

static long fd_read(void *ctx, unsigned char *buf, size_t n)
{
    ssize_t r;
    do
        r = recv(*(int *)ctx, buf, n, 0);
    while (r < 0 && errno == EINTR);
    return (long)r;
}

static long fd_write(void *ctx, const unsigned char *buf, size_t n)
{
    ssize_t r;
    do
        r = send(*(int *)ctx, buf, n, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    return (long)r;
}

/* What the child serves. */
struct serve_args {
    const struct alpn_cert *certs;
    size_t n;
    const struct crypto_key *key;
    int timeout;
};

static void serve(int lfd, void *ctx)
{
    const struct serve_args *sa = ctx;
    int64_t end = sys_monotonic_ms() + (int64_t)sa->timeout * 1000;
    struct timeval tv = {ALPN_CONN_TIMEOUT, 0};
    while (sys_monotonic_ms() < end) {
        struct pollfd pfd = {lfd, POLLIN, 0};
        struct alpn_io io;
        uint8_t seed[32];
        const char *name;
        int cfd, r;
        if (poll(&pfd, 1, 1000) <= 0) continue;
        cfd = accept(lfd, NULL, NULL);
        if (cfd < 0) continue;
        setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        io.read = fd_read;
        io.write = fd_write;
        io.ctx = &cfd;
        if (sys_entropy(seed, sizeof seed) < 0) _exit(1);
        r = alpn_serve(&io, sa->certs, sa->n, sa->key, seed, &name);
        log_vv("%s: %s%s", responder.name,
               r == 1 ? "served " : "refused a connection: ", r == 1 ? name : err_msg());
        memset(seed, 0, sizeof seed);
        close(cfd);
    }
}

/* Binds listen: the socket, or -1 with the error set. */
static int bind_listen(const char *listen)
{
    char host[INET6_ADDRSTRLEN];
    unsigned port;
    const char *step;
    int fd, e;

    if (http01_parse_listen(listen, host, sizeof host, &port) < 0)
        return err_set(ACME_ECONFIG,
                       "alpn_listen: '%s' is not ADDRESS:PORT, [IPV6]:PORT or :PORT with a "
                       "numeric address",
                       listen);
    fd = listener_open(&responder, host, port, 0, 16, &step);
    if (fd < 0) {
        e = errno;
        if (e == EADDRINUSE)
            return err_set(ACME_ETEMP,
                           "cannot listen on %s for TLS-ALPN-01: port %u is in use; stop the TLS "
                           "server there, set alpn_listen or use another challenge",
                           listen, port);
        return err_set(ACME_ELOCAL, "cannot listen on %s for TLS-ALPN-01: %s%s", listen,
                       sys_errtext(e), e == EACCES ? " (the port needs root)" : "");
    }
    return fd;
}

int alpn_bind(const char *listen)
{
    return listener_bind_ahead(&responder, listen, "alpn_listen", bind_listen);
}

int alpn_start(const char *listen, const struct alpn_cert *certs, size_t n,
               const struct crypto_key *key, int timeout)
{
    struct serve_args sa;

    if (responder.child > 0)
        return err_set(ACME_ELOCAL, "the %s is already running", responder.title);
    if (n == 0 || n > ALPN_MAX_NAMES)
        return err_set(ACME_ELOCAL, "%s: %zu names (1 to ALPN_MAX_NAMES=%d)", responder.title, n,
                       ALPN_MAX_NAMES);
    if (timeout <= 0 || timeout > 86400) timeout = timeout <= 0 ? 3600 : 86400;
    sa.certs = certs;
    sa.n = n;
    sa.key = key;
    sa.timeout = timeout;
    if (listener_start(&responder, listen, bind_listen, serve, &sa) < 0) return -1;
    log_v("%s listening on %s for %zu name(s)", responder.name, listen, n);
    return 0;
}

void alpn_stop(void)
{
    listener_stop(&responder);
}

unsigned alpn_port(void)
{
    return responder.port;
}

#else /* !CONFIG_TLSALPN01_RESPONDER */

int alpn_bind(const char *listen)
{
    (void)listen;
    return 0; /* alpn_start() reports that the responder is missing */
}

int alpn_start(const char *listen, const struct alpn_cert *certs, size_t n,
               const struct crypto_key *key, int timeout)
{
    (void)listen, (void)certs, (void)n, (void)key, (void)timeout;
    return err_set(ACME_ECONFIG, "this acme was built without the TLS-ALPN-01 responder "
                                 "(CONFIG_TLSALPN01_RESPONDER); use challenge = http-01 or "
                                 "dns-01");
}

void alpn_stop(void)
{
}

unsigned alpn_port(void)
{
    return 0;
}

#endif
