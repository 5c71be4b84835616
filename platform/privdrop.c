/* Dropping root for the config key `user`, and the permission checks around it. */
#include "../core/sys.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "../core/err.h"
#include "../core/log.h"

int sys_drop_privileges(const char *user)
{
    struct passwd *pw;
    uid_t uid;
    gid_t gid;

    errno = 0;
    if ((pw = getpwnam(user)) == NULL)
        return err_set(ACME_ECONFIG, "user = %s: %s", user,
                       errno != 0 ? strerror(errno) : "no such user");
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (geteuid() == uid && getuid() == uid) return 0; /* already that user (e.g. started by it) */
    if (geteuid() != 0)
        return err_set(ACME_ELOCAL, "user = %s: only root can switch users (running as uid %u)",
                       user, (unsigned)geteuid());
    if (uid == 0) return 0; /* user = root: nothing to drop */
    /* Supplementary groups first (setgroups needs root), then the group, then the user. */
    if (setgroups(1, &gid) < 0)
        return err_set(ACME_ELOCAL, "user = %s: setgroups: %s", user, strerror(errno));
    if (setgid(gid) < 0)
        return err_set(ACME_ELOCAL, "user = %s: setgid(%u): %s", user, (unsigned)gid,
                       strerror(errno));
    if (setuid(uid) < 0)
        return err_set(ACME_ELOCAL, "user = %s: setuid(%u): %s", user, (unsigned)uid,
                       strerror(errno));
    /* setuid() as root sets all three user ids; if any way back remains, stop here. */
    if (setuid(0) == 0 || seteuid(0) == 0 || getuid() != uid || geteuid() != uid ||
        getgid() != gid || getegid() != gid)
        return err_set(ACME_ELOCAL, "user = %s: the switch did not stick (root regained)", user);
    log_v("running as %s (uid %u, gid %u)", user, (unsigned)uid, (unsigned)gid);
    return 0;
}

int sys_file_mode(const char *path, unsigned *mode)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT) return 0;
        return err_set(ACME_ELOCAL, "%s: %s", path, strerror(errno));
    }
    *mode = (unsigned)(st.st_mode & 07777);
    return 1;
}

int sys_check_writable(const char *path, int is_dir)
{
    char dir[SYS_PATH_MAX];
    const char *slash;
    size_t n;

    if (is_dir) {
        n = strlen(path);
    } else {
        slash = strrchr(path, '/');
        if (slash == NULL) {
            path = ".";
            n = 1;
        } else {
            n = slash == path ? 1 : (size_t)(slash - path);
        }
    }
    if (n >= sizeof dir)
        return err_set(ACME_ELOCAL, "%.100s...: longer than %d", path, SYS_PATH_MAX);
    memcpy(dir, path, n);
    dir[n] = '\0';
    /* A directory still to be made: what matters is the nearest one that exists. */
    while (access(dir, F_OK) < 0 && errno == ENOENT) {
        char *s = strrchr(dir, '/');
        if (s == NULL) {
            strcpy(dir, ".");
            break;
        }
        if (s == dir) {
            dir[1] = '\0';
            break;
        }
        *s = '\0';
    }
    if (access(dir, W_OK | X_OK) < 0)
        return err_set(ACME_ELOCAL,
                       "%s: not writable by uid %u (%s); with `user`, that user must own the "
                       "state_dir and the directories of the output files",
                       dir, (unsigned)geteuid(), strerror(errno));
    return 0;
}
