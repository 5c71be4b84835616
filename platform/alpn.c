/* The TLS-ALPN-01 responder's process: bind in the caller, serve from a forked child that
 * handles one connection at a time (a validation is a single short handshake), each bounded
 * by ALPN_CONN_TIMEOUT seconds (see core/alpn.h). */
#include "../core/alpn.h"
#include "../core/build_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "../core/err.h"
#include "../core/http01.h"
#include "../core/log.h"
#include "../core/sys.h"

#if defined(CONFIG_TLSALPN01_RESPONDER)

#define ALPN_CONN_TIMEOUT 10

static pid_t child_pid;
static unsigned bound_port;

static int open_listener(int family, const char *host, unsigned port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, one = 1, zero = 0;

    memset(&ss, 0, sizeof ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        s6->sin6_addr = in6addr_any;
        if (host[0] != '\0') inet_pton(AF_INET6, host, &s6->sin6_addr);
        sl = sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        s4->sin_addr.s_addr = htonl(INADDR_ANY);
        if (host[0] != '\0') inet_pton(AF_INET, host, &s4->sin_addr);
        sl = sizeof *s4;
    }
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6 && host[0] == '\0')
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero); /* dual-stack */
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

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

static void serve(int lfd, const struct alpn_cert *certs, size_t n, const struct crypto_key *key,
                  int timeout)
{
    time_t end = time(NULL) + timeout;
    struct timeval tv = {ALPN_CONN_TIMEOUT, 0};
    while (time(NULL) < end) {
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
        r = alpn_serve(&io, certs, n, key, seed, &name);
        if (r == 1)
            log_vv("tls-alpn-01 responder: served %s", name);
        else
            log_vv("tls-alpn-01 responder: refused a connection (no acme-tls/1 or unknown name)");
        memset(seed, 0, sizeof seed);
        close(cfd);
    }
}

static void child_setup(int lfd, pid_t parent)
{
    sigset_t none;
    long max, fd;
#if defined(__linux__)
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (getppid() != parent) _exit(0);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (fd = 3; fd < max; fd++)
        if (fd != lfd) close((int)fd);
}

/* A listener bound ahead of time by alpn_bind(): kept open for every later start. */
static int bound_fd = -1;
static char bound_listen[80];

/* Binds listen: the socket, or -1 with the error set. */
static int bind_listen(const char *listen)
{
    char host[INET6_ADDRSTRLEN];
    unsigned port;
    int fd, e;

    if (http01_parse_listen(listen, host, sizeof host, &port) < 0)
        return err_set(ACME_ECONFIG,
                       "alpn_listen: '%s' is not ADDRESS:PORT, [IPV6]:PORT or :PORT with a "
                       "numeric address",
                       listen);
    if (host[0] == '\0') {
        fd = open_listener(AF_INET6, host, port);
        if (fd < 0 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL || errno == EPROTONOSUPPORT))
            fd = open_listener(AF_INET, host, port);
    } else {
        fd = open_listener(strchr(host, ':') ? AF_INET6 : AF_INET, host, port);
    }
    if (fd < 0) {
        e = errno;
        if (e == EADDRINUSE)
            return err_set(ACME_ETEMP,
                           "cannot listen on %s for TLS-ALPN-01: port %u is in use (%s); stop "
                           "the TLS server there for the validation, set alpn_listen, or use "
                           "another challenge",
                           listen, port, strerror(e));
        return err_set(ACME_ELOCAL, "cannot listen on %s for TLS-ALPN-01: %s%s", listen,
                       strerror(e), e == EACCES ? " (the port needs root)" : "");
    }
    return fd;
}

int alpn_bind(const char *listen)
{
    int fd;
    if (bound_fd >= 0) return 0;
    if (strlen(listen) >= sizeof bound_listen)
        return err_set(ACME_ECONFIG, "alpn_listen: '%.80s...' is too long", listen);
    if ((fd = bind_listen(listen)) < 0) return -1;
    bound_fd = fd;
    strcpy(bound_listen, listen);
    log_v("tls-alpn-01 responder: bound %s ahead of time", listen);
    return 0;
}

int alpn_start(const char *listen, const struct alpn_cert *certs, size_t n,
               const struct crypto_key *key, int timeout)
{
    int fd, e, keep = 0;
    pid_t pid, parent;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;

    if (child_pid > 0) return err_set(ACME_ELOCAL, "the TLS-ALPN-01 responder is already running");
    if (n == 0 || n > ALPN_MAX_NAMES)
        return err_set(ACME_ELOCAL, "TLS-ALPN-01 responder: %zu names (1 to ALPN_MAX_NAMES=%d)", n,
                       ALPN_MAX_NAMES);
    if (timeout <= 0 || timeout > 86400) timeout = timeout <= 0 ? 3600 : 86400;
    if (bound_fd >= 0 && strcmp(listen, bound_listen) == 0) {
        fd = bound_fd;
        keep = 1;
    } else if ((fd = bind_listen(listen)) < 0) {
        return -1;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                    : ((struct sockaddr_in *)&ss)->sin_port);
    parent = getpid();
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        e = errno;
        if (!keep) close(fd);
        bound_port = 0;
        return err_set(ACME_ELOCAL, "cannot start the TLS-ALPN-01 responder: fork: %s",
                       strerror(e));
    }
    if (pid == 0) {
        child_setup(fd, parent);
        serve(fd, certs, n, key, timeout);
        _exit(0);
    }
    if (!keep) close(fd);
    child_pid = pid;
    log_v("tls-alpn-01 responder listening on %s for %zu name(s)", listen, n);
    return 0;
}

void alpn_stop(void)
{
    int status;
    if (child_pid <= 0) return;
    kill(child_pid, SIGTERM);
    while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
        ;
    log_v("tls-alpn-01 responder stopped");
    child_pid = 0;
    bound_port = 0;
}

unsigned alpn_port(void)
{
    return bound_port;
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
