/* The key=value state file. */
#include "state.h"

#include <string.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "fmt.h"
#include "sys.h"

#define STATE_FILE_MAX 16384

static int key_ok(const char *k, size_t n)
{
    size_t i;
    if (n == 0 || n > 64) return 0;
    for (i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    }
    return 1;
}

static int val_ok(const char *v)
{
    for (; *v != '\0'; v++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f) return 0;
    return 1;
}

/* Appends key[kn]=val[vn], copied into the arena. */
static int add(struct state *s, const char *key, size_t kn, const char *val, size_t vn,
               struct arena *a)
{
    if (s->n == STATE_MAX_KEYS)
        return err_set(ACME_ELOCAL, "%s: more than %d keys (STATE_MAX_KEYS)",
                       s->path != NULL ? s->path : STATE_FILE, STATE_MAX_KEYS);
    s->key[s->n] = arena_strndup(a, key, kn, "state key");
    s->val[s->n] = arena_strndup(a, val, vn, "state value");
    if (s->key[s->n] == NULL || s->val[s->n] == NULL) return -1;
    s->n++;
    return 0;
}

int state_parse(struct state *s, const char *text, size_t len, struct arena *a)
{
    size_t pos = 0, line = 0, k;
    while (pos < len) {
        const char *l = text + pos, *nl = memchr(l, '\n', len - pos), *eq;
        size_t n = nl != NULL ? (size_t)(nl - l) : len - pos;
        pos += n + (nl != NULL);
        line++;
        if (n == 0 || l[0] == '#') continue;
        eq = memchr(l, '=', n);
        k = eq != NULL ? (size_t)(eq - l) : 0;
        if (!key_ok(l, k))
            return err_set(ACME_ELOCAL, "%s line %zu: not key=value",
                           s->path != NULL ? s->path : STATE_FILE, line);
        if (add(s, l, k, eq + 1, n - k - 1, a) < 0) return -1;
    }
    return 0;
}

int state_load(struct state *s, const char *state_dir, struct arena *a)
{
    char *text;
    size_t len;
    int missing = 0;
    memset(s, 0, sizeof *s);
    s->path = arena_printf(a, "state path", "%s/%s", state_dir, STATE_FILE);
    if (s->path == NULL) return -1;
    if (file_read(s->path, a, &text, &len, STATE_FILE_MAX, &missing) < 0) {
        if (missing) {
            err_clear();
            return 0;
        }
        return err_recode(ACME_ELOCAL);
    }
    return state_parse(s, text, len, a);
}

const char *state_get(const struct state *s, const char *key)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (strcmp(s->key[i], key) == 0) return s->val[i];
    return NULL;
}

int state_set(struct state *s, const char *key, const char *val, struct arena *a)
{
    size_t i;
    if (!key_ok(key, strlen(key)) || (val != NULL && !val_ok(val)))
        return err_set(ACME_ELOCAL, "state: bad entry for key '%s'", key);
    for (i = 0; i < s->n && strcmp(s->key[i], key) != 0; i++)
        ;
    if (i < s->n && val == NULL) { /* remove: the later keys move up */
        for (s->n--; i < s->n; i++) {
            s->key[i] = s->key[i + 1];
            s->val[i] = s->val[i + 1];
        }
    } else if (i < s->n) {
        if (strcmp(s->val[i], val) == 0) return 0;
        if ((s->val[i] = arena_strdup(a, val, "state value")) == NULL) return -1;
    } else if (val == NULL) {
        return 0; /* nothing to remove */
    } else if (add(s, key, strlen(key), val, strlen(val), a) < 0) {
        return -1;
    }
    s->dirty = 1;
    return 0;
}

int state_save(struct state *s)
{
    static unsigned char storage[STATE_FILE_MAX];
    struct buf b;
    size_t i;
    if (!s->dirty) return 0;
    buf_init(&b, storage, sizeof storage);
    for (i = 0; i < s->n; i++)
        buf_printf(&b, "%s=%s\n", s->key[i], s->val[i]);
    if (buf_check(&b, "state file") < 0) return -1;
    if (file_write_atomic(s->path, b.p, b.len, 0600) < 0) return err_prefix("saving state");
    s->dirty = 0;
    return 0;
}

void state_get_int(const struct state *s, const char *key, int64_t dflt, int64_t *out)
{
    const char *v = state_get(s, key);
    int neg = 0;
    int64_t r = 0;
    *out = dflt;
    if (v == NULL || *v == '\0') return;
    if (*v == '-') {
        neg = 1;
        v++;
    }
    if (*v == '\0') return;
    for (; *v != '\0'; v++) {
        if (*v < '0' || *v > '9' || r > (INT64_MAX - 9) / 10) return;
        r = r * 10 + (*v - '0');
    }
    *out = neg ? -r : r;
}

int state_set_int(struct state *s, const char *key, int64_t v, struct arena *a)
{
    char t[24];
    fmt_snprintf(t, sizeof t, "%lld", (long long)v);
    return state_set(s, key, t, a);
}

int state_set_text(struct state *s, const char *key, const char *text, size_t max, struct arena *a)
{
    char t[512];
    size_t i;
    if (max >= sizeof t) max = sizeof t - 1;
    for (i = 0; i < max && text[i] != '\0'; i++)
        t[i] = ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) ? ' ' : text[i];
    t[i] = '\0';
    return state_set(s, key, t, a);
}
