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
    K_INT,       /* decimal in ranges[arg] */
    K_KEYTYPE,   /* key_type_parse() */
    K_CHALLENGE, /* http-01 dns-01 tls-alpn-01 */
    K_DIRECTORY, /* https URL or alias */
    K_DOMAINS,   /* list of DNS names / IP literals */
    K_EMAIL,     /* list of addresses */
    K_EAB_HMAC,  /* base64url secret */
    K_LISTEN,    /* [addr]:port */
    K_ADDR,      /* IP literal */
    K_OFF        /* a feature this build left out (arg: OFF_*): only empty or false accepted */
};

enum { R_0_3600 = 1, R_1_3600, R_0_365, R_0_86400, R_1_3650 };
static const int32_t ranges[][2] = {{0, 0}, {0, 3600}, {1, 3600}, {0, 365}, {0, 86400}, {1, 3650}};
enum { OFF_DNS01, OFF_SELFSIGN };

#if defined(CONFIG_DNS01_HOOK)
#define IF_DNS01(kind) kind
#else
#define IF_DNS01(kind) K_OFF
#endif
#if defined(CONFIG_SELFSIGN)
#define IF_SELFSIGN(kind) kind
#else
#define IF_SELFSIGN(kind) K_OFF
#endif

/* Every key: X(name = its struct acme_config field, kind, arg). The order is the bit order of
 * set_by_file/set_by_override. */
#define KEYS(X)                                                                                    \
    X(directory, K_DIRECTORY, 0)                                                                   \
    X(email, K_EMAIL, 0)                                                                           \
    X(agree_tos, K_BOOL, 0)                                                                        \
    X(eab_kid, K_STR, 0)                                                                           \
    X(eab_hmac_key, K_EAB_HMAC, 0)                                                                 \
    X(account_key_type, K_KEYTYPE, 0)                                                              \
    X(domains, K_DOMAINS, 0)                                                                       \
    X(key_type, K_KEYTYPE, 0)                                                                      \
    X(csr_cn, K_BOOL, 0)                                                                           \
    X(must_staple, K_BOOL, 0)                                                                      \
    X(profile, K_STR, 0)                                                                           \
    X(preferred_chain, K_STR, 0)                                                                   \
    X(challenge, K_CHALLENGE, 0)                                                                   \
    X(http_listen, K_LISTEN, 0)                                                                    \
    X(webroot, K_STR, 0)                                                                           \
    X(dns_hook, IF_DNS01(K_STR), OFF_DNS01)                                                        \
    X(dns_wait, K_INT, R_0_3600)                                                                   \
    X(alpn_listen, K_LISTEN, 0)                                                                    \
    X(state_dir, K_STR, 0)                                                                         \
    X(key_file, K_STR, 0)                                                                          \
    X(cert_file, K_STR, 0)                                                                         \
    X(chain_file, K_STR, 0)                                                                        \
    X(fullchain_file, K_STR, 0)                                                                    \
    X(link_cert, K_STR, 0)                                                                         \
    X(link_key, K_STR, 0)                                                                          \
    X(link_fullchain, K_STR, 0)                                                                    \
    X(reload, K_STR, 0)                                                                            \
    X(user, K_STR, 0)                                                                              \
    X(ca_file, K_STR, 0)                                                                           \
    X(timeout, K_INT, R_1_3600)                                                                    \
    X(bind_address, K_ADDR, 0)                                                                     \
    X(renew_days, K_INT, R_0_365)                                                                  \
    X(jitter, K_INT, R_0_86400)                                                                    \
    X(reuse_key, K_BOOL, 0)                                                                        \
    X(selfsign_days, K_INT, R_1_3650)                                                              \
    X(selfsign_fallback, IF_SELFSIGN(K_BOOL), OFF_SELFSIGN)

struct key_def {
    uint16_t off; /* of the field in struct acme_config */
    uint8_t kind, arg;
};

#define KEY_NAME(name, kind, arg) #name "\0"
#define KEY_DEF(name, kind, arg) {offsetof(struct acme_config, name), kind, arg},
/* Name lists: NUL-separated, ending with an empty name. */
static const char key_names[] = KEYS(KEY_NAME);
static const struct key_def keys[] = {KEYS(KEY_DEF)};
#define N_KEYS (sizeof keys / sizeof keys[0])
_Static_assert(N_KEYS <= 64, "set_by_file/set_by_override hold one bit per key");
_Static_assert(sizeof(struct acme_config) <= 65535, "key_def.off is 16 bits");

static const char alias_names[] = "letsencrypt\0letsencrypt-staging\0zerossl\0google\0"
                                  "google-staging\0buypass\0buypass-staging\0";
static const char *const alias_urls[] = {
    "https://acme-v02.api.letsencrypt.org/directory",
    "https://acme-staging-v02.api.letsencrypt.org/directory",
    "https://acme.zerossl.com/v2/DV90",
    "https://dv.acme-v02.api.pki.goog/directory",
    "https://dv.acme-v02.test-api.pki.goog/directory",
    "https://api.buypass.com/acme/directory",
    "https://api.test4.buypass.no/acme/directory",
};

#define ALIAS_LIST                                                                                 \
    "letsencrypt, letsencrypt-staging, zerossl, google, google-staging, buypass, buypass-staging"

static const char challenge_names[] = "http-01\0dns-01\0tls-alpn-01\0";

/* The index of s in a name list, or -1. */
static int list_find(const char *list, const char *s)
{
    int i;
    for (i = 0; *list != '\0'; i++, list += strlen(list) + 1)
        if (strcmp(list, s) == 0) return i;
    return -1;
}

/* Name i of a name list (i is in range). */
static const char *list_at(const char *list, int i)
{
    while (i-- > 0)
        list += strlen(list) + 1;
    return list;
}

/* Where a setting comes from: a file line, or -o (path NULL). */
struct where {
    const char *path;
    unsigned line;
};

static void where_text(const struct where *w, const char *key, char *out, size_t cap)
{
    if (w->path != NULL && key != NULL)
        fmt_snprintf(out, cap, "%s:%u: %s", w->path, w->line, key);
    else if (w->path != NULL)
        fmt_snprintf(out, cap, "%s:%u", w->path, w->line);
    else
        fmt_snprintf(out, cap, key != NULL ? "-o %s" : "-o%s", key != NULL ? key : "");
}

/* "file:line: key: message" (or "-o key: message"), ACME_ECONFIG. */
static int vbad(const struct where *w, const char *key, const char *fmt, va_list ap)
{
    char loc[512], msg[512];
    fmt_vsnprintf(msg, sizeof msg, fmt, ap);
    where_text(w, key, loc, sizeof loc);
    return err_set(ACME_ECONFIG, "%s: %s", loc, msg);
}

static int bad(const struct where *w, const char *key, const char *fmt, ...) ACME_PRINTF(3, 4);
static int bad(const struct where *w, const char *key, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = vbad(w, key, fmt, ap);
    va_end(ap);
    return rc;
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

/* The closest name of a name list to word, or NULL when none is close: at most 2 edits (1 for
 * short words), or word being a prefix of at least 3 characters. */
static const char *suggest(const char *word, const char *list)
{
    const char *best = NULL;
    size_t wl = strlen(word), cl;
    unsigned bestd = wl < 5 ? 2 : 3, d;
    for (; (cl = strlen(list)) > 0; list += cl + 1) {
        if (wl >= 3 && strncmp(list, word, wl) == 0)
            d = 1;
        else if (wl + 2 < cl || cl + 2 < wl)
            continue; /* at least 3 edits apart */
        else
            d = edit_distance(word, list);
        if (d < bestd) {
            bestd = d;
            best = list;
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
    const char *key; /* its name */
    const struct key_def *k;
    const char *s; /* raw text after '=' */
    size_t n;
    int comments;
    char *scratch; /* n + 1 bytes */
};

/* bad() for the value being applied. */
static int vb(const struct value *v, const char *fmt, ...) ACME_PRINTF(2, 3);
static int vb(const struct value *v, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = vbad(v->w, v->key, fmt, ap);
    va_end(ap);
    return rc;
}

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
    if (rc < 0) return vb(v, "%s", why);
    if (words > 1) {
        *len = last1 - first0;
        memcpy(v->scratch, v->s + first0, *len);
        v->scratch[*len] = '\0';
        if (memchr(v->scratch, '\0', *len) != NULL || strpbrk(v->scratch, "\r\n\x7f") != NULL)
            return vb(v, "control character in value");
    }
    return 0;
}

/* yes/true/on/1 -> 1, no/false/off/0 -> 0 (any case), else -1. */
static int parse_bool(const char *s)
{
    static const char words[] = "no\0yes\0false\0true\0off\0on\0"
                                "0\0"
                                "1\0";
    const char *w = words;
    int i;
    for (i = 0; *w != '\0'; i++, w += strlen(w) + 1)
        if (strcasecmp(s, w) == 0) return i & 1;
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
    static char bad_char[] = "invalid character '?' in a host name";
    uint8_t ip[16];
    size_t i, label = 0, start = 0;
    int iplen = ipaddr_parse(name, n, ip);
    const char *why, *last;
    if (iplen != 0) {
        char t[IPADDR_TEXT_MAX];
        ipaddr_format(ip, (size_t)iplen, t);
        memcpy(out, t, strlen(t) + 1);
        return 0;
    }
    if (name[0] == '[') {
        why = "write IPv6 addresses without brackets";
        goto bad;
    }
    why = "not a valid IPv6 address";
    if (memchr(name, ':', n) != NULL) goto bad;
    if (n > CONFIG_MAX_NAME_LEN)
        return vb(v, "%.40s...: name of %zu characters is longer than CONFIG_MAX_NAME_LEN (%d)",
                  name, n, CONFIG_MAX_NAME_LEN);
    if (n >= 2 && name[0] == '*' && name[1] == '.') start = 2;
    why = "a wildcard must be the whole leftmost label (*.example.org)";
    if (memchr(name + start, '*', n - start) != NULL) goto bad;
    memcpy(out, name, start);
    for (i = start; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)name[i] : '.';
        if (c == '.') {
            why = "empty label (leading, trailing or double dot)";
            if (label == 0) goto bad;
            why = "a label cannot start or end with '-'";
            if (name[i - 1] == '-' || name[i - label] == '-') goto bad;
            why = "label longer than 63 characters";
            if (label > 63) goto bad;
            label = 0;
        } else if (c >= 0x80) {
            why = "non-ASCII name; use its IDNA form (xn--...)";
            goto bad;
        } else if (c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
            label++;
        else if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c - 'A' + 'a');
            label++;
        } else {
            bad_char[19] = (char)c;
            why = bad_char;
            goto bad;
        }
        if (i < n) out[i] = (char)c;
    }
    out[n] = '\0';
    /* A last label of digits only is an attempted IPv4 address (no TLD is numeric). */
    last = strrchr(out, '.');
    last = last != NULL ? last + 1 : out;
    why = "not a valid IPv4 address";
    if (strspn(last, "0123456789") != strlen(last)) return 0;
bad:
    return vb(v, "%s: %s", name, why);
}

/* One email address (an optional "mailto:" is dropped): local@domain, domain stored lower
 * case. out has room for EMAIL_MAX + 1 bytes. */
static int check_email(const struct value *v, const char *s, size_t n, char *out)
{
    static char bad_char[] = "character '?' is not allowed in an email address";
    const char *at, *why = "invalid domain part";
    size_t i, local;
    if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
        s += 7;
        n -= 7;
    }
    if (n > EMAIL_MAX) return vb(v, "%.40s...: address longer than %d characters", s, EMAIL_MAX);
    at = memchr(s, '@', n);
    if (at == NULL || at == s || at == s + n - 1 || memchr(at + 1, '@', n - (size_t)(at - s) - 1)) {
        why = "not an email address (user@example.org)";
        goto bad;
    }
    local = (size_t)(at - s);
    if (local > 64) {
        why = "local part longer than 64 characters";
        goto bad;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || strchr(" ,;<>?()[]\\\"", c) != NULL) {
            bad_char[11] = (char)(c >= 0x80 ? '?' : c);
            why = bad_char;
            goto bad;
        }
        if (i > local && (c == '*' || c == '_')) goto bad;
        out[i] = (char)(i > local && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    out[n] = '\0';
    if (n - local - 1 <= CONFIG_MAX_NAME_LEN && out[local + 1] != '.' && out[n - 1] != '.' &&
        strstr(out + local, "..") == NULL && strchr(out + local, '.') != NULL)
        return 0;
bad:
    return vb(v, "%s: %s", s, why);
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
        if (wl == 0) return vb(v, "empty item (\"\")");
        if (count == max) {
            if (domains) return vb(v, "more than %zu names (the limit is CONFIG_MAX_NAMES)", max);
            return vb(v, "more than %zu addresses (CONFIG_MAX_EMAILS)", max);
        }
        if (domains) {
            if (check_name(v, v->scratch, wl, name) < 0) return -1;
            stored = name;
        } else {
            if (check_email(v, v->scratch, wl, email) < 0) return -1;
            stored = email;
        }
        for (i = 0; i < count; i++)
            if (strcmp(items[i], stored) == 0) return vb(v, "%s is listed twice", stored);
        if ((items[count] = arena_strdup(a, stored, "reading the configuration")) == NULL)
            return -1;
        count++;
    }
    if (rc < 0) return vb(v, "%s", why);
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
    char t[IPADDR_TEXT_MAX];
    uint8_t ip[256]; /* an IP address, or the decoded EAB key */
    size_t len;
    long n;

    if (k->kind == K_DOMAINS || k->kind == K_EMAIL) return apply_list(c, v, a);
    if (scalar(v, &len) < 0) return -1;
    if (len == 0) {
        if (k->kind == K_STR || k->kind == K_EAB_HMAC || k->kind == K_ADDR) {
            *(const char **)field = NULL;
            return 0;
        }
        if (k->kind == K_OFF) return 0;
        return vb(v, "empty value");
    }
    switch (k->kind) {
    case K_BOOL:
        if ((n = parse_bool(s)) < 0)
            return vb(v, "\"%s\" is not a boolean (use yes/no, true/false, on/off or 1/0)", s);
        *(int *)field = (int)n;
        return 0;
    case K_INT:
        n = parse_uint(s);
        if (n < 0) return vb(v, "\"%s\" is not a number", s);
        if (n < ranges[k->arg][0] || n > ranges[k->arg][1])
            return vb(v, "%ld is out of range (%ld..%ld)", n, (long)ranges[k->arg][0],
                      (long)ranges[k->arg][1]);
        *(int *)field = (int)n;
        return 0;
    case K_KEYTYPE:
        if (key_type_parse(s, (enum key_type *)field) < 0) return rebad(v->w, v->key);
        return 0;
    case K_CHALLENGE:
        n = list_find(challenge_names, s);
#if !defined(CONFIG_DNS01_HOOK)
        if (n == CHALLENGE_DNS01) return vb(v, "dns-01: " ACME_NO_DNS01);
#endif
        if (n >= 0) {
            *(enum challenge_type *)field = (enum challenge_type)n;
            return 0;
        }
        alias = suggest(s, challenge_names);
        return vb(v, "unknown challenge type \"%s\"%s%s%s (use http-01, dns-01 or tls-alpn-01)", s,
                  alias ? " (did you mean \"" : "", alias ? alias : "", alias ? "\"?)" : "");
    case K_DIRECTORY:
        alias = config_directory_alias(s);
        if (alias != NULL) {
            *(const char **)field = alias;
            return 0;
        }
        if (strncasecmp(s, "https://", 8) != 0 || s[8] == '\0' || s[8] == '/' ||
            strpbrk(s, " \t") != NULL) {
            alias = suggest(s, alias_names);
            return vb(v, "\"%s\" is not an https URL or a known alias (%s%s%s)", s,
                      alias ? "did you mean \"" : ALIAS_LIST, alias ? alias : "",
                      alias ? "\"?" : "");
        }
        break;
    case K_EAB_HMAC:
        /* A secret: the message names the problem, never the value. */
        n = b64_decode(ip, sizeof ip, s, len, B64_URL);
        memset(ip, 0, sizeof ip);
        if (n < 0)
            return vb(v, "not valid base64url (RFC 4648 section 5, no padding): %s",
                      strncmp(err_msg(), "base64url: ", 11) == 0 ? err_msg() + 11 : err_msg());
        break;
    case K_LISTEN:
        if (!listen_ok(s))
            return vb(v,
                      "\"%s\" is not a listen address (\"[::]:80\", \"0.0.0.0:80\", \":80\" or "
                      "\"*:80\")",
                      s);
        break;
    case K_ADDR:
        n = ipaddr_parse(s, len, ip);
        if (n == 0) return vb(v, "\"%s\" is not an IPv4 or IPv6 address", s);
        ipaddr_format(ip, (size_t)n, t);
        s = t;
        break;
#if !defined(CONFIG_DNS01_HOOK) || !defined(CONFIG_SELFSIGN)
    case K_OFF:
        if (parse_bool(s) == 0) return 0; /* "no": what this build does anyway */
        return vb(v, "%s", k->arg == OFF_DNS01 ? ACME_NO_DNS01 : ACME_NO_SELFSIGN);
#endif
    default:
        break;
    }
    if ((*(const char **)field = arena_strdup(a, s, "reading the configuration")) == NULL)
        return -1;
    return 0;
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
    int idx;
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
        if (i == kl && list_find(key_names, key) >= 0)
            return bad(w, NULL, "invalid key name (keys are lower case: \"%s\")", key);
        return bad(w, NULL, "invalid key name (keys are lower-case letters, digits and '_')");
    }
    memcpy(key, s, kl);
    key[kl] = '\0';
    idx = list_find(key_names, key);
    if (idx < 0) {
        const char *near = suggest(key, key_names);
        if (near != NULL) return bad(w, key, "unknown key (did you mean \"%s\"?)", near);
        return bad(w, key, "unknown key");
    }
    bit = (uint64_t)1 << idx;
    if (from_file && (c->set_by_file & bit))
        return bad(w, key, "duplicate key (already set earlier in the file)");

    v.w = w;
    v.key = key;
    v.k = &keys[idx];
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
    c->directory = alias_urls[0];
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
                          list_at(challenge_names, (int)c->challenge));
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
    int i = list_find(alias_names, name);
    return i >= 0 ? alias_urls[i] : NULL;
}

int config_name_is_ip(const char *name)
{
    uint8_t ip[16];
    return ipaddr_parse(name, strlen(name), ip) != 0;
}
