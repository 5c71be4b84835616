/* The compiler's 64-bit division helpers on 32-bit MIPS, replaced by core/div64.c.
 *
 * GCC calls __divdi3, __udivdi3, __moddi3 and __umoddi3 for every int64_t/uint64_t `/` and `%`
 * (time arithmetic, number formatting). libgcc's MIPS versions are each a fully inlined
 * udivmoddi4 of about 1.1 KiB, 4.6 KiB in all, where the whole static binary has a budget of
 * 192 KiB. Defined here, these win over libgcc.a, which the linker searches last. Other
 * targets keep their runtime: x86_64/aarch64 divide in hardware and ARM's helpers are small. */
#include "div64.h"

#if defined(__mips__) && !defined(__mips64)

/* `used`: with link-time optimisation, the calls to these helpers only appear after the IR
 * is compiled, so without it they would be dropped as unreferenced and libgcc's taken. */
#define RUNTIME_HELPER __attribute__((used))

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

RUNTIME_HELPER uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    return div64_u(n, d, (uint64_t *)0);
}

RUNTIME_HELPER uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    div64_u(n, d, &r);
    return r;
}

RUNTIME_HELPER int64_t __divdi3(int64_t n, int64_t d)
{
    return div64_s(n, d, (int64_t *)0);
}

RUNTIME_HELPER int64_t __moddi3(int64_t n, int64_t d)
{
    int64_t r;
    div64_s(n, d, &r);
    return r;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int runtime_div_unused;
#endif
