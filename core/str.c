/* See str.h. */
#include "str.h"

const char *str_find(const char *hay, const char *needle)
{
    for (;; hay++) {
        const char *h = hay, *n = needle;
        while (*n != '\0' && *h == *n) {
            h++;
            n++;
        }
        if (*n == '\0') return hay;
        if (*hay == '\0') return 0;
    }
}
