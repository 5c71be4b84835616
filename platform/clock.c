/* The clock: sys_now(), sys_monotonic_ms() and sys_sleep() (core/sys.h), and the validation time
 * the TLS backends use, which is never earlier than the build (a router without RTC boots in 1970
 * until NTP answers; validating at the build time still rejects certificates that expired before
 * it). */
#include "../core/sys.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../core/log.h"
#include "tls_common.h"

/* ACME_TEST_NOW, when set to a decimal number of seconds, pins the clock (tests only). */
static int test_now(int64_t *out)
{
    const char *s = getenv("ACME_TEST_NOW");
    int64_t v = 0;

    if (s == NULL || *s == '\0') return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10) return 0;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 1;
}

/* Every clock read of the program goes through here. On 64-bit targets it is the system call
 * itself: musl's clock_gettime() and time() look up the vDSO first (about 700 bytes of a static
 * x86_64 binary) for a clock read a few times a run. 32-bit targets keep the C library: their
 * time_t has 64 bits but the old clock_gettime system call fills 32-bit fields. */
static void clock_read(clockid_t id, struct timespec *ts)
{
#if defined(__LP64__) && defined(SYS_clock_gettime)
    syscall(SYS_clock_gettime, id, ts);
#else
    clock_gettime(id, ts);
#endif
}

int64_t sys_now(void)
{
    struct timespec ts;
    int64_t v;

    if (test_now(&v)) return v;
    clock_read(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t sys_monotonic_ms(void)
{
    struct timespec ts;

    clock_read(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_for(unsigned seconds, long ns)
{
    struct timespec ts = {(time_t)seconds, ns};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void sys_sleep_ms(unsigned ms)
{
    sleep_for(ms / 1000, (long)(ms % 1000) * 1000000L);
}

void sys_sleep(unsigned seconds)
{
    sleep_for(seconds, 0);
}

int64_t tls_validation_time(void)
{
    static int warned;
    int64_t now = sys_now();
    char a[32], b[32];

    if (now >= acme_build_time) return now;
    if (!warned) {
        tls_format_time(now, a, sizeof a);
        tls_format_time(acme_build_time, b, sizeof b);
        log_warn("the system clock (%s) is earlier than this build (%s); validating "
                 "certificates at the build time",
                 a, b);
        warned = 1;
    }
    return acme_build_time;
}
