/* Link header fields (RFC 8288 section 3): <uri>; rel="a b"; other=param, <uri2>; rel=c */
#include "http.h"
#include "http_client.h"

#include <string.h>

#include "err.h"

static int ows(const char *v, size_t n, size_t i)
{
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    return (int)i;
}

static int bad_link(const char *why)
{
    return err_set(ACME_ETEMP, "HTTP: bad Link header: %s", why);
}

static int store(struct http_response *r, const char *uri, size_t ulen, const char *rel,
                 size_t rlen)
{
    struct http_link *l;
    size_t i;
    if (r->nlinks >= HTTP_MAX_LINKS)
        return err_set(ACME_ETEMP, "HTTP: more than %d links (HTTP_MAX_LINKS)", HTTP_MAX_LINKS);
    if (ulen >= sizeof l->url)
        return err_set(ACME_ETEMP, "HTTP: Link URL of %zu bytes exceeds the limit of %zu", ulen,
                       sizeof l->url - 1);
    l = &r->links[r->nlinks++];
    memcpy(l->url, uri, ulen);
    l->url[ulen] = '\0';
    /* relation types compare case-insensitively (RFC 8288 section 2.1.1) */
    for (i = 0; i < rlen; i++)
        l->rel[i] = (rel[i] >= 'A' && rel[i] <= 'Z') ? (char)(rel[i] + 32) : rel[i];
    l->rel[rlen] = '\0';
    return 0;
}

int http_parse_link(struct http_response *r, const char *v, size_t n)
{
    size_t i = 0;
    char rel[sizeof r->links[0].rel];
    for (;;) {
        const char *uri;
        size_t ulen, rlen = 0;
        int have_rel = 0;
        i = (size_t)ows(v, n, i);
        if (i == n) return 0;
        if (v[i] == ',') { /* empty list element */
            i++;
            continue;
        }
        if (v[i] != '<') return bad_link("expected '<'");
        uri = v + i + 1;
        while (i < n && v[i] != '>')
            i++;
        if (i == n) return bad_link("missing '>'");
        ulen = (size_t)(v + i - uri);
        i++;
        for (;;) {
            size_t ns;
            int is_rel, quoted;
            i = (size_t)ows(v, n, i);
            if (i == n || v[i] == ',') break;
            if (v[i] != ';') return bad_link("expected ';' or ','");
            i = (size_t)ows(v, n, i + 1);
            ns = i;
            while (i < n && http_is_tchar((unsigned char)v[i]))
                i++;
            if (i == ns) return bad_link("missing parameter name");
            /* only the first rel counts (RFC 8288 section 3.3); other values are skipped */
            is_rel = !have_rel && http_name_is(v + ns, i - ns, "rel");
            have_rel |= is_rel;
            i = (size_t)ows(v, n, i);
            if (i == n || v[i] != '=') continue;
            /* the value: a quoted string (a backslash escapes the next byte) or a token */
            i = (size_t)ows(v, n, i + 1);
            quoted = i < n && v[i] == '"';
            i += (size_t)quoted;
            for (ns = i; i < n && (quoted ? v[i] != '"' : http_is_tchar((unsigned char)v[i]));
                 i++) {
                if (quoted && v[i] == '\\' && ++i == n) break;
                if (!is_rel) continue;
                if (rlen == sizeof rel - 1)
                    return err_set(ACME_ETEMP, "HTTP: Link rel longer than %zu bytes",
                                   sizeof rel - 1);
                rel[rlen++] = v[i];
            }
            if (quoted && i >= n) return bad_link("unterminated quoted string");
            if (!quoted && i == ns) return bad_link("missing parameter value");
            i += (size_t)quoted;
        }
        if (rlen > 0 && store(r, uri, ulen, rel, rlen) < 0) return -1;
    }
}
