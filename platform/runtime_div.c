/* Compiler division helpers replaced by smaller code on 32-bit targets.
 *
 * MIPS: GCC calls __divdi3, __udivdi3, __moddi3 and __umoddi3 for every int64_t/uint64_t `/`
 * and `%` (time arithmetic, number formatting). libgcc's MIPS versions are each a fully
 * inlined udivmoddi4 of about 1.1 KiB, 4.6 KiB in all, where the whole static binary has a
 * budget of 192 KiB; core/div64.c does the same in a few dozen instructions.
 * ARM without a divide instruction (armv7-a, e.g. Cortex-A9 routers): every 32-bit `/` and
 * `%` calls __aeabi_uidiv(mod) or __aeabi_idiv(mod), which libgcc unrolls into 1.3 KiB; a
 * shift-subtract loop is enough here (no hot path divides).
 * Defined here, these win over libgcc.a, which the linker searches last. x86_64 and aarch64
 * divide in hardware. */
#include "div64.h"

/* `used`: with link-time optimisation, the calls to these helpers only appear after the IR
 * is compiled, so without it they would be dropped as unreferenced and libgcc's taken. */
#define RUNTIME_HELPER __attribute__((used))

#if defined(__mips__) && !defined(__mips64)

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

#elif defined(__arm__) && defined(__ARMEL__) && !defined(__ARM_ARCH_EXT_IDIV__)

/* n / d with the remainder in *rem, one quotient bit per step. `carry`: the bit shifted out
 * of r, for divisors above 2^31 (then r + 2^32 >= d and the subtraction wraps to the right
 * value). A zero divisor traps, as libgcc's helpers raise SIGFPE. */
static uint32_t udiv32(uint32_t n, uint32_t d, uint32_t *rem)
{
    uint32_t q = 0, r = 0, carry;
    int i;

    if (d == 0) __builtin_trap();
    for (i = 31; i >= 0; i--) {
        carry = r >> 31;
        r = (r << 1) | ((n >> i) & 1);
        if (carry || r >= d) {
            r -= d;
            q |= (uint32_t)1 << i;
        }
    }
    *rem = r;
    return q;
}

/* The run-time ABI returns {quotient, remainder} in r0 and r1: on little-endian ARM that is
 * exactly how a uint64_t comes back (low word r0). */
uint32_t __aeabi_uidiv(uint32_t n, uint32_t d);
uint64_t __aeabi_uidivmod(uint32_t n, uint32_t d);
int32_t __aeabi_idiv(int32_t n, int32_t d);
uint64_t __aeabi_idivmod(int32_t n, int32_t d);

RUNTIME_HELPER uint32_t __aeabi_uidiv(uint32_t n, uint32_t d)
{
    uint32_t r;
    return udiv32(n, d, &r);
}

RUNTIME_HELPER uint64_t __aeabi_uidivmod(uint32_t n, uint32_t d)
{
    uint32_t r, q = udiv32(n, d, &r);
    return q | (uint64_t)r << 32;
}

/* Truncation toward zero; the remainder has the sign of n (C's `/` and `%`). */
RUNTIME_HELPER uint64_t __aeabi_idivmod(int32_t n, int32_t d)
{
    uint32_t un = n < 0 ? 0 - (uint32_t)n : (uint32_t)n;
    uint32_t ud = d < 0 ? 0 - (uint32_t)d : (uint32_t)d;
    uint32_t r, q = udiv32(un, ud, &r);

    if ((n < 0) != (d < 0)) q = 0 - q;
    if (n < 0) r = 0 - r;
    return q | (uint64_t)r << 32;
}

RUNTIME_HELPER int32_t __aeabi_idiv(int32_t n, int32_t d)
{
    return (int32_t)(uint32_t)__aeabi_idivmod(n, d);
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int runtime_div_unused;
#endif
