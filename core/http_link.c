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
    char val[sizeof r->links[0].rel], rel[sizeof val];
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
            size_t ns, nl, vl = 0;
            int too_long = 0;
            i = (size_t)ows(v, n, i);
            if (i == n || v[i] == ',') break;
            if (v[i] != ';') return bad_link("expected ';' or ','");
            i = (size_t)ows(v, n, i + 1);
            ns = i;
            while (i < n && http_is_tchar((unsigned char)v[i]))
                i++;
            nl = i - ns;
            if (nl == 0) return bad_link("missing parameter name");
            i = (size_t)ows(v, n, i);
            if (i < n && v[i] == '=') {
                i = (size_t)ows(v, n, i + 1);
                if (i < n && v[i] == '"') {
                    for (i++; i < n && v[i] != '"'; i++) {
                        if (v[i] == '\\' && ++i == n) break;
                        if (vl < sizeof val - 1)
                            val[vl++] = v[i];
                        else
                            too_long = 1;
                    }
                    if (i >= n) return bad_link("unterminated quoted string");
                    i++;
                } else {
                    size_t s = i;
                    while (i < n && http_is_tchar((unsigned char)v[i]))
                        i++;
                    if (i == s) return bad_link("missing parameter value");
                    if (i - s < sizeof val) {
                        memcpy(val, v + s, i - s);
                        vl = i - s;
                    } else {
                        too_long = 1;
                    }
                }
            }
            /* only the first rel counts (RFC 8288 section 3.3) */
            if (!have_rel && http_name_is(v + ns, nl, "rel")) {
                if (too_long)
                    return err_set(ACME_ETEMP, "HTTP: Link rel longer than %zu bytes",
                                   sizeof val - 1);
                have_rel = 1;
                memcpy(rel, val, vl);
                rlen = vl;
            }
        }
        if (have_rel && rlen > 0 && store(r, uri, ulen, rel, rlen) < 0) return -1;
    }
}
