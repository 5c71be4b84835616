/* Starting child processes (hooks, the responders): a lean fork and closing inherited
 * descriptors in the child. */
#include "closefds.h"

#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

/* close_range(2) (Linux 5.9): one call instead of one close() per possible descriptor, which
 * costs ~3 ms of system time at RLIMIT_NOFILE 20000; the loop on older kernels. */
static int close_span(unsigned first, unsigned last)
{
#if defined(__linux__) && defined(SYS_close_range)
    if (first > last) return 0;
    return (int)syscall(SYS_close_range, first, last, 0u);
#else
    (void)first;
    (void)last;
    return -1;
#endif
}

void close_fds_except(int keep)
{
    struct rlimit rl;
    unsigned max = 65536, fd;

    if (keep < 3) {
        if (close_span(3, ~0u) == 0) return;
    } else if (close_span(3, (unsigned)keep - 1) == 0 && close_span((unsigned)keep + 1, ~0u) == 0) {
        return;
    }
    /* getrlimit, not sysconf(_SC_OPEN_MAX): the same number without 1 KiB of libc's sysconf */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < max) max = (unsigned)rl.rlim_cur;
    for (fd = 3; fd < max; fd++)
        if ((int)fd != keep) close((int)fd);
}

pid_t child_fork(void)
{
    return _Fork();
}
