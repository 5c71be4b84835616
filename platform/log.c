#include "../core/log.h"

#include <stdarg.h>
#include <stdio.h>

int log_verbosity;

void log_msg(int level, const char *fmt, ...)
{
    va_list ap;
    if (level > log_verbosity && level >= LOG_INFO) return;
    if (level == LOG_ERROR)
        fputs("acme: error: ", stderr);
    else if (level == LOG_WARN)
        fputs("acme: warning: ", stderr);
    else
        fputs("acme: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
