/* Log lines on stderr (core/log.h), one write(2) each through core/out.h's writer. */
#include "../core/log.h"

#include <stdarg.h>
#include <unistd.h>

#include "../core/out.h"

int log_verbosity;

void log_msg(int level, const char *fmt, ...)
{
    va_list ap;
    if (level > log_verbosity && level >= LOG_INFO) return;
    va_start(ap, fmt);
    out_vwrite(STDERR_FILENO,
               level == LOG_ERROR  ? "acme: error: "
               : level == LOG_WARN ? "acme: warning: "
                                   : "acme: ",
               1, fmt, ap);
    va_end(ap);
}
