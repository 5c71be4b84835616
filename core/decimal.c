/* Unsigned decimal numbers (see decimal.h). */
#include "decimal.h"

long decimal_parse(const char *s, size_t max_digits)
{
    long v = 0;
    size_t i;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= max_digits) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return i > 0 ? v : -1;
}
