#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fmt.h"

void buf_init(struct buf *b, void *storage, size_t cap)
{
    b->p = storage;
    b->len = 0;
    b->cap = cap;
    b->overflow = 0;
}

void buf_put(struct buf *b, const void *data, size_t n)
{
    if (b->overflow) return;
    if (n > b->cap - b->len) {
        b->overflow = 1;
        return;
    }
    if (n != 0) memcpy(b->p + b->len, data, n);
    b->len += n;
}

void buf_putc(struct buf *b, int c)
{
    unsigned char ch = (unsigned char)c;
    buf_put(b, &ch, 1);
}

void buf_puts(struct buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t room;
    if (b->overflow) return;
    room = b->cap - b->len;
    va_start(ap, fmt);
    n = fmt_vsnprintf((char *)b->p + b->len, room, fmt, ap);
    va_end(ap);
    /* vsnprintf needs room for the NUL too; the NUL is not counted in len. */
    if (n < 0 || (size_t)n >= room) {
        b->overflow = 1;
        return;
    }
    b->len += (size_t)n;
}

const char *buf_cstr(struct buf *b)
{
    if (b->overflow || b->len >= b->cap) {
        b->overflow = 1;
        return NULL;
    }
    b->p[b->len] = '\0';
    return (const char *)b->p;
}

int buf_check(const struct buf *b, const char *what)
{
    if (!b->overflow) return 0;
    return err_set(ACME_ELOCAL, "%s: %zu-byte buffer too small", what, b->cap);
}
