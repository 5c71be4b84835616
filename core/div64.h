/* 64-bit division in a few dozen instructions, for 32-bit targets whose compiler runtime
 * spends about 1 KiB per division helper (see platform/runtime_div.c). */
#ifndef ACME_DIV64_H
#define ACME_DIV64_H

#include <stdint.h>

/* n / d, and n % d into *rem when rem is not NULL. d must not be 0 (as for C's `/`). */
uint64_t div64_u(uint64_t n, uint64_t d, uint64_t *rem);

/* n / d truncated toward zero and n % d with the sign of n, as C's `/` and `%` on int64_t.
 * d must not be 0, and INT64_MIN / -1 is undefined (as in C). */
int64_t div64_s(int64_t n, int64_t d, int64_t *rem);

#endif
