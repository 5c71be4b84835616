/* Host name resolution for net.c without libc's resolver (no malloc, no stdio): an IP literal
 * is taken as it is; otherwise /etc/hosts (an entry there wins over DNS), then
 * "localhost" and names under it (RFC 6761: ::1 and 127.0.0.1), then DNS over UDP to the
 * name servers of /etc/resolv.conf (127.0.0.1 when it names none). A and AAAA are asked of
 * every server at once, with a random ID and source port per query, and sent again every
 * timeout/attempts seconds; replies are taken only from the server asked. The lookup gives up
 * after `options timeout:N` seconds (default 5, as musl does). Names are absolute: `search`
 * and `domain` are ignored. Truncated replies are an error (no DNS over TCP). */
#ifndef ACME_RESOLVE_H
#define ACME_RESOLVE_H

#include <stdint.h>
#include <sys/socket.h>

#include "../core/dns.h"

#define RESOLVE_HOSTS "/etc/hosts"
#define RESOLVE_CONF "/etc/resolv.conf"
/* Addresses returned at most: DNS_ADDR_MAX of each family. */
#define RESOLVE_MAX (2 * DNS_ADDR_MAX)

struct resolve_addr {
    int family; /* AF_INET or AF_INET6 */
    socklen_t len;
    struct sockaddr_storage sa; /* with the port set */
    struct dns_addr ip;         /* the address alone */
};

/* Resolves host into out[0..max) with port set, in the order to try them (RFC 6724 as
 * libc does: addresses without a route last, then IPv6 before IPv4). Returns how many (>= 1)
 * or -1 with err_set(ACME_ETEMP, "cannot resolve ROLEHOST: ...") naming the server and what
 * went wrong (NXDOMAIN from 192.168.1.1, no reply from 127.0.0.53 within 5 s, ...). role is
 * "" or e.g. "proxy " and goes before the host name in messages. */
int resolve_host(const char *host, uint16_t port, const char *role, struct resolve_addr *out,
                 int max);

/* The socket address of a (port in host order). */
void resolve_sockaddr(const struct dns_addr *a, uint16_t port, struct resolve_addr *out);

#endif
