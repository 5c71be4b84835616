#include "url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "fmt.h"

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* RFC 3986 pchar minus '%' (checked separately), plus '/' and '?'. */
static int is_path_char(int c)
{
    if (is_alpha(c) || is_digit(c)) return 1;
    return strchr("-._~!$&'()*+,;=:@/?", c) != NULL && c != '\0';
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
        else if (!is_hex((unsigned char)h[i]) && h[i] != '.')
            return -1;
    }
    return colons >= 2 ? 0 : -1;
}

static int check_reg_name(const char *h, size_t n)
{
    size_t i;
    if (n == 0 || n > 253) return -1;
    for (i = 0; i < n; i++) {
        int c = (unsigned char)h[i];
        if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') return -1;
    }
    return 0;
}

int url_parse(struct url *u, const char *s)
{
    size_t n = strlen(s), i, alen, hlen, plen;
    const char *p, *auth, *end, *host, *colon = NULL;

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
    if (n >= 8 && strncasecmp(s, "https://", 8) == 0) {
        u->https = 1;
        auth = s + 8;
    } else if (n >= 7 && strncasecmp(s, "http://", 7) == 0) {
        auth = s + 7;
    } else {
        return bad(s, "not an http:// or https:// URL");
    }
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

    if (colon != NULL && colon + 1 < end) {
        unsigned long port = 0;
        for (p = colon + 1; p < end; p++) {
            if (!is_digit((unsigned char)*p) || port > 65535) return bad(s, "bad port");
            port = port * 10 + (unsigned long)(*p - '0');
        }
        if (port == 0 || port > 65535) return bad(s, "port out of range");
        fmt_snprintf(u->port, sizeof u->port, "%lu", port);
        u->default_port = port == (u->https ? 443UL : 80UL);
    } else {
        strcpy(u->port, u->https ? "443" : "80");
        u->default_port = 1;
    }

    /* path and query up to a fragment, which is dropped */
    plen = strcspn(end, "#");
    for (i = 0; i < plen; i++) {
        int c = (unsigned char)end[i];
        if (c == '%') {
            if (i + 2 >= plen || !is_hex((unsigned char)end[i + 1]) ||
                !is_hex((unsigned char)end[i + 2]))
                return bad(s, "bad percent-encoding");
            i += 2;
        } else if (!is_path_char(c)) {
            return bad(s, "character not allowed in a URL path");
        }
    }
    if (plen == 0 || end[0] == '?') {
        u->path[0] = '/';
        memcpy(u->path + 1, end, plen);
        u->path[plen + 1] = '\0';
    } else {
        memcpy(u->path, end, plen);
        u->path[plen] = '\0';
    }
    return 0;
}

long url_authority(const struct url *u, int with_default_port, char *out, size_t cap)
{
    int n;
    const char *lb = u->ipv6 ? "[" : "", *rb = u->ipv6 ? "]" : "";
    if (with_default_port || !u->default_port)
        n = fmt_snprintf(out, cap, "%s%s%s:%s", lb, u->host, rb, u->port);
    else
        n = fmt_snprintf(out, cap, "%s%s%s", lb, u->host, rb);
    if (n < 0 || (size_t)n >= cap)
        return err_set(ACME_ELOCAL, "URL authority: %zu-byte buffer too small", cap);
    return n;
}

int url_resolve(const struct url *base, const char *ref, char *out, size_t cap)
{
    size_t n = strlen(ref);
    if (ref[0] == '/' && ref[1] != '/') {
        char auth[300];
        int m;
        if (url_authority(base, 0, auth, sizeof auth) < 0) return -1;
        m = fmt_snprintf(out, cap, "%s://%s%s", base->https ? "https" : "http", auth, ref);
        if (m < 0 || (size_t)m >= cap)
            return err_set(ACME_ETEMP, "URL '%s' resolved against %s exceeds %zu bytes", ref, auth,
                           cap - 1);
        return 0;
    }
    if (n >= cap) return err_set(ACME_ETEMP, "URL of %zu bytes exceeds %zu bytes", n, cap - 1);
    memcpy(out, ref, n + 1);
    return 0;
}
