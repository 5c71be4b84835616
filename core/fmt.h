#ifndef ACME_FMT_H
#define ACME_FMT_H
/*
 * printf-style formatting without libc's stdio (core/fmt.c).
 *
 * fmt_snprintf/fmt_vsnprintf have the C11 snprintf contract: they write at most n bytes
 * including the terminating NUL (nothing at all when n is 0; dst may then be NULL) and return
 * the length the full result would have (so r >= n means truncated), or -1 when that exceeds
 * INT_MAX.
 *
 * Only what acme.c uses: the conversions d i u x X o c s %, the flags '-' and '0', a width and
 * a precision (digits or '*'), and the length modifiers l, ll and z (for d i u x X o).
 * %s of NULL prints "(null)" (cut by a precision like any string). Anything else (%f, %p, %n,
 * %hd, '+', ' ', '#', ...) is not interpreted: that conversion and the rest of the format are
 * copied as they are and no further argument is read, so a wrong format cannot crash.
 */
#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *dst, size_t n, const char *format, va_list ap)
    __attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *dst, size_t n, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* The same formatting streamed in pieces to put(ctx, s, len) (len > 0; s is not
 * NUL-terminated), e.g. into a write(2) buffer. Returns the total length as above. */
typedef void fmt_put_fn(void *ctx, const char *s, size_t len);
int fmt_vformat(fmt_put_fn *put, void *ctx, const char *format, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
