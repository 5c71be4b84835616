/* libFuzzer target: core/passwd.c. The input is a user name, a NUL byte, then the text of an
 * /etc/passwd (no NUL byte: all of it is the name). Checks: the answer is 1, 0 or -1; an
 * error comes with a message and 0 leaves none; a found entry really is a line starting with
 * "name:" whose uid and gid fields read back as the returned numbers; passwd_ids() of the
 * name agrees with a plain reference parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "passwd.h"

static char name[PASSWD_LINE_MAX + 1];

/* The decimal value of s[n] (digits only, else -1). */
static long long dec(const char *s, size_t n)
{
    long long v = 0;
    if (n == 0 || n > 10) return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static void check_found(const char *text, size_t len, uint32_t uid, uint32_t gid)
{
    size_t nl = strlen(name), pos = 0;
    while (pos < len) {
        const char *line = text + pos;
        const char *end = memchr(line, '\n', len - pos);
        size_t n = end ? (size_t)(end - line) : len - pos;
        pos += n + 1;
        if (n <= nl || line[nl] != ':' || memcmp(line, name, nl) != 0) continue;
        /* the first entry for the name: fields 3 and 4 */
        const char *f = line + nl + 1, *stop = line + n;
        const char *c1 = memchr(f, ':', (size_t)(stop - f));
        if (c1 == NULL) abort();
        const char *c2 = memchr(c1 + 1, ':', (size_t)(stop - c1 - 1));
        if (c2 == NULL) abort();
        const char *c3 = memchr(c2 + 1, ':', (size_t)(stop - c2 - 1));
        if (c3 == NULL) abort();
        if (dec(c1 + 1, (size_t)(c2 - c1 - 1)) != (long long)uid) abort();
        if (dec(c2 + 1, (size_t)(c3 - c2 - 1)) != (long long)gid) abort();
        if (uid == UINT32_MAX || gid == UINT32_MAX || n > PASSWD_LINE_MAX) abort();
        return;
    }
    abort(); /* found, but no line has the name */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *z = memchr(data, '\0', size);
    size_t nlen = z ? (size_t)(z - data) : size;
    const char *text = z ? (const char *)z + 1 : "";
    size_t len = z ? size - nlen - 1 : 0;
    uint32_t uid = 0, gid = 0;
    int r;

    if (nlen >= sizeof name) return 0;
    memcpy(name, data, nlen);
    name[nlen] = '\0';

    err_clear();
    r = passwd_find(text, len, name, &uid, &gid);
    if (r == 1) {
        check_found(text, len, uid, gid);
    } else if (r == 0) {
        if (err_status() != ACME_OK) abort();
    } else if (r != -1 || err_status() != ACME_ECONFIG || err_msg()[0] == '\0') {
        abort();
    }

    /* passwd_ids against a plain reference: two decimal fields around the first ':' */
    err_clear();
    r = passwd_ids(name, &uid, &gid);
    const char *colon = strchr(name, ':');
    if (colon == NULL) {
        if (r != 0) abort();
    } else {
        long long u = dec(name, (size_t)(colon - name)), g = dec(colon + 1, strlen(colon + 1));
        int ok = u >= 0 && u < UINT32_MAX && g >= 0 && g < UINT32_MAX;
        if (ok && (r != 1 || uid != (uint32_t)u || gid != (uint32_t)g)) abort();
        if (!ok && (r != -1 || err_status() != ACME_ECONFIG)) abort();
    }
    return 0;
}
