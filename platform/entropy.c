/* sys_entropy(): kernel randomness through getrandom(2).
 *
 * On first boot of a router the kernel pool may not be initialised yet; getrandom() would then
 * block with no explanation. We ask with GRND_NONBLOCK first; on EAGAIN we say once what is
 * happening and retry once a second for at most CONFIG_ENTROPY_WAIT_MAX seconds. Kernels
 * without getrandom (ENOSYS, before 3.17) fall back to /dev/urandom once /dev/random has
 * become readable, which is the same "pool initialised" signal. Never time or pids. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "build_config.h"
#include "err.h"
#include "log.h"
#include "sys.h"

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif

/* The raw system call, so old C libraries without a getrandom() wrapper work too. */
static long getrandom_nb(void *buf, size_t n)
{
#ifdef SYS_getrandom
    return syscall(SYS_getrandom, buf, n, GRND_NONBLOCK);
#else
    (void)buf;
    (void)n;
    errno = ENOSYS;
    return -1;
#endif
}

/* "entropy: cannot <what> <path>: <sys_errtext(errno)>" */
static int failed(const char *what, const char *path)
{
    return err_set(ACME_ELOCAL, "entropy: cannot %s %s: %s", what, path, sys_errtext(errno));
}

/* Pool-ready wait for kernels without getrandom: /dev/random turns readable once the pool is
 * initialised. Returns 1 ready, 0 not yet (after timeout_ms), -1 on an error. */
static int dev_random_ready(int timeout_ms)
{
    struct pollfd p;
    int fd, r;

    fd = open("/dev/random", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failed("open", "/dev/random");
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r < 0) failed("poll", "/dev/random");
    close(fd);
    return r < 0 ? -1 : r > 0;
}

static int read_urandom(unsigned char *p, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failed("open", "/dev/urandom");
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            close(fd);
            return err_set(ACME_ELOCAL, "entropy: reading /dev/urandom failed");
        }
        p += r;
        n -= (size_t)r;
    }
    close(fd);
    return 0;
}

int sys_entropy(void *buf, size_t n)
{
    unsigned char *p = buf;
    int64_t start = 0;
    int waiting = 0, ready;

    while (n > 0) {
        long r = getrandom_nb(p, n);
        int e = r < 0 ? errno : EAGAIN; /* log_warn() may change errno */
        if (r > 0) {
            p += r;
            n -= (size_t)r;
            continue;
        }
        if (e == EINTR) continue;
        if (e == ENOSYS) { /* no getrandom: a look, then a second's wait for each later one */
            ready = dev_random_ready(waiting ? 1000 : 0);
            if (ready != 0) return ready < 0 ? -1 : read_urandom(p, n);
        } else if (e != EAGAIN) {
            return err_set(ACME_ELOCAL, "entropy: getrandom: %s", sys_errtext(e));
        } else if (waiting) {
            sys_sleep(1);
        }
        if (!waiting) {
            log_warn("waiting for the kernel entropy pool to initialise (at most %d seconds)",
                     CONFIG_ENTROPY_WAIT_MAX);
            start = sys_monotonic_ms();
            waiting = 1;
        } else if (sys_monotonic_ms() - start >= CONFIG_ENTROPY_WAIT_MAX * 1000) {
            return err_set(ACME_ELOCAL,
                           "entropy: the kernel random pool was not initialised within "
                           "CONFIG_ENTROPY_WAIT_MAX (%d seconds)",
                           CONFIG_ENTROPY_WAIT_MAX);
        }
    }
    return 0;
}
