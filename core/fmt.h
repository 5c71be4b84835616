#ifndef ACME_FMT_H
#define ACME_FMT_H
/*
 * printf-style formatting into a caller's buffer, without libc's stdio. Same contract as C11
 * snprintf: writes at most n bytes including the terminating NUL and returns the length the
 * full result would have (so r >= n means truncated). Only the conversions acme.c uses.
 */
#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *dst, size_t n, const char *format, va_list ap)
    __attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *dst, size_t n, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
