/* A byte stream to a server: TCP (optionally through an HTTP CONNECT proxy) plus TLS.
 * Implemented by bearssl/tls_client.c or mbedtls/tls_client.c (one per build) over
 * platform/net.c; tests supply fakes. */
#ifndef ACME_TRANSPORT_H
#define ACME_TRANSPORT_H

#include <stddef.h>

struct transport_opts {
    const char *ca_file;      /* PEM bundle; when missing, the built-in anchors */
    int timeout;              /* seconds for connect, and for each read and write */
    const char *bind_address; /* local address to bind before connecting, or NULL */
};

struct transport {
    /* Connects and handshakes; -1 with err_set(ACME_ETEMP, ...) naming host, port and the
     * reason (OS error, certificate problem, timeout). */
    int (*open)(struct transport *t, const char *host, const char *port);
    /* > 0 bytes read, 0 when the peer closed the connection cleanly, -1 with an error. */
    long (*read)(struct transport *t, void *buf, size_t n);
    /* Writes everything; -1 with an error. */
    int (*write)(struct transport *t, const void *buf, size_t n);
    void (*close)(struct transport *t);
    void *ctx;
    unsigned handshakes; /* TLS handshakes done so far (for the -v log and the tests) */
};

/* 1 once the server has dropped the connection: the socket layer (platform/net.c) saw end of
 * stream, a reset or a broken pipe. A timeout or any other failure leaves it 0. http_client.c
 * clears it before each try and resends a request on a reused connection only when it is set:
 * then the server dropped the idle connection and cannot have processed the request. */
extern int transport_dropped;

/* The TLS transport of this build (static storage; one connection at a time). */
struct transport *tls_transport(const struct transport_opts *o);

#endif
