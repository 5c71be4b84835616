/* What is at a deploy link's path (see core/install.h, file_link_state). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/err.h"
#include "../core/install.h"
#include "../core/sys.h"

int file_link_state(const char *path, char *target, size_t cap)
{
    struct stat sb;
    ssize_t n = -1;

    if (lstat(path, &sb) == 0) {
        if (!S_ISLNK(sb.st_mode)) return 2;
        n = readlink(path, target, cap);
    } else if (errno == ENOENT) {
        return 0;
    }
    if (n < 0) return err_set(ACME_ELOCAL, "cannot inspect %s: %s", path, sys_errtext(errno));
    if ((size_t)n >= cap)
        return err_set(ACME_ELOCAL, "link %s: target longer than %zu bytes", path, cap - 1);
    target[n] = '\0';
    return 1;
}
