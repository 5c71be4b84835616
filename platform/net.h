/* TCP connections for the TLS transports: name resolution, a connect timeout per address,
 * read and write timeouts, an optional local bind address, and an optional HTTP CONNECT proxy
 * from https_proxy / HTTPS_PROXY honouring no_proxy / NO_PROXY.
 *
 * bind_address is an IPv4 or IPv6 literal (only addresses of that family are tried) or a
 * network interface name (SO_BINDTODEVICE; Linux, needs CAP_NET_RAW). Proxy URLs are
 * http://host[:port] (port 80 when absent; "host:port" without a scheme is taken as http);
 * proxies speaking TLS and proxy authentication are not supported. no_proxy is a list of
 * names separated by commas or spaces: "*" matches every host, "example.org" and
 * ".example.org" match example.org and every name under it, an IP literal matches itself. */
#ifndef ACME_NET_H
#define ACME_NET_H

#include <stddef.h>
#include <stdint.h>

/* Bytes that arrived after a proxy's CONNECT reply and belong to the tunnel. */
#define NET_PENDING_MAX 512

struct net_conn {
    int fd;      /* -1 when closed */
    int timeout; /* seconds, for the connect to each address and for each read and write */
    char host[256];
    char port[8];
    unsigned char pending[NET_PENDING_MAX];
    size_t pending_len, pending_off;
};

/* Connects to host:port (directly or through the proxy). -1 with err_set(ACME_ETEMP,...)
 * naming host, port and the reason (resolver message, OS error, timeout, proxy reply);
 * ACME_ECONFIG for a bad bind_address or proxy URL. timeout <= 0 means 30 seconds. */
int net_connect(struct net_conn *c, const char *host, const char *port, int timeout,
                const char *bind_address);
/* > 0 bytes read, 0 when the peer closed the connection, -1 with an error (timeout too). */
long net_read(struct net_conn *c, void *buf, size_t n);
/* Writes all n bytes; -1 with an error. Never raises SIGPIPE. */
int net_write(struct net_conn *c, const void *buf, size_t n);
/* Best effort without waiting and without touching the held error (a TLS close_notify on
 * the way out). */
void net_send_nowait(struct net_conn *c, const void *buf, size_t n);
void net_close(struct net_conn *c);

/* Milliseconds of the monotonic clock (for timeouts; also used by resolve.c and http01.c). */
int64_t net_now_ms(void);

/* 1 when host matches the no_proxy list (exposed for the unit tests). */
int net_no_proxy_match(const char *list, const char *host);
/* The proxy for host from the environment: 1 with its host and port, 0 for a direct
 * connection, -1 with an error (ACME_ECONFIG) when the proxy URL is bad. */
int net_proxy_for(const char *host, char *phost, size_t phost_cap, char *pport, size_t pport_cap);

#endif
