/* The run lock: flock(2) on <state_dir>/lock, so that two runs for one certificate (cron and
 * a hand-started run, or a slow run overlapping the next cron slot) never interleave. */
#include "../core/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../core/err.h"
#include "fmt.h"

int sys_lock(const char *dir, int *fd)
{
    char path[SYS_PATH_MAX];
    int f, r, e;
    if ((size_t)fmt_snprintf(path, sizeof path, "%s/" SYS_LOCK_FILE, dir) >= sizeof path)
        return err_set(ACME_ELOCAL, "%s: path longer than SYS_PATH_MAX", dir);
    f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (f >= 0) {
        while ((r = flock(f, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
            ;
        if (r == 0) {
            *fd = f;
            return 0;
        }
        e = errno;
        close(f);
        if (e == EWOULDBLOCK)
            return err_set(ACME_ELOCAL,
                           "another acme run holds the lock %s (try again when it has finished)",
                           path);
        errno = e;
    }
    return err_set(ACME_ELOCAL, "cannot lock %s: %s", path, sys_errtext(errno));
}

void sys_unlock(int fd)
{
    if (fd >= 0) close(fd); /* closing releases the flock */
}
