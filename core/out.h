/* A command's result on standard output (the account URL, challenge details), as opposed to
 * log messages on standard error; implemented in platform/out.c. Printed even with -q: the
 * user asked for it. */
#ifndef ACME_OUT_H
#define ACME_OUT_H

#include "err.h" /* ACME_PRINTF */

void out_printf(const char *fmt, ...) ACME_PRINTF(1, 2);

#endif
