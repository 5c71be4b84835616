/* A listening TCP socket and the forked child that serves it (see listener.h). */
#include "listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "../core/err.h"
#include "../core/ipaddr.h"
#include "closefds.h"
#include "../core/log.h"
#include "../core/sys.h"
#include "resolve.h"

/* socket + options + bind + listen for one address family (host: a literal of that family,
 * checked by the caller, or "" for the wildcard). */
static int open_family(int family, const char *host, unsigned port, int type_flags, int backlog,
                       const char **step)
{
    struct dns_addr ip;
    struct resolve_addr ra;
    int fd, one = 1, zero = 0;

    memset(&ip, 0, sizeof ip);
    ip.len = family == AF_INET6 ? 16 : 4;
    ipaddr_parse(host, strlen(host), ip.a);
    resolve_sockaddr(&ip, (uint16_t)port, &ra);
    *step = "socket";
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | type_flags, 0);
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6 && host[0] == '\0')
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero); /* dual-stack */
    *step = "bind";
    if (bind(fd, (struct sockaddr *)&ra.sa, ra.len) < 0) goto fail;
    *step = "listen";
    if (listen(fd, backlog) < 0) goto fail;
    return fd;
fail:;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

int listener_open(const struct listener *l, const char *host, unsigned port, int type_flags,
                  int backlog, const char **step)
{
    int fd;

    if (host[0] != '\0')
        return open_family(strchr(host, ':') ? AF_INET6 : AF_INET, host, port, type_flags, backlog,
                           step);
    fd = open_family(AF_INET6, host, port, type_flags, backlog, step);
    /* No IPv6 in this kernel or on this system: the IPv4 wildcard serves alone. */
    if (fd < 0 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL || errno == EPROTONOSUPPORT)) {
        log_v("%s: no IPv6 (%s), listening on 0.0.0.0:%u", l->name, sys_errtext(errno), port);
        fd = open_family(AF_INET, host, port, type_flags, backlog, step);
    }
    return fd;
}

/* The local port of a bound socket, 0 when unknown. */
static unsigned local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) return 0;
    /* sin_port and sin6_port are at the same place */
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int listener_bind_ahead(struct listener *l, const char *listen, const char *option,
                        listener_bind_fn bind_listen)
{
    int fd;
    if (l->fd >= 0) return 0;
    if (strlen(listen) >= sizeof l->addr)
        return err_set(ACME_ECONFIG, "%s: '%.80s...' is too long", option, listen);
    if ((fd = bind_listen(listen)) < 0) return -1;
    l->fd = fd;
    strcpy(l->addr, listen);
    log_v("%s: bound %s ahead of time", l->name, listen);
    return 0;
}

/* In the child: only the listener and stdio stay open; default signal dispositions. */
static void child_setup(int lfd, pid_t parent)
{
    sigset_t none;
#if defined(__linux__)
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (getppid() != parent) _exit(0); /* the parent died before PR_SET_PDEATHSIG took effect */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    close_fds_except(lfd);
}

int listener_start(struct listener *l, const char *listen, listener_bind_fn bind_listen,
                   listener_serve_fn serve, void *ctx)
{
    int fd, keep = 0;
    unsigned port;
    pid_t pid, parent;

    if (l->fd >= 0 && strcmp(listen, l->addr) == 0) {
        fd = l->fd;
        keep = 1;
    } else if ((fd = bind_listen(listen)) < 0) {
        return -1;
    }
    port = local_port(fd);
    parent = getpid();
    /* no stdio buffers to flush: platform/out.c leaves nothing pending for the child */
    pid = child_fork();
    if (pid < 0) {
        int e = errno;
        if (!keep) close(fd);
        return err_set(ACME_ELOCAL, "cannot start the %s: fork: %s", l->title, sys_errtext(e));
    }
    if (pid == 0) {
        child_setup(fd, parent);
        serve(fd, ctx);
        _exit(0);
    }
    if (!keep) close(fd); /* the child holds the listener now */
    l->child = pid;
    l->port = port;
    return 0;
}

void listener_stop(struct listener *l)
{
    int status;
    if (l->child <= 0) return;
    kill(l->child, SIGTERM);
    while (waitpid(l->child, &status, 0) < 0 && errno == EINTR)
        ;
    log_v("%s stopped", l->name);
    l->child = 0;
    l->port = 0;
}
