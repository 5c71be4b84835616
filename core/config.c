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
 * Every error is ACME_ECONFIG with "file:line: key: problem" (or "-o key: problem"): the checks
 * below set the problem, parse_setting() adds where it is. Values of eab_hmac_key never appear
 * in messages. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "base64.h"
#include "decimal.h"
#include "err.h"
#include "http01.h"
#include "ipaddr.h"
#include "fmt.h"
#include "str.h"

enum kind {
    /* an empty value unsets these three */
    K_STR,       /* any text */
    K_EAB_HMAC,  /* base64url secret */
    K_ADDR,      /* IP literal */
    K_DIRECTORY, /* https URL or alias */
    K_LISTEN,    /* [addr]:port */
    K_BOOL,      /* yes/no ... */
    K_INT,       /* decimal in ranges[arg] */
    K_KEYTYPE,   /* key_type_parse() */
    K_CHALLENGE, /* http-01 dns-01 tls-alpn-01 */
    K_DOMAINS,   /* list of DNS names / IP literals */
    K_EMAIL,     /* list of addresses */
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

/* Every key: X(name = its struct acme_config field, kind, arg). The order gives the key numbers
 * (KEY_<name>, the index in key_names, keys and set_by). */
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
#define KEY_NUMBER(name, kind, arg) KEY_##name,
enum { KEYS(KEY_NUMBER) };
/* Name lists: NUL-separated, ending with an empty name. */
static const char key_names[] = KEYS(KEY_NAME);
static const struct key_def keys[] = {KEYS(KEY_DEF)};
#define N_KEYS (sizeof keys / sizeof keys[0])
_Static_assert(N_KEYS <= sizeof((struct acme_config *)0)->set_by, "set_by has a byte per key");
enum { SET_BY_FILE = 1, SET_BY_OVERRIDE = 2 };
_Static_assert(sizeof(struct acme_config) <= 65535, "key_def.off is 16 bits");

static const char alias_names[] = "letsencrypt\0letsencrypt-staging\0zerossl\0google\0"
                                  "google-staging\0buypass\0buypass-staging\0";
/* The URLs of alias_names, in the same order. */
static const char alias_urls[] = "https://acme-v02.api.letsencrypt.org/directory\0"
                                 "https://acme-staging-v02.api.letsencrypt.org/directory\0"
                                 "https://acme.zerossl.com/v2/DV90\0"
                                 "https://dv.acme-v02.api.pki.goog/directory\0"
                                 "https://dv.acme-v02.test-api.pki.goog/directory\0"
                                 "https://api.buypass.com/acme/directory\0"
                                 "https://api.test4.buypass.no/acme/directory\0";

static const char challenge_names[] = "http-01\0dns-01\0tls-alpn-01\0";
_Static_assert(sizeof alias_names + 2 * 7 < 160, "unknown() lists every alias");

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

/* Prefixes the error just set with where it is: "file:line: key", "file:line", "-o key" or
 * "-o" (key NULL: not known yet, or named by the message); ACME_ECONFIG. */
static int locate(const struct where *w, const char *key)
{
    if (w->path == NULL)
        err_prefix(key != NULL ? "-o %s" : "-o", key);
    else if (key != NULL)
        err_prefix("%s:%u: %s", w->path, w->line, key);
    else
        err_prefix("%s:%u", w->path, w->line);
    return err_recode(ACME_ECONFIG);
}

/* Optimal string alignment distance (edits, with transpositions), for "did you mean". */
static unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    unsigned char d[33][33];
    if (la > 32 || lb > 32) return 99;
    for (i = 0; i <= la; i++) {
        for (j = 0; j <= lb; j++) {
            unsigned v = (unsigned)(i + j);
            if (i > 0 && j > 0) {
                v = d[i - 1][j - 1] + (unsigned)(a[i - 1] != b[j - 1]);
                if (d[i - 1][j] + 1u < v) v = d[i - 1][j] + 1u;
                if (d[i][j - 1] + 1u < v) v = d[i][j - 1] + 1u;
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                    d[i - 2][j - 2] + 1u < v)
                    v = d[i - 2][j - 2] + 1u;
            }
            d[i][j] = (unsigned char)v;
        }
    }
    return d[la][lb];
}

/* Sets "<what> "<word>" (did you mean "<name>"?)" with the closest name of the list: at most
 * 2 edits (1 for short words), or word being a prefix of at least 3 characters; else
 * "<what> "<word>" (<hint>)", hint NULL: the names of the list, comma-separated. */
static int unknown(const char *what, const char *word, const char *list, const char *hint)
{
    const char *best = NULL;
    char names[160]; /* alias_names or challenge_names with ", " between */
    size_t wl = strlen(word), cl, o = 0;
    unsigned bestd = wl < 5 ? 2 : 3, d;
    for (; (cl = strlen(list)) > 0; list += cl + 1) {
        if (hint == NULL && o + cl + 2 < sizeof names) {
            if (o > 0) {
                names[o++] = ',';
                names[o++] = ' ';
            }
            memcpy(names + o, list, cl);
            o += cl;
        }
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
    names[o] = '\0';
    if (best != NULL)
        return err_set(ACME_ECONFIG, "%s \"%s\" (did you mean \"%s\"?)", what, word, best);
    return err_set(ACME_ECONFIG, "%s \"%s\" (%s)", what, word, hint != NULL ? hint : names);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Reads the words of a value. */
struct cursor {
    const char *s;
    size_t n, pos;
    int comments;      /* '#' starting a word ends the value (files, not -o) */
    size_t start, len; /* of the last word: where it starts, unquoted length */
};

/* Next word, unquoted into out (room for the value's length + 1; may be NULL). Returns 1,
 * 0 at the end, or -1 with the error set. */
static int next_word(struct cursor *c, char *out)
{
    const char *s = c->s;
    size_t n = c->n, i = c->pos, o = 0;
    while (i < n && is_blank(s[i]))
        i++;
    if (i == n || (c->comments && s[i] == '#')) {
        c->pos = n;
        return 0;
    }
    c->start = i;
    while (i < n && !is_blank(s[i])) {
        char q = s[i], ch;
        if (q == '"' || q == '\'') {
            for (i++; i < n && s[i] != q; i++) {
                if (q == '"' && s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\'))
                    i++;
                ch = s[i];
                if (((unsigned char)ch < 0x20 && ch != '\t') || ch == 0x7f) goto ctrl;
                if (out != NULL) out[o] = ch;
                o++;
            }
            if (i == n)
                return err_set(ACME_ECONFIG,
                               q == '"' ? "unterminated \" quote" : "unterminated ' quote");
            i++; /* closing quote */
            continue;
        }
        if ((unsigned char)q < 0x20 || q == 0x7f) goto ctrl;
        if (out != NULL) out[o] = q;
        o++;
        i++;
    }
    if (out != NULL) out[o] = '\0';
    c->len = o;
    c->pos = i;
    return 1;
ctrl:
    return err_set(ACME_ECONFIG, "control character in value");
}

/* One value being applied. */
struct value {
    const struct key_def *k;
    const char *s; /* raw text after '=' */
    size_t n;
    int comments;
};

/* Scratch space for unquoting one value (no line is longer). */
static char scratch[CONFIG_CONFIG_LINE_MAX + 1];

/* The scalar text of a value into scratch (see the format above); its length. */
static long scalar(const struct value *v)
{
    struct cursor c = {v->s, v->n, 0, v->comments, 0, 0};
    size_t first = 0, last = 0, words = 0;
    int rc;
    scratch[0] = '\0';
    while ((rc = next_word(&c, words == 0 ? scratch : NULL)) > 0) {
        if (words++ == 0) first = c.start;
        last = c.pos;
    }
    if (rc < 0) return -1;
    if (words > 1) {
        /* As written, from the first word to the last (the words were checked above). */
        c.len = last - first;
        memcpy(scratch, v->s + first, c.len);
        scratch[c.len] = '\0';
    }
    return (long)c.len;
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

/* "[v6]:port", "v4:port", ":port" or "*:port" (numeric hosts): what the listeners accept,
 * checked by their own parser. */
static int listen_ok(const char *s)
{
    char host[64]; /* every IP address text fits; longer hosts are refused */
    unsigned port;
    return http01_parse_listen(s, host, sizeof host, &port) == 0;
}

#define EMAIL_MAX (64 + 1 + CONFIG_MAX_NAME_LEN)
_Static_assert(CONFIG_CONFIG_LINE_MAX >= IPADDR_TEXT_MAX, "scratch holds an IP address text");

static char to_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Checks one name of `domains` (in scratch) and turns it into its stored form in place:
 * lower case, or the canonical text of an IP address. */
static int check_name(char *name, size_t n)
{
    static char bad_char[] = "invalid character '?' in a host name";
    uint8_t ip[16];
    size_t i, label = 0, start = 0;
    int iplen = ipaddr_parse(name, n, ip);
    const char *why, *last;
    if (iplen != 0) {
        ipaddr_format(ip, (size_t)iplen, name);
        return 0;
    }
    why = "write IPv6 addresses without brackets";
    if (name[0] == '[') goto bad;
    why = "not a valid IPv6 address";
    if (memchr(name, ':', n) != NULL) goto bad;
    if (n > CONFIG_MAX_NAME_LEN)
        return err_set(ACME_ECONFIG,
                       "%.40s...: name of %zu characters is longer than CONFIG_MAX_NAME_LEN (%d)",
                       name, n, CONFIG_MAX_NAME_LEN);
    if (n >= 2 && name[0] == '*' && name[1] == '.') start = 2;
    why = "a wildcard must be the whole leftmost label (*.example.org)";
    if (memchr(name + start, '*', n - start) != NULL) goto bad;
    for (i = start; i <= n; i++) {
        char c = i < n ? to_lower(name[i]) : '.';
        if (c == '.') {
            why = "empty label (leading, trailing or double dot)";
            if (label == 0) goto bad;
            why = "a label cannot start or end with '-'";
            if (name[i - 1] == '-' || name[i - label] == '-') goto bad;
            why = "label longer than 63 characters";
            if (label > 63) goto bad;
            label = 0;
        } else if (c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
            label++;
        } else {
            why = "non-ASCII name; use its IDNA form (xn--...)";
            if ((unsigned char)c >= 0x80) goto bad;
            bad_char[19] = c;
            why = bad_char;
            goto bad;
        }
    }
    /* A last label of digits only is an attempted IPv4 address (no TLD is numeric). */
    last = strrchr(name, '.');
    last = last != NULL ? last + 1 : name;
    why = "not a valid IPv4 address";
    if (strspn(last, "0123456789") == strlen(last)) goto bad;
    for (i = 0; i < n; i++)
        name[i] = to_lower(name[i]);
    return 0;
bad:
    return err_set(ACME_ECONFIG, "%s: %s", name, why);
}

/* Checks one email address (in scratch) and turns it into its stored form in place: without
 * an optional "mailto:", domain in lower case. Returns the address. */
static char *check_email(char *s, size_t n)
{
    static char bad_char[] = "character '?' is not allowed in an email address";
    const char *at, *why = "invalid domain part";
    size_t i, local;
    if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
        s += 7;
        n -= 7;
    }
    if (n > EMAIL_MAX) {
        err_set(ACME_ECONFIG, "%.40s...: address longer than %d characters", s, EMAIL_MAX);
        return NULL;
    }
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
    }
    if (n - local - 1 <= CONFIG_MAX_NAME_LEN && at[1] != '.' && s[n - 1] != '.' &&
        str_find(at, "..") == NULL && strchr(at, '.') != NULL) {
        for (i = local + 1; i < n; i++)
            s[i] = to_lower(s[i]);
        return s;
    }
bad:
    err_set(ACME_ECONFIG, "%s: %s", s, why);
    return NULL;
}

/* domains or email: the list replaces the earlier one. */
static int apply_list(struct acme_config *c, const struct value *v, struct arena *a)
{
    int domains = v->k->kind == K_DOMAINS;
    size_t max = domains ? CONFIG_MAX_NAMES : CONFIG_MAX_EMAILS, i;
    const char **items = domains ? c->domains : c->email;
    size_t *count = domains ? &c->n_domains : &c->n_email;
    struct cursor cur = {v->s, v->n, 0, v->comments, 0, 0};
    int rc;
    *count = 0;
    while ((rc = next_word(&cur, scratch)) > 0) {
        char *item = scratch;
        if (cur.len == 0) return err_set(ACME_ECONFIG, "empty item (\"\")");
        if (*count == max)
            return err_set(ACME_ECONFIG, "more than %zu %s", max,
                           domains ? "names (the limit is CONFIG_MAX_NAMES)"
                                   : "addresses (the limit is CONFIG_MAX_EMAILS)");
        if (domains ? check_name(item, cur.len) < 0 : (item = check_email(item, cur.len)) == NULL)
            return -1;
        for (i = 0; i < *count; i++)
            if (strcmp(items[i], item) == 0)
                return err_set(ACME_ECONFIG, "%s is listed twice", item);
        if ((items[*count] = arena_strdup(a, item, "reading the configuration")) == NULL) return -1;
        ++*count;
    }
    return rc;
}

static int apply(struct acme_config *c, const struct value *v, struct arena *a)
{
    const struct key_def *k = v->k;
    void *field = (char *)c + k->off;
    const char *s = scratch, *what; /* what: the kind of value s is not */
    uint8_t bin[256];               /* an IP address, or the decoded EAB key */
    long n;

    if (k->kind == K_DOMAINS || k->kind == K_EMAIL) return apply_list(c, v, a);
    if ((n = scalar(v)) < 0) return -1;
    if (n == 0) {
        if (k->kind == K_OFF) return 0;
        if (k->kind > K_ADDR) return err_set(ACME_ECONFIG, "empty value");
        *(const char **)field = NULL;
        return 0;
    }
    switch (k->kind) {
    case K_BOOL:
        what = "a boolean (use yes/no, true/false, on/off or 1/0)";
        if ((n = parse_bool(s)) < 0) goto not_a;
        *(int *)field = (int)n;
        return 0;
    case K_INT:
        what = "a number";
        if ((n = decimal_parse(s, 9)) < 0) goto not_a;
        if (n < ranges[k->arg][0] || n > ranges[k->arg][1])
            return err_set(ACME_ECONFIG, "%ld is out of range (%ld..%ld)", n,
                           (long)ranges[k->arg][0], (long)ranges[k->arg][1]);
        *(int *)field = (int)n;
        return 0;
    case K_KEYTYPE:
        return key_type_parse(s, (enum key_type *)field);
    case K_CHALLENGE:
        n = list_find(challenge_names, s);
#if !defined(CONFIG_DNS01_HOOK)
        if (n == CHALLENGE_DNS01) return err_set(ACME_ECONFIG, "dns-01: " ACME_NO_DNS01);
#endif
        if (n < 0) return unknown("unknown challenge type", s, challenge_names, NULL);
        *(enum challenge_type *)field = (enum challenge_type)n;
        return 0;
    case K_DIRECTORY:
        if ((n = list_find(alias_names, s)) >= 0) {
            *(const char **)field = list_at(alias_urls, (int)n);
            return 0;
        }
        if (strncasecmp(s, "https://", 8) != 0 || s[8] == '\0' || s[8] == '/' ||
            strpbrk(s, " \t") != NULL)
            return unknown("not an https URL or a known alias:", s, alias_names, NULL);
        break;
    case K_EAB_HMAC:
        /* A secret: the message names the problem, never the value. */
        n = b64_decode(bin, sizeof bin, s, (size_t)n, B64_URL);
        memset(bin, 0, sizeof bin);
        if (n < 0) return -1;
        break;
    case K_LISTEN:
        what = "a listen address (\"[::]:80\", \"0.0.0.0:80\", \":80\" or \"*:80\")";
        if (!listen_ok(s)) goto not_a;
        break;
    case K_ADDR:
        what = "an IPv4 or IPv6 address";
        if ((n = ipaddr_parse(s, (size_t)n, bin)) == 0) goto not_a;
        ipaddr_format(bin, (size_t)n, scratch);
        break;
#if !defined(CONFIG_DNS01_HOOK) || !defined(CONFIG_SELFSIGN)
    case K_OFF:
        if (parse_bool(s) == 0) return 0; /* "no": what this build does anyway */
        return err_set(ACME_ECONFIG, "%s", k->arg == OFF_DNS01 ? ACME_NO_DNS01 : ACME_NO_SELFSIGN);
#endif
    default:
        break;
    }
    if ((*(const char **)field = arena_strdup(a, s, "reading the configuration")) == NULL)
        return -1;
    return 0;
not_a:
    return err_set(ACME_ECONFIG, "\"%s\" is not %s", s, what);
}

/* One "key = value" (file line without its newline, or -o argument). */
static int parse_setting(struct acme_config *c, const struct where *w, const char *s, size_t n,
                         struct arena *a)
{
    int from_file = w->path != NULL, idx, upper = 0, invalid;
    const char *eq, *at = NULL; /* the key, once known */
    char key[33];
    size_t kl, i;
    uint8_t *set_by;
    struct value v;
    struct acme_config ignored;

    if (n > CONFIG_CONFIG_LINE_MAX) {
        err_set(ACME_ECONFIG, "line longer than CONFIG_CONFIG_LINE_MAX (%d bytes)",
                CONFIG_CONFIG_LINE_MAX);
        goto fail;
    }
    if (from_file && n > 0 && s[n - 1] == '\r') n--;
    if (memchr(s, '\0', n) != NULL) {
        err_set(ACME_ECONFIG, "NUL byte in line");
        goto fail;
    }
    while (n > 0 && is_blank(*s)) {
        s++;
        n--;
    }
    if (from_file && (n == 0 || s[0] == '#')) return 0;
    if ((eq = memchr(s, '=', n)) == NULL) {
        err_set(ACME_ECONFIG,
                from_file ? "line has no '=' (expected key = value)" : "expected key=value");
        goto fail;
    }
    kl = (size_t)(eq - s);
    while (kl > 0 && is_blank(s[kl - 1]))
        kl--;
    if (kl == 0) {
        err_set(ACME_ECONFIG, "no key before '='");
        goto fail;
    }
    invalid = kl >= sizeof key;
    for (i = 0; i < kl && !invalid; i++) {
        key[i] = to_lower(s[i]);
        upper |= key[i] != s[i];
        invalid = !((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
                    key[i] == '_');
    }
    key[i] = '\0';
    idx = invalid ? -1 : list_find(key_names, key);
    /* Not echoed unless it is a known key: a mistyped line might hold a secret. */
    if (upper && idx >= 0) {
        err_set(ACME_ECONFIG, "invalid key name (keys are lower case: \"%s\")", key);
        goto fail;
    }
    if (invalid || upper) {
        err_set(ACME_ECONFIG, "invalid key name (keys are lower-case letters, digits and '_')");
        goto fail;
    }
    if (idx < 0) {
        unknown("unknown key", key, key_names, "see acme(1)");
        goto fail;
    }
    at = key;
    set_by = &c->set_by[idx];
    if (from_file && (*set_by & SET_BY_FILE)) {
        err_set(ACME_ECONFIG, "duplicate key (already set earlier in the file)");
        goto fail;
    }
    v.k = &keys[idx];
    v.s = eq + 1;
    v.n = n - (size_t)(eq + 1 - s);
    v.comments = from_file;
    if (from_file && (*set_by & SET_BY_OVERRIDE)) {
        /* -o wins: check the file's value, but keep the override. */
        ignored = *c;
        if (apply(&ignored, &v, a) < 0) goto fail;
    } else if (apply(c, &v, a) < 0)
        goto fail;
    *set_by |= from_file ? SET_BY_FILE : SET_BY_OVERRIDE;
    return 0;
fail:
    return locate(w, at);
}

void config_defaults(struct acme_config *c)
{
    memset(c, 0, sizeof *c);
    c->name = "acme";
    c->directory = alias_urls; /* letsencrypt */
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
        if (parse_setting(c, &w, line, n, a) < 0) return -1;
    }
    return 0;
}

int config_override(struct acme_config *c, const char *kv, struct arena *a)
{
    struct where w = {NULL, 0};
    return parse_setting(c, &w, kv, strlen(kv), a);
}

/* The files that default to a name in state_dir. */
static const uint16_t state_file_fields[] = {
    offsetof(struct acme_config, key_file),
    offsetof(struct acme_config, cert_file),
    offsetof(struct acme_config, chain_file),
    offsetof(struct acme_config, fullchain_file),
};
static const char state_file_names[] = "key.pem\0cert.pem\0chain.pem\0fullchain.pem\0";

int config_finish(struct acme_config *c, struct arena *a)
{
    const char *sep, *name = state_file_names;
    int key = KEY_domains; /* the key named by an error */
    size_t i;
    if (c->n_domains == 0) {
        err_set(ACME_ECONFIG, "no names to certify (set domains = example.org ...)");
        goto bad;
    }
    for (i = 0; i < c->n_domains; i++) {
        if (c->domains[i][0] == '*' && c->challenge != CHALLENGE_DNS01) {
            err_set(ACME_ECONFIG, "%s is a wildcard, which needs challenge = dns-01",
                    c->domains[i]);
            goto bad;
        }
        if (c->challenge == CHALLENGE_DNS01 && config_name_is_ip(c->domains[i])) {
            err_set(ACME_ECONFIG,
                    "%s is an IP address, which cannot use dns-01 (use http-01 or tls-alpn-01)",
                    c->domains[i]);
            goto bad;
        }
    }
    key = KEY_dns_hook;
    if (c->challenge == CHALLENGE_DNS01 && c->dns_hook == NULL) {
        err_set(ACME_ECONFIG, "challenge dns-01 needs a dns_hook command");
        goto bad;
    }
    key = KEY_webroot;
    if (c->webroot != NULL && c->challenge != CHALLENGE_HTTP01) {
        err_set(ACME_ECONFIG, "only used with challenge http-01 (challenge is %s)",
                list_at(challenge_names, (int)c->challenge));
        goto bad;
    }
#ifndef CONFIG_HTTP01_RESPONDER
    if (c->challenge == CHALLENGE_HTTP01 && c->webroot == NULL) {
        err_set(ACME_ECONFIG, "this build has no built-in HTTP-01 responder "
                              "(CONFIG_HTTP01_RESPONDER is off): set webroot");
        goto bad;
    }
#endif
    if ((c->eab_kid == NULL) != (c->eab_hmac_key == NULL)) {
        key = c->eab_kid == NULL ? KEY_eab_kid : KEY_eab_hmac_key;
        err_set(ACME_ECONFIG, "eab_kid and eab_hmac_key must be set together");
        goto bad;
    }
    if (c->state_dir == NULL &&
        (c->state_dir = arena_printf(a, "building file names", "/etc/acme/%s", c->name)) == NULL)
        return -1;
    i = strlen(c->state_dir);
    sep = i > 0 && c->state_dir[i - 1] == '/' ? "" : "/";
    for (i = 0; i < sizeof state_file_fields / sizeof state_file_fields[0]; i++) {
        const char **file = (const char **)((char *)c + state_file_fields[i]);
        if (*file == NULL && (*file = arena_printf(a, "building file names", "%s%s%s", c->state_dir,
                                                   sep, name)) == NULL)
            return -1;
        name += strlen(name) + 1;
    }
    return 0;
bad:
    return err_prefix("%s: %s", c->path != NULL ? c->path : "configuration",
                      list_at(key_names, key));
}

const char *config_directory_alias(const char *name)
{
    int i = list_find(alias_names, name);
    return i >= 0 ? list_at(alias_urls, i) : NULL;
}

int config_name_is_ip(const char *name)
{
    uint8_t ip[16];
    return ipaddr_parse(name, strlen(name), ip) != 0;
}
