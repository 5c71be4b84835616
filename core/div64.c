/* Shift-and-subtract 64-bit division (see div64.h). Only constant shifts by 1 and 63 appear,
 * so it needs no compiler helper itself on 32-bit targets. */
#include "div64.h"

uint64_t div64_u(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t r = 0;
    int i;

    /* Both halves fit in 32 bits: one hardware division. */
    if ((n >> 32) == 0 && (d >> 32) == 0) {
        uint32_t q32 = (uint32_t)n / (uint32_t)d;
        if (rem) *rem = (uint32_t)n - q32 * (uint32_t)d;
        return q32;
    }
    /* n turns into the quotient one bit at a time while its top bits move into r. */
    for (i = 0; i < 64; i++) {
        r = (r << 1) | (n >> 63);
        n <<= 1;
        if (r >= d) {
            r -= d;
            n |= 1;
        }
    }
    if (rem) *rem = r;
    return n;
}

int64_t div64_s(int64_t n, int64_t d, int64_t *rem)
{
    /* Magnitudes in unsigned arithmetic: -INT64_MIN does not overflow there. */
    uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
    uint64_t ur, uq = div64_u(un, ud, &ur);

    if (rem) *rem = n < 0 ? (int64_t)(0 - ur) : (int64_t)ur;
    return (n < 0) != (d < 0) ? (int64_t)(0 - uq) : (int64_t)uq;
}
