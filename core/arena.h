/* One bump allocator over a caller-owned buffer (the run's static arena, sized by
 * CONFIG_ARENA_SIZE). Nothing is freed individually; arena_reset() frees everything and
 * arena_mark()/arena_release() free what was allocated since a mark. */
#ifndef ACME_ARENA_H
#define ACME_ARENA_H

#include <stddef.h>

struct arena {
    unsigned char *base;
    size_t size;
    size_t used;
    size_t peak; /* high-water mark, for the benchmarks */
};

void arena_init(struct arena *a, void *buf, size_t size);
void arena_reset(struct arena *a);
size_t arena_mark(const struct arena *a);
void arena_release(struct arena *a, size_t mark);

/* Returns n bytes aligned for any object, or NULL after err_set(ACME_ELOCAL,
 * "arena of N bytes exhausted while <what>"). */
void *arena_alloc(struct arena *a, size_t n, const char *what);
char *arena_strndup(struct arena *a, const char *s, size_t n, const char *what);
char *arena_strdup(struct arena *a, const char *s, const char *what);
/* printf into the arena; NULL (with the error set) when it does not fit. */
char *arena_printf(struct arena *a, const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The run's arena (CONFIG_ARENA_SIZE bytes of static storage), set up by main(). */
struct arena *run_arena(void);

#endif
