/* Unsigned decimal numbers in configuration values, ports and directory names. */
#ifndef ACME_DECIMAL_H
#define ACME_DECIMAL_H

#include <stddef.h>

/* The value of s when it is 1 to max_digits (at most 9) decimal digits and nothing else
 * (no sign, no blanks); -1 when it is not. */
long decimal_parse(const char *s, size_t max_digits);

#endif
