/* The configuration file and -o overrides.
 *
 * Format, one setting per line:
 *
 *     # comment
 *     key = value            # comment (a '#' starting a word, outside quotes)
 *     domains = example.org www.example.org "*.example.org"
 *     reload = /etc/init.d/uhttpd reload
 *
 * Whitespace around '=' and at the ends of the value is ignored. A value is made of words
 * separated by blanks; a word may contain "double quoted" parts (with \" and \\ escapes) and
 * 'single quoted' parts (taken literally). List keys (domains, email) take the words as
 * items. Other keys take a single word without its quotes, or, when the value has several
 * words, the text from the first word to the last exactly as written (so commands and paths
 * with blanks need no quotes, and quotes inside a command reach the shell). An empty value
 * unsets an optional string. Control characters are refused; CR before LF is ignored.
 *
 * Every error is ACME_ECONFIG with "file:line: key: problem" (or "-o key: problem"); values
 * of eab_hmac_key never appear in messages. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "base64.h"
#include "err.h"
#include "ipaddr.h"
#include "fmt.h"

enum kind {
    K_STR,       /* any text; empty unsets */
    K_BOOL,      /* yes/no ... */
    K_INT,       /* decimal in [min, max] */
    K_KEYTYPE,   /* key_type_parse() */
    K_CHALLENGE, /* http-01 dns-01 tls-alpn-01 */
    K_DIRECTORY, /* https URL or alias */
    K_DOMAINS,   /* list of DNS names / IP literals */
    K_EMAIL,     /* list of addresses */
    K_EAB_HMAC,  /* base64url secret */
    K_LISTEN,    /* [addr]:port */
    K_ADDR       /* IP literal */
};

struct key_def {
    const char *name; /* first member: see suggest() */
    unsigned char kind;
    size_t off;
    int min, max;
};

#define F(field) offsetof(struct acme_config, field)
static const struct key_def keys[] = {
    {"directory", K_DIRECTORY, F(directory), 0, 0},
    {"email", K_EMAIL, F(email), 0, 0},
    {"agree_tos", K_BOOL, F(agree_tos), 0, 0},
    {"eab_kid", K_STR, F(eab_kid), 0, 0},
    {"eab_hmac_key", K_EAB_HMAC, F(eab_hmac_key), 0, 0},
    {"account_key_type", K_KEYTYPE, F(account_key_type), 0, 0},
    {"domains", K_DOMAINS, F(domains), 0, 0},
    {"key_type", K_KEYTYPE, F(key_type), 0, 0},
    {"csr_cn", K_BOOL, F(csr_cn), 0, 0},
    {"must_staple", K_BOOL, F(must_staple), 0, 0},
    {"profile", K_STR, F(profile), 0, 0},
    {"preferred_chain", K_STR, F(preferred_chain), 0, 0},
    {"challenge", K_CHALLENGE, F(challenge), 0, 0},
    {"http_listen", K_LISTEN, F(http_listen), 0, 0},
    {"webroot", K_STR, F(webroot), 0, 0},
    {"dns_hook", K_STR, F(dns_hook), 0, 0},
    {"dns_wait", K_INT, F(dns_wait), 0, 3600},
    {"alpn_listen", K_LISTEN, F(alpn_listen), 0, 0},
    {"state_dir", K_STR, F(state_dir), 0, 0},
    {"key_file", K_STR, F(key_file), 0, 0},
    {"cert_file", K_STR, F(cert_file), 0, 0},
    {"chain_file", K_STR, F(chain_file), 0, 0},
    {"fullchain_file", K_STR, F(fullchain_file), 0, 0},
    {"link_cert", K_STR, F(link_cert), 0, 0},
    {"link_key", K_STR, F(link_key), 0, 0},
    {"link_fullchain", K_STR, F(link_fullchain), 0, 0},
    {"reload", K_STR, F(reload), 0, 0},
    {"user", K_STR, F(user), 0, 0},
    {"ca_file", K_STR, F(ca_file), 0, 0},
    {"timeout", K_INT, F(timeout), 1, 3600},
    {"bind_address", K_ADDR, F(bind_address), 0, 0},
    {"renew_days", K_INT, F(renew_days), 0, 365},
    {"jitter", K_INT, F(jitter), 0, 86400},
    {"reuse_key", K_BOOL, F(reuse_key), 0, 0},
    {"selfsign_days", K_INT, F(selfsign_days), 1, 3650},
    {"selfsign_fallback", K_BOOL, F(selfsign_fallback), 0, 0},
};
#define N_KEYS (sizeof keys / sizeof keys[0])
_Static_assert(N_KEYS <= 64, "set_by_file/set_by_override hold one bit per key");

static const struct {
    const char *name; /* first member: see suggest() */
    const char *url;
} aliases[] = {
    {"letsencrypt", "https://acme-v02.api.letsencrypt.org/directory"},
    {"letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"},
    {"zerossl", "https://acme.zerossl.com/v2/DV90"},
    {"google", "https://dv.acme-v02.api.pki.goog/directory"},
    {"google-staging", "https://dv.acme-v02.test-api.pki.goog/directory"},
    {"buypass", "https://api.buypass.com/acme/directory"},
    {"buypass-staging", "https://api.test4.buypass.no/acme/directory"},
};

static const char *const challenges[] = {"http-01", "dns-01", "tls-alpn-01"};

/* Where a setting comes from: a file line, or -o (path NULL). */
struct where {
    const char *path;
    unsigned line;
};

static int bad(const struct where *w, const char *key, const char *fmt, ...) ACME_PRINTF(3, 4);

static void where_text(const struct where *w, const char *key, char *out, size_t cap)
{
    if (w->path != NULL && key != NULL)
        fmt_snprintf(out, cap, "%s:%u: %s", w->path, w->line, key);
    else if (w->path != NULL)
        fmt_snprintf(out, cap, "%s:%u", w->path, w->line);
    else if (key != NULL)
        fmt_snprintf(out, cap, "-o %s", key);
    else
        fmt_snprintf(out, cap, "-o");
}

static int bad(const struct where *w, const char *key, const char *fmt, ...)
{
    char loc[512], msg[512];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    where_text(w, key, loc, sizeof loc);
    return err_set(ACME_ECONFIG, "%s: %s", loc, msg);
}

/* Adds "file:line: key" to an error set elsewhere (e.g. by key_type_parse()). */
static int rebad(const struct where *w, const char *key)
{
    char loc[512];
    where_text(w, key, loc, sizeof loc);
    err_prefix("%s", loc);
    return err_recode(ACME_ECONFIG);
}

/* Optimal string alignment distance (edits, with transpositions), for "did you mean".
 * Only distances up to 2 matter, so only the band |i - j| <= 3 is computed; anything larger
 * comes back as 3 or more. */
static unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    unsigned char d[33][33];
    if (la > 32 || lb > 32) return 99;
    memset(d, 99, sizeof d);
    for (i = 0; i <= la && i <= 3; i++)
        d[i][0] = (unsigned char)i;
    for (j = 0; j <= lb && j <= 3; j++)
        d[0][j] = (unsigned char)j;
    for (i = 1; i <= la; i++) {
        for (j = i > 3 ? i - 3 : 1; j <= lb && j <= i + 3; j++) {
            unsigned v = d[i - 1][j - 1] + (unsigned)(a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1u < v) v = d[i - 1][j] + 1u;
            if (d[i][j - 1] + 1u < v) v = d[i][j - 1] + 1u;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1u < v)
                v = d[i - 2][j - 2] + 1u;
            d[i][j] = (unsigned char)(v > 99 ? 99 : v);
        }
    }
    return d[la][lb];
}

/* The closest candidate to word (an array of n structs of `stride` bytes whose first member
 * is the name), or NULL when none is close: at most 2 edits (1 for short words), or word being
 * a prefix of at least 3 characters. */
static const char *suggest(const char *word, const void *base, size_t stride, size_t n)
{
    const char *best = NULL;
    size_t wl = strlen(word), i;
    unsigned bestd = wl < 5 ? 2 : 3;
    for (i = 0; i < n; i++) {
        const char *cand = *(const char *const *)(const void *)((const char *)base + i * stride);
        size_t cl = strlen(cand);
        unsigned d;
        if (wl >= 3 && strncmp(cand, word, wl) == 0)
            d = 1;
        else if (wl + 2 < cl || cl + 2 < wl)
            continue; /* at least 3 edits apart */
        else
            d = edit_distance(word, cand);
        if (d < bestd) {
            bestd = d;
            best = cand;
        }
    }
    return best;
}

static int is_ctrl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Reads the words of a value. */
struct cursor {
    const char *s;
    size_t n, pos;
    int comments; /* '#' starting a word ends the value (files, not -o) */
};

/* Next word, unquoted into out (room for the value's length + 1; may be NULL), with its raw
 * extent [*raw0, *raw1). Returns 1, 0 at the end, or -1 with *why. */
static int next_word(struct cursor *c, char *out, size_t *len, size_t *raw0, size_t *raw1,
                     const char **why)
{
    const char *s = c->s;
    size_t n = c->n, i = c->pos, o = 0;
    while (i < n && is_blank(s[i]))
        i++;
    if (i == n || (c->comments && s[i] == '#')) {
        c->pos = n;
        return 0;
    }
    *raw0 = i;
    while (i < n && !is_blank(s[i])) {
        char q = s[i];
        if (q == '"' || q == '\'') {
            for (i++;; i++) {
                if (i == n) {
                    *why = q == '"' ? "unterminated \" quote" : "unterminated ' quote";
                    return -1;
                }
                if (s[i] == q) break;
                if (q == '"' && s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\'))
                    i++;
                if (is_ctrl((unsigned char)s[i]) && s[i] != '\t') {
                    *why = "control character in value";
                    return -1;
                }
                if (out != NULL) out[o] = s[i];
                o++;
            }
            i++; /* closing quote */
            continue;
        }
        if (is_ctrl((unsigned char)q)) {
            *why = "control character in value";
            return -1;
        }
        if (out != NULL) out[o] = q;
        o++;
        i++;
    }
    if (out != NULL) out[o] = '\0';
    *len = o;
    *raw1 = i;
    c->pos = i;
    return 1;
}

/* One value being applied. */
struct value {
    const struct where *w;
    const struct key_def *k;
    const char *s; /* raw text after '=' */
    size_t n;
    int comments;
    char *scratch; /* n + 1 bytes */
};

/* The scalar text of a value into v->scratch (see the format above). */
static int scalar(const struct value *v, size_t *len)
{
    struct cursor c = {v->s, v->n, 0, v->comments};
    size_t first0 = 0, last1 = 0, r0, r1, wl, words = 0;
    const char *why = NULL;
    int rc;
    *len = 0;
    v->scratch[0] = '\0';
    while ((rc = next_word(&c, words == 0 ? v->scratch : NULL, &wl, &r0, &r1, &why)) > 0) {
        if (words++ == 0) {
            first0 = r0;
            *len = wl;
        }
        last1 = r1;
    }
    if (rc < 0) return bad(v->w, v->k->name, "%s", why);
    if (words > 1) {
        *len = last1 - first0;
        memcpy(v->scratch, v->s + first0, *len);
        v->scratch[*len] = '\0';
        if (memchr(v->scratch, '\0', *len) != NULL || strpbrk(v->scratch, "\r\n\x7f") != NULL)
            return bad(v->w, v->k->name, "control character in value");
    }
    return 0;
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    size_t i;
    for (i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* Decimal without sign, at most 9 digits; -1 when not. */
static long parse_uint(const char *s)
{
    long v = 0;
    size_t i;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 9) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return i > 0 ? v : -1;
}

/* "[v6]:port", "v4:port", ":port" or "*:port" (numeric hosts; what the listeners accept). */
static int listen_ok(const char *s)
{
    const char *colon = strrchr(s, ':');
    uint8_t ip[16];
    long port;
    if (colon == NULL) return 0;
    port = parse_uint(colon + 1);
    if (port < 0 || port > 65535) return 0;
    if (colon == s || (colon == s + 1 && s[0] == '*')) return 1;
    if (s[0] == '[')
        return colon[-1] == ']' && ipaddr_parse(s + 1, (size_t)(colon - s - 2), ip) == 16;
    return ipaddr_parse(s, (size_t)(colon - s), ip) == 4;
}

#define NAME_BUF (CONFIG_MAX_NAME_LEN > IPADDR_TEXT_MAX ? CONFIG_MAX_NAME_LEN + 1 : IPADDR_TEXT_MAX)
#define EMAIL_MAX (64 + 1 + CONFIG_MAX_NAME_LEN)

/* Checks one name of `domains` and writes its stored form (lower case; canonical IP text)
 * into out (NAME_BUF bytes). */
static int check_name(const struct value *v, const char *name, size_t n, char *out)
{
    const char *key = v->k->name;
    uint8_t ip[16];
    size_t i, label = 0, start = 0;
    int iplen = ipaddr_parse(name, n, ip);
    if (iplen != 0) {
        char t[IPADDR_TEXT_MAX];
        ipaddr_format(ip, (size_t)iplen, t);
        memcpy(out, t, strlen(t) + 1);
        return 0;
    }
    if (name[0] == '[') return bad(v->w, key, "%s: write IPv6 addresses without brackets", name);
    if (memchr(name, ':', n) != NULL) return bad(v->w, key, "%s: not a valid IPv6 address", name);
    if (n > CONFIG_MAX_NAME_LEN)
        return bad(v->w, key,
                   "%.40s...: name of %zu characters is longer than "
                   "CONFIG_MAX_NAME_LEN (%d)",
                   name, n, CONFIG_MAX_NAME_LEN);
    if (n >= 2 && name[0] == '*' && name[1] == '.') start = 2;
    if (memchr(name + start, '*', n - start) != NULL)
        return bad(v->w, key, "%s: a wildcard must be the whole leftmost label (*.example.org)",
                   name);
    memcpy(out, name, start);
    for (i = start; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)name[i] : '.';
        if (c == '.') {
            if (label == 0)
                return bad(v->w, key, "%s: empty label (leading, trailing or double dot)", name);
            if (name[i - 1] == '-' || name[i - label] == '-')
                return bad(v->w, key, "%s: a label cannot start or end with '-'", name);
            if (label > 63) return bad(v->w, key, "%s: label longer than 63 characters", name);
            label = 0;
        } else if (c >= 0x80)
            return bad(v->w, key, "%s: non-ASCII name; use its IDNA form (xn--...)", name);
        else if (c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
            label++;
        else if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c - 'A' + 'a');
            label++;
        } else
            return bad(v->w, key, "%s: invalid character '%c' in a host name", name, c);
        if (i < n) out[i] = (char)c;
    }
    out[n] = '\0';
    /* A last label of digits only is an attempted IPv4 address (no TLD is numeric). */
    {
        const char *last = strrchr(out, '.');
        last = last != NULL ? last + 1 : out;
        if (strspn(last, "0123456789") == strlen(last))
            return bad(v->w, key, "%s: not a valid IPv4 address", name);
    }
    return 0;
}

/* One email address (an optional "mailto:" is dropped): local@domain, domain stored lower
 * case. out has room for EMAIL_MAX + 1 bytes. */
static int check_email(const struct value *v, const char *s, size_t n, char *out)
{
    const char *key = v->k->name;
    const char *at;
    size_t i, local;
    if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
        s += 7;
        n -= 7;
    }
    if (n > EMAIL_MAX)
        return bad(v->w, key, "%.40s...: address longer than %d characters", s, EMAIL_MAX);
    at = memchr(s, '@', n);
    if (at == NULL || at == s || at == s + n - 1 || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
        return bad(v->w, key, "%s: not an email address (user@example.org)", s);
    local = (size_t)(at - s);
    if (local > 64) return bad(v->w, key, "%s: local part longer than 64 characters", s);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || strchr(" ,;<>?()[]\\\"", c) != NULL)
            return bad(v->w, key, "%s: character '%c' is not allowed in an email address", s,
                       c >= 0x80 ? '?' : c);
        if (i > local && (c == '*' || c == '_'))
            return bad(v->w, key, "%s: invalid domain part", s);
        out[i] = (char)(i > local && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    out[n] = '\0';
    if (n - local - 1 > CONFIG_MAX_NAME_LEN || out[local + 1] == '.' || out[n - 1] == '.' ||
        strstr(out + local, "..") != NULL || strchr(out + local, '.') == NULL)
        return bad(v->w, key, "%s: invalid domain part", s);
    return 0;
}

static int apply_list(struct acme_config *c, const struct value *v, struct arena *a)
{
    int domains = v->k->kind == K_DOMAINS;
    size_t max = domains ? CONFIG_MAX_NAMES : CONFIG_MAX_EMAILS, count = 0, i, wl, r0, r1;
    const char *items[CONFIG_MAX_NAMES > CONFIG_MAX_EMAILS ? CONFIG_MAX_NAMES : CONFIG_MAX_EMAILS];
    struct cursor cur = {v->s, v->n, 0, v->comments};
    char name[NAME_BUF], email[EMAIL_MAX + 1];
    const char *why = NULL;
    int rc;
    while ((rc = next_word(&cur, v->scratch, &wl, &r0, &r1, &why)) > 0) {
        const char *stored;
        if (wl == 0) return bad(v->w, v->k->name, "empty item (\"\")");
        if (count == max) {
            if (domains)
                return bad(v->w, v->k->name, "more than %zu names (the limit is CONFIG_MAX_NAMES)",
                           max);
            return bad(v->w, v->k->name, "more than %zu addresses (CONFIG_MAX_EMAILS)", max);
        }
        if (domains) {
            if (check_name(v, v->scratch, wl, name) < 0) return -1;
            stored = name;
        } else {
            if (check_email(v, v->scratch, wl, email) < 0) return -1;
            stored = email;
        }
        for (i = 0; i < count; i++)
            if (strcmp(items[i], stored) == 0)
                return bad(v->w, v->k->name, "%s is listed twice", stored);
        if ((items[count] = arena_strdup(a, stored, "reading the configuration")) == NULL)
            return -1;
        count++;
    }
    if (rc < 0) return bad(v->w, v->k->name, "%s", why);
    if (domains) {
        memcpy(c->domains, items, count * sizeof items[0]);
        c->n_domains = count;
    } else {
        memcpy(c->email, items, count * sizeof items[0]);
        c->n_email = count;
    }
    return 0;
}

static int apply(struct acme_config *c, const struct value *v, struct arena *a)
{
    const struct key_def *k = v->k;
    void *field = (char *)c + k->off;
    const char *s = v->scratch, *alias;
    size_t len;
    long n;

    if (k->kind == K_DOMAINS || k->kind == K_EMAIL) return apply_list(c, v, a);
    if (scalar(v, &len) < 0) return -1;
    if (len == 0) {
        if (k->kind == K_STR || k->kind == K_EAB_HMAC || k->kind == K_ADDR) {
            *(const char **)field = NULL;
            return 0;
        }
        return bad(v->w, k->name, "empty value");
    }
    switch (k->kind) {
    case K_BOOL:
        if (parse_bool(s, (int *)field) < 0)
            return bad(v->w, k->name,
                       "\"%s\" is not a boolean (use yes/no, true/false, on/off "
                       "or 1/0)",
                       s);
        return 0;
    case K_INT:
        n = parse_uint(s);
        if (n < 0) return bad(v->w, k->name, "\"%s\" is not a number", s);
        if (n < k->min || n > k->max)
            return bad(v->w, k->name, "%ld is out of range (%d..%d)", n, k->min, k->max);
        *(int *)field = (int)n;
        return 0;
    case K_KEYTYPE:
        if (key_type_parse(s, (enum key_type *)field) < 0) return rebad(v->w, k->name);
        return 0;
    case K_CHALLENGE:
        for (n = 0; n < 3; n++) {
            if (strcmp(s, challenges[n]) == 0) {
                *(enum challenge_type *)field = (enum challenge_type)n;
                return 0;
            }
        }
        alias = suggest(s, challenges, sizeof challenges[0], 3);
        return bad(v->w, k->name,
                   "unknown challenge type \"%s\"%s%s%s (use http-01, dns-01 or "
                   "tls-alpn-01)",
                   s, alias ? " (did you mean \"" : "", alias ? alias : "", alias ? "\"?)" : "");
    case K_DIRECTORY:
        alias = config_directory_alias(s);
        if (alias != NULL) {
            *(const char **)field = alias;
            return 0;
        }
        if (strncasecmp(s, "https://", 8) != 0 || s[8] == '\0' || s[8] == '/' ||
            strpbrk(s, " \t") != NULL) {
            alias = suggest(s, aliases, sizeof aliases[0], sizeof aliases / sizeof aliases[0]);
            if (alias != NULL)
                return bad(v->w, k->name,
                           "\"%s\" is not an https URL or a known alias (did you "
                           "mean \"%s\"?)",
                           s, alias);
            return bad(v->w, k->name,
                       "\"%s\" is not an https URL or a known alias "
                       "(letsencrypt, letsencrypt-staging, zerossl, google, "
                       "google-staging, buypass, buypass-staging)",
                       s);
        }
        break;
    case K_EAB_HMAC: {
        /* A secret: the message names the problem, never the value. */
        unsigned char key[256];
        if (b64_decode(key, sizeof key, s, len, B64_URL) < 0) {
            memset(key, 0, sizeof key);
            return bad(v->w, k->name, "not valid base64url (RFC 4648 section 5, no padding): %s",
                       strncmp(err_msg(), "base64url: ", 11) == 0 ? err_msg() + 11 : err_msg());
        }
        memset(key, 0, sizeof key);
        break;
    }
    case K_LISTEN:
        if (!listen_ok(s))
            return bad(v->w, k->name,
                       "\"%s\" is not a listen address (\"[::]:80\", "
                       "\"0.0.0.0:80\", \":80\" or \"*:80\")",
                       s);
        break;
    case K_ADDR: {
        uint8_t ip[16];
        char t[IPADDR_TEXT_MAX];
        int iplen = ipaddr_parse(s, len, ip);
        if (iplen == 0) return bad(v->w, k->name, "\"%s\" is not an IPv4 or IPv6 address", s);
        ipaddr_format(ip, (size_t)iplen, t);
        s = t;
        if ((*(const char **)field = arena_strdup(a, s, "reading the configuration")) == NULL)
            return -1;
        return 0;
    }
    default:
        break;
    }
    if ((*(const char **)field = arena_strdup(a, s, "reading the configuration")) == NULL)
        return -1;
    return 0;
}

static const struct key_def *find_key(const char *name)
{
    size_t i;
    for (i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, name) == 0) return &keys[i];
    return NULL;
}

/* Scratch space for unquoting one value (no line is longer). */
static char scratch[CONFIG_CONFIG_LINE_MAX + 1];

/* One "key = value" (file line without its newline, or -o argument). */
static int parse_setting(struct acme_config *c, const struct where *w, const char *s, size_t n,
                         int from_file, struct arena *a)
{
    const char *eq;
    char key[33];
    size_t kl, i;
    const struct key_def *k;
    uint64_t bit;
    struct value v;
    struct acme_config ignored;

    while (n > 0 && is_blank(*s)) {
        s++;
        n--;
    }
    if (from_file && (n == 0 || s[0] == '#')) return 0;
    eq = memchr(s, '=', n);
    if (eq == NULL)
        return bad(w, NULL,
                   from_file ? "line has no '=' (expected key = value)" : "expected key=value");
    kl = (size_t)(eq - s);
    while (kl > 0 && is_blank(s[kl - 1]))
        kl--;
    if (kl == 0) return bad(w, NULL, "no key before '='");
    for (i = 0; i < kl; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) break;
    if (i < kl || kl >= sizeof key) {
        /* Not echoed: a mistyped line might hold a secret. */
        for (i = 0; i < kl && i < sizeof key - 1; i++)
            key[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
        key[i] = '\0';
        k = i == kl ? find_key(key) : NULL;
        if (k != NULL)
            return bad(w, NULL, "invalid key name (keys are lower case: \"%s\")", k->name);
        return bad(w, NULL, "invalid key name (keys are lower-case letters, digits and '_')");
    }
    memcpy(key, s, kl);
    key[kl] = '\0';
    k = find_key(key);
    if (k == NULL) {
        const char *near = suggest(key, keys, sizeof keys[0], N_KEYS);
        if (near != NULL) return bad(w, key, "unknown key (did you mean \"%s\"?)", near);
        return bad(w, key, "unknown key");
    }
    bit = (uint64_t)1 << (k - keys);
    if (from_file && (c->set_by_file & bit))
        return bad(w, key, "duplicate key (already set earlier in the file)");

    v.w = w;
    v.k = k;
    v.s = eq + 1;
    v.n = n - (size_t)(eq + 1 - s);
    v.comments = from_file;
    if (v.n >= sizeof scratch)
        return bad(w, key, "value longer than CONFIG_CONFIG_LINE_MAX (%d bytes)",
                   CONFIG_CONFIG_LINE_MAX);
    v.scratch = scratch;
    if (from_file && (c->set_by_override & bit)) {
        /* -o wins: check the file's value, but keep the override. */
        ignored = *c;
        if (apply(&ignored, &v, a) < 0) return -1;
    } else if (apply(c, &v, a) < 0)
        return -1;
    if (from_file)
        c->set_by_file |= bit;
    else
        c->set_by_override |= bit;
    return 0;
}

void config_defaults(struct acme_config *c)
{
    memset(c, 0, sizeof *c);
    c->name = "acme";
    c->directory = aliases[0].url;
    c->account_key_type = KEY_EC256;
    c->key_type = KEY_EC256;
    c->csr_cn = 1;
    c->challenge = CHALLENGE_HTTP01;
    c->http_listen = "[::]:80";
    c->alpn_listen = "[::]:443";
    c->ca_file = "/etc/ssl/certs/ca-certificates.crt";
    c->timeout = 30;
    c->selfsign_days = 30;
}

/* basename without ".conf" */
static const char *config_name(const char *path, struct arena *a)
{
    const char *base = strrchr(path, '/');
    size_t n;
    base = base != NULL ? base + 1 : path;
    n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".conf") == 0) n -= 5;
    if (n == 0) return "acme";
    return arena_strndup(a, base, n, "reading the configuration");
}

int config_parse(struct acme_config *c, const char *path, const char *text, size_t len,
                 struct arena *a)
{
    struct where w = {path != NULL ? path : "config", 0};
    size_t pos = 0;

    if (path != NULL) {
        if ((c->path = arena_strdup(a, path, "reading the configuration")) == NULL ||
            (c->name = config_name(path, a)) == NULL)
            return -1;
    }
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) pos = 3; /* UTF-8 byte order mark */
    while (pos < len) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;
        pos += n + (nl != NULL);
        w.line++;
        if (n > CONFIG_CONFIG_LINE_MAX)
            return bad(&w, NULL, "line longer than CONFIG_CONFIG_LINE_MAX (%d bytes)",
                       CONFIG_CONFIG_LINE_MAX);
        if (n > 0 && line[n - 1] == '\r') n--;
        if (memchr(line, '\0', n) != NULL) return bad(&w, NULL, "NUL byte in line");
        if (parse_setting(c, &w, line, n, 1, a) < 0) return -1;
    }
    return 0;
}

int config_override(struct acme_config *c, const char *kv, struct arena *a)
{
    struct where w = {NULL, 0};
    return parse_setting(c, &w, kv, strlen(kv), 0, a);
}

static int finish_err(const struct acme_config *c, const char *key, const char *fmt, ...)
    ACME_PRINTF(3, 4);

static int finish_err(const struct acme_config *c, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(ACME_ECONFIG, "%s: %s: %s", c->path != NULL ? c->path : "configuration", key,
                   msg);
}

static const char *in_state_dir(const struct acme_config *c, const char *file, struct arena *a)
{
    size_t n = strlen(c->state_dir);
    const char *sep = n > 0 && c->state_dir[n - 1] == '/' ? "" : "/";
    return arena_printf(a, "building file names", "%s%s%s", c->state_dir, sep, file);
}

int config_finish(struct acme_config *c, struct arena *a)
{
    size_t i;
    if (c->n_domains == 0)
        return finish_err(c, "domains", "no names to certify (set domains = example.org ...)");
    for (i = 0; i < c->n_domains; i++) {
        int ip = config_name_is_ip(c->domains[i]);
        if (c->domains[i][0] == '*' && c->challenge != CHALLENGE_DNS01)
            return finish_err(c, "domains", "%s is a wildcard, which needs challenge = dns-01",
                              c->domains[i]);
        if (ip && c->challenge == CHALLENGE_DNS01)
            return finish_err(c, "domains",
                              "%s is an IP address, which cannot use dns-01 (use "
                              "http-01 or tls-alpn-01)",
                              c->domains[i]);
    }
    if (c->challenge == CHALLENGE_DNS01 && c->dns_hook == NULL)
        return finish_err(c, "dns_hook", "challenge dns-01 needs a dns_hook command");
    if (c->webroot != NULL && c->challenge != CHALLENGE_HTTP01)
        return finish_err(c, "webroot", "only used with challenge http-01 (challenge is %s)",
                          challenges[c->challenge]);
#ifndef CONFIG_HTTP01_RESPONDER
    if (c->challenge == CHALLENGE_HTTP01 && c->webroot == NULL)
        return finish_err(c, "webroot",
                          "this build has no built-in HTTP-01 responder "
                          "(CONFIG_HTTP01_RESPONDER is off): set webroot");
#endif
    if ((c->eab_kid == NULL) != (c->eab_hmac_key == NULL))
        return finish_err(c, c->eab_kid == NULL ? "eab_kid" : "eab_hmac_key",
                          "eab_kid and eab_hmac_key must be set together");
    if (c->state_dir == NULL &&
        (c->state_dir = arena_printf(a, "building file names", "/etc/acme/%s", c->name)) == NULL)
        return -1;
    if ((c->key_file == NULL && (c->key_file = in_state_dir(c, "key.pem", a)) == NULL) ||
        (c->cert_file == NULL && (c->cert_file = in_state_dir(c, "cert.pem", a)) == NULL) ||
        (c->chain_file == NULL && (c->chain_file = in_state_dir(c, "chain.pem", a)) == NULL) ||
        (c->fullchain_file == NULL &&
         (c->fullchain_file = in_state_dir(c, "fullchain.pem", a)) == NULL))
        return -1;
    return 0;
}

const char *config_directory_alias(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].name) == 0) return aliases[i].url;
    return NULL;
}

int config_name_is_ip(const char *name)
{
    uint8_t ip[16];
    return ipaddr_parse(name, strlen(name), ip) != 0;
}
