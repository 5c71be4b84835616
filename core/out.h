/* A command's result on standard output (the account URL, challenge details), as opposed to
 * log messages on standard error; implemented in platform/out.c. Printed even with -q: the
 * user asked for it. */
#ifndef ACME_OUT_H
#define ACME_OUT_H

#include <stdarg.h>

#include "err.h" /* ACME_PRINTF */

void out_printf(const char *fmt, ...) ACME_PRINTF(1, 2);

/* The writer behind out_printf() and log_msg() (no stdio): prefix (may be NULL), the formatted
 * text and, when newline is set, "\n", to fd through a small buffer that is written out
 * (EINTR and short writes retried) before it returns: nothing stays pending for a fork() or
 * an exit to lose or duplicate, and a line shorter than the buffer is one write(2). Write
 * errors are ignored, as stdio's printf did; errno is kept. */
void out_vwrite(int fd, const char *prefix, int newline, const char *fmt, va_list ap)
    ACME_PRINTF(4, 0);

#endif
