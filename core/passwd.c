/* `user = NAME` or `user = UID:GID`, and NAME's ids from the text of /etc/passwd, without
 * libc's getpwnam (which brings stdio, getline and malloc into the static binary). */
#include "passwd.h"

#include <string.h>

#include "err.h"

#define PASSWD_FIELDS 7
/* How much of a bad field an error message shows. */
#define SHOW_MAX 32

/* A decimal id: 1 to 10 digits, nothing else, at most 4294967294 ((uid_t)-1 means "leave
 * unchanged" to the kernel). 0 with *id set, or -1. */
static int parse_id(const char *s, size_t n, uint32_t *id)
{
    uint32_t v = 0;
    size_t i;
    if (n == 0 || n > 10) return -1;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9 || v > (UINT32_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    if (v == UINT32_MAX) return -1;
    *id = v;
    return 0;
}

int passwd_ids(const char *value, uint32_t *uid, uint32_t *gid)
{
    const char *colon = strchr(value, ':');
    if (colon == NULL) return 0;
    if (parse_id(value, (size_t)(colon - value), uid) < 0 ||
        parse_id(colon + 1, strlen(colon + 1), gid) < 0)
        return err_set(ACME_ECONFIG,
                       "'%.*s' is neither a user name nor UID:GID (two decimal numbers below "
                       "4294967295)",
                       SHOW_MAX * 2, value);
    return 1;
}

/* The matching entry line[n] (line number lineno): its uid and gid, or -1 with the error. */
static int parse_entry(const char *line, size_t n, unsigned lineno, uint32_t *uid, uint32_t *gid)
{
    const char *field[PASSWD_FIELDS];
    size_t flen[PASSWD_FIELDS], i, start = 0;
    unsigned nf = 0;

    if (n > PASSWD_LINE_MAX)
        return err_set(ACME_ECONFIG, "line %u: entry longer than %d bytes", lineno,
                       PASSWD_LINE_MAX);
    if (n > 0 && line[n - 1] == '\r') n--;
    for (i = 0; i <= n; i++) {
        if (i < n && line[i] != ':') continue;
        if (nf == PASSWD_FIELDS) {
            nf++;
            break;
        }
        field[nf] = line + start;
        flen[nf++] = i - start;
        start = i + 1;
    }
    if (nf != PASSWD_FIELDS)
        return err_set(ACME_ECONFIG,
                       "line %u: %s %d fields (name:password:uid:gid:gecos:home:shell)", lineno,
                       nf < PASSWD_FIELDS ? "fewer than" : "more than", PASSWD_FIELDS);
    for (i = 2; i <= 3; i++)
        if (parse_id(field[i], flen[i], i == 2 ? uid : gid) < 0)
            return err_set(
                ACME_ECONFIG, "line %u: %s '%.*s' is not a decimal number below 4294967295", lineno,
                i == 2 ? "uid" : "gid", (int)(flen[i] < SHOW_MAX ? flen[i] : SHOW_MAX), field[i]);
    return 1;
}

int passwd_find(const char *text, size_t len, const char *name, uint32_t *uid, uint32_t *gid)
{
    size_t nl = strlen(name), pos = 0;
    unsigned lineno = 0;

    if (nl == 0) return err_set(ACME_ECONFIG, "empty user name");
    if (strpbrk(name, ":\n") != NULL)
        return err_set(ACME_ECONFIG, "'%.*s' is not a user name (':' or a line break in it)",
                       SHOW_MAX * 2, name);
    while (pos < len) {
        const char *line = text + pos;
        const char *end = memchr(line, '\n', len - pos);
        size_t n = end != NULL ? (size_t)(end - line) : len - pos;
        pos += n + 1;
        lineno++;
        if (n > nl && line[nl] == ':' && memcmp(line, name, nl) == 0)
            return parse_entry(line, n, lineno, uid, gid);
    }
    return 0;
}
