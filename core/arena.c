#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "build_config.h"
#include "err.h"
#include "fmt.h"

#define ARENA_ALIGN 8u

void arena_init(struct arena *a, void *buf, size_t size)
{
    a->base = buf;
    a->size = size;
    a->used = 0;
    a->peak = 0;
}

void arena_reset(struct arena *a)
{
    a->used = 0;
}

size_t arena_mark(const struct arena *a)
{
    return a->used;
}

void arena_release(struct arena *a, size_t mark)
{
    if (mark <= a->used) a->used = mark;
}

void *arena_alloc(struct arena *a, size_t n, const char *what)
{
    size_t start = (a->used + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
    if (start > a->size || n > a->size - start) {
        err_set(ACME_ELOCAL,
                "arena of %zu bytes exhausted while %s (%zu bytes needed, %zu free; raise "
                "CONFIG_ARENA_SIZE)",
                a->size, what, n, start > a->size ? (size_t)0 : a->size - start);
        return NULL;
    }
    a->used = start + n;
    if (a->used > a->peak) a->peak = a->used;
    return a->base + start;
}

char *arena_strndup(struct arena *a, const char *s, size_t n, const char *what)
{
    char *p = arena_alloc(a, n + 1, what);
    if (p == NULL) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s, const char *what)
{
    return arena_strndup(a, s, strlen(s), what);
}

char *arena_printf(struct arena *a, const char *what, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;
    va_start(ap, fmt);
    n = fmt_vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        err_set(ACME_ELOCAL, "formatting failed while %s", what);
        return NULL;
    }
    p = arena_alloc(a, (size_t)n + 1, what);
    if (p == NULL) return NULL;
    va_start(ap, fmt);
    fmt_vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static union {
    uint64_t align;
    unsigned char bytes[CONFIG_ARENA_SIZE];
} run_arena_storage;
static struct arena run_arena_ctx;

struct arena *run_arena(void)
{
    if (run_arena_ctx.base == NULL)
        arena_init(&run_arena_ctx, run_arena_storage.bytes, sizeof run_arena_storage.bytes);
    return &run_arena_ctx;
}
