/* A listening TCP socket and the forked child that serves it (see listener.h). */
#include "listener.h"

#include <arpa/inet.h>
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
#include "closefds.h"
#include "../core/log.h"

/* socket + options + bind + listen for one address family. */
static int open_family(int family, const char *host, unsigned port, int type_flags, int backlog,
                       const char **step)
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
    *step = "socket";
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | type_flags, 0);
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6 && host[0] == '\0')
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero); /* dual-stack */
    *step = "bind";
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0) goto fail;
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
        log_v("%s: no IPv6 (%s), listening on 0.0.0.0:%u", l->name, strerror(errno), port);
        fd = open_family(AF_INET, host, port, type_flags, backlog, step);
    }
    return fd;
}

unsigned listener_local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) return 0;
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
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
    port = listener_local_port(fd);
    parent = getpid();
    /* no stdio buffers to flush: platform/out.c leaves nothing pending for the child */
    pid = fork();
    if (pid < 0) {
        int e = errno;
        if (!keep) close(fd);
        return err_set(ACME_ELOCAL, "cannot start the %s: fork: %s", l->title, strerror(e));
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
