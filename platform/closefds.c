/* Closing inherited descriptors in a child process (hooks, the responders). */
#include "closefds.h"

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
    long max;
    int fd;

    if (keep < 3) {
        if (close_span(3, ~0u) == 0) return;
    } else if (close_span(3, (unsigned)keep - 1) == 0 && close_span((unsigned)keep + 1, ~0u) == 0) {
        return;
    }
    max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (fd = 3; fd < max; fd++)
        if (fd != keep) close(fd);
}
