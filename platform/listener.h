/* A listening TCP socket and the forked child that serves it: the OS part the HTTP-01 and
 * TLS-ALPN-01 responders share. The socket is bound in the caller (possibly ahead of time,
 * before privileges are dropped), then a child serves it until stopped or its parent dies. */
#ifndef ACME_LISTENER_H
#define ACME_LISTENER_H

#include <sys/types.h>

/* One responder's listener and child. */
struct listener {
    const char *name;  /* in log lines: "http-01 responder" */
    const char *title; /* in errors: "HTTP-01 responder" */
    int fd;            /* bound ahead of time by listener_bind_ahead(), or -1 */
    char addr[80];     /* the listen setting fd was bound for */
    pid_t child;       /* the serving child, or 0 */
    unsigned port;     /* the port the child listens on; 0 when it is not running */
};

#define LISTENER_INIT(name, title)                                                                 \
    {                                                                                              \
        (name), (title), -1, "", 0, 0                                                              \
    }

/* Binds the setting listen: the socket, or -1 with the error set (the responder's own
 * messages, which name its settings). */
typedef int (*listener_bind_fn)(const char *listen);

/* The child's work on the listening socket; it returns when done. */
typedef void (*listener_serve_fn)(int fd, void *ctx);

/* A listening socket on host:port (host "" for the wildcard: IPv6 dual-stack, or IPv4 alone
 * when this system has no IPv6), with SO_REUSEADDR and the extra socket() type flags
 * (SOCK_CLOEXEC is always set). Returns the fd, or -1 with errno set and *step naming the
 * call that failed. */
int listener_open(const struct listener *l, const char *host, unsigned port, int type_flags,
                  int backlog, const char **step);

/* Binds listen now and keeps the socket for a later listener_start() with the same setting
 * (option names the setting in errors). 0 (also when already bound), or -1 with the error set. */
int listener_bind_ahead(struct listener *l, const char *listen, const char *option,
                        listener_bind_fn bind_listen);

/* Forks the child serving listen, on the socket bound ahead of time for it or on a new one.
 * 0, or -1 with the error set. The caller checks first that no child is running. */
int listener_start(struct listener *l, const char *listen, listener_bind_fn bind_listen,
                   listener_serve_fn serve, void *ctx);

/* Stops the child (SIGTERM) and waits for it; nothing when none is running. */
void listener_stop(struct listener *l);

#endif
