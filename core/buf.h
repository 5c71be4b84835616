/* A byte buffer over caller-owned storage with a fixed capacity. Writers append; the first
 * append that does not fit sets `overflow` and nothing more is written, so a chain of appends
 * can be checked once at the end with buf_check(), which turns overflow into an error. */
#ifndef ACME_BUF_H
#define ACME_BUF_H

#include <stddef.h>

struct buf {
    unsigned char *p;
    size_t len;
    size_t cap;
    int overflow;
};

void buf_init(struct buf *b, void *storage, size_t cap);
void buf_put(struct buf *b, const void *data, size_t n);
void buf_putc(struct buf *b, int c);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* NUL-terminates (when room remains, which counts as part of the capacity check) and returns
 * the contents as a C string, or NULL when overflowed. */
const char *buf_cstr(struct buf *b);
/* 0 when everything fitted; otherwise err_set(ACME_ELOCAL, "<what>: N-byte buffer too small")
 * and -1. */
int buf_check(const struct buf *b, const char *what);

#endif
