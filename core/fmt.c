#include "fmt.h"

#include <stdio.h>

/* Placeholder until the stdio-free formatter lands: libc's vsnprintf. */
int fmt_vsnprintf(char *dst, size_t n, const char *format, va_list ap)
{
    return vsnprintf(dst, n, format, ap);
}

int fmt_snprintf(char *dst, size_t n, const char *format, ...)
{
    va_list ap;
    int r;

    va_start(ap, format);
    r = fmt_vsnprintf(dst, n, format, ap);
    va_end(ap);
    return r;
}
