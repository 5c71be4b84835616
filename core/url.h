/* URLs of the CA (RFC 3986 subset): http[s]://host[:port][/path][?query]. Hosts are DNS
 * names, IPv4 addresses or bracketed IPv6 literals; userinfo is rejected, a fragment is
 * dropped (it is never sent). */
#ifndef ACME_URL_H
#define ACME_URL_H

#include <stddef.h>

#include "http_client.h"

struct url {
    int https;               /* 1 for https://, 0 for http:// */
    char host[256];          /* lower case; IPv6 literals without their brackets */
    char port[8];            /* decimal; 443 or 80 when the URL has none */
    int default_port;        /* the URL's port is the scheme's default */
    int ipv6;                /* host is an IPv6 literal */
    char path[HTTP_URL_MAX]; /* path and query, "/" when the URL has none */
};

/* -1 with err_set(ACME_ECONFIG, "URL '...': <reason>") when s is not such a URL or is longer
 * than HTTP_URL_MAX - 1 bytes. */
int url_parse(struct url *u, const char *s);

/* "host" or "host:port" (non-default port), IPv6 in brackets: the Host header value and the
 * authority part of u. Returns the length or -1 with an error when cap is too small. */
long url_authority(const struct url *u, int with_default_port, char *out, size_t cap);

/* Resolves a reference found in a response (Location, Link) against the request's URL:
 * absolute paths ("/x") get base's scheme and authority; anything else (ACME servers send
 * absolute URLs) is copied as it is. -1 with an error (ACME_ETEMP) when it does not fit. */
int url_resolve(const struct url *base, const char *ref, char *out, size_t cap);

#endif
