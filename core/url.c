#include "url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "fmt.h"

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* RFC 3986 pchar minus '%' (checked separately), plus '/' and '?'. */
static int is_path_char(int c)
{
    if (http_is_host_char(c)) return 1; /* unreserved but '~' */
    return strchr("~!$&'()*+,;=:@/?", c) != NULL && c != '\0';
}

static int bad(const char *s, const char *why)
{
    return err_set(ACME_ECONFIG, "URL '%s': %s", s, why);
}

/* Host of a bracketed IPv6 literal: hex digits, ':' and (for an embedded IPv4 tail) '.'. The
 * socket layer does the exact check; this keeps anything else out of the Host header. */
static int check_ipv6(const char *h, size_t n)
{
    size_t i, colons = 0;
    if (n < 2 || n > 45) return -1;
    for (i = 0; i < n; i++) {
        if (h[i] == ':')
            colons++;
        else if (!http_is_hex((unsigned char)h[i]) && h[i] != '.')
            return -1;
    }
    return colons >= 2 ? 0 : -1;
}

static int check_reg_name(const char *h, size_t n)
{
    size_t i;
    if (n == 0 || n > 253) return -1;
    for (i = 0; i < n; i++)
        if (!http_is_host_char((unsigned char)h[i])) return -1;
    return 0;
}

int url_parse(struct url *u, const char *s)
{
    size_t n = strlen(s), i, alen, hlen, plen;
    const char *p, *auth, *end, *host, *colon = NULL;
    unsigned port, default_port;

    memset(u, 0, sizeof *u);
    if (n >= HTTP_URL_MAX)
        return err_set(ACME_ECONFIG,
                       "URL of %zu bytes exceeds the limit of %d bytes (HTTP_URL_MAX)", n,
                       HTTP_URL_MAX - 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return bad(s, "contains a space, control or non-ASCII character");
    }
    u->https = n >= 8 && strncasecmp(s, "https://", 8) == 0;
    if (!u->https && !(n >= 7 && strncasecmp(s, "http://", 7) == 0))
        return bad(s, "not an http:// or https:// URL");
    auth = s + (u->https ? 8 : 7);
    end = auth + strcspn(auth, "/?#");
    alen = (size_t)(end - auth);
    if (memchr(auth, '@', alen) != NULL) return bad(s, "user information is not allowed");
    if (alen == 0) return bad(s, "no host");

    if (auth[0] == '[') {
        const char *rb = memchr(auth, ']', alen);
        if (rb == NULL) return bad(s, "unterminated IPv6 literal");
        host = auth + 1;
        hlen = (size_t)(rb - host);
        if (check_ipv6(host, hlen) < 0) return bad(s, "bad IPv6 literal");
        u->ipv6 = 1;
        if (rb + 1 < end) {
            if (rb[1] != ':') return bad(s, "junk after the IPv6 literal");
            colon = rb + 1;
        }
    } else {
        host = auth;
        colon = memchr(auth, ':', alen);
        hlen = colon != NULL ? (size_t)(colon - auth) : alen;
        if (check_reg_name(host, hlen) < 0) return bad(s, "bad host name");
    }
    for (i = 0; i < hlen; i++)
        u->host[i] = (char)lower((unsigned char)host[i]);
    u->host[hlen] = '\0';

    default_port = u->https ? 443 : 80;
    port = default_port;
    if (colon != NULL && colon + 1 < end) {
        port = 0;
        for (p = colon + 1; p < end; p++) {
            if (!is_digit((unsigned char)*p) || port > 65535) return bad(s, "bad port");
            port = port * 10 + (unsigned)(*p - '0');
        }
        if (port == 0 || port > 65535) return bad(s, "port out of range");
    }
    fmt_snprintf(u->port, sizeof u->port, "%u", port);
    u->default_port = port == default_port;

    /* path and query up to a fragment, which is dropped */
    plen = strcspn(end, "#");
    for (i = 0; i < plen; i++) {
        int c = (unsigned char)end[i];
        if (c == '%') {
            if (i + 2 >= plen || !http_is_hex((unsigned char)end[i + 1]) ||
                !http_is_hex((unsigned char)end[i + 2]))
                return bad(s, "bad percent-encoding");
            i += 2;
        } else if (!is_path_char(c)) {
            return bad(s, "character not allowed in a URL path");
        }
    }
    i = plen == 0 || end[0] == '?'; /* 1 when the path is empty: it becomes "/" */
    u->path[0] = '/';
    memcpy(u->path + i, end, plen);
    u->path[plen + i] = '\0';
    return 0;
}

long url_authority(const struct url *u, int with_default_port, char *out, size_t cap)
{
    const char *lb = u->ipv6 ? "[" : "", *rb = u->ipv6 ? "]" : "";
    /* the port is not printed when the second format is used */
    int n = fmt_snprintf(out, cap, with_default_port || !u->default_port ? "%s%s%s:%s" : "%s%s%s",
                         lb, u->host, rb, u->port);
    if (n < 0 || (size_t)n >= cap)
        return err_set(ACME_ELOCAL, "URL authority: %zu-byte buffer too small", cap);
    return n;
}

int url_resolve(const struct url *base, const char *ref, char *out, size_t cap)
{
    char auth[300];
    const char *scheme = "";
    int n;
    auth[0] = '\0';
    if (ref[0] == '/' && ref[1] != '/') { /* an absolute path: base's scheme and authority */
        if (url_authority(base, 0, auth, sizeof auth) < 0) return -1;
        scheme = base->https ? "https://" : "http://";
    }
    n = fmt_snprintf(out, cap, "%s%s%s", scheme, auth, ref);
    if (n < 0 || (size_t)n >= cap)
        return err_set(ACME_ETEMP, "URL '%s%s%s' exceeds %zu bytes", scheme, auth, ref, cap - 1);
    return 0;
}
