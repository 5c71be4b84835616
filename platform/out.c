/* Command output on stdout (core/out.h). */
#include "../core/out.h"

#include <stdarg.h>
#include <stdio.h>

void out_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fflush(stdout);
}
