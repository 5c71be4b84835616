/* Dropping root for the config key `user`, and the permission checks around it. */
#include "../core/sys.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/err.h"
#include "../core/log.h"
#include "../core/passwd.h"

/* The id switches are raw system calls: libc's setgroups/setgid/setuid/seteuid also apply
 * them to every other thread (musl's __synccall, with semaphores and signal handlers in the
 * static binary), and acme has no other thread. 32-bit ARM and x86 keep 16-bit ids under the
 * plain names; the 32-bit calls are the ...32 ones there. */
#ifdef SYS_setgroups32
#define SYS_SETGROUPS SYS_setgroups32
#define SYS_SETGID SYS_setgid32
#define SYS_SETUID SYS_setuid32
#define SYS_SETRESUID SYS_setresuid32
#else
#define SYS_SETGROUPS SYS_setgroups
#define SYS_SETGID SYS_setgid
#define SYS_SETUID SYS_setuid
#define SYS_SETRESUID SYS_setresuid
#endif

/* user's ids: UID:GID as written, or NAME's entry in /etc/passwd (read into the run arena,
 * given back afterwards). Errors: ACME_ECONFIG naming the user. */
static int user_ids(const char *user, uint32_t *uid, uint32_t *gid)
{
    struct arena *a = run_arena();
    size_t mark = arena_mark(a), len;
    char *text;
    int missing, r = passwd_ids(user, uid, gid);

    if (r == 0) {
        if (file_read(PASSWD_PATH, a, &text, &len, PASSWD_FILE_MAX, &missing) < 0) {
            if (missing) err_set(ACME_ECONFIG, "no such user (%s does not exist)", PASSWD_PATH);
        } else {
            r = passwd_find(text, len, user, uid, gid);
            arena_release(a, mark);
            if (r == 0)
                err_set(ACME_ECONFIG, "no such user in %s (numeric ids: user = UID:GID)",
                        PASSWD_PATH);
            else if (r < 0)
                err_prefix("%s", PASSWD_PATH);
        }
    }
    if (r > 0) return 0;
    err_prefix("user = %s", user);
    return err_recode(ACME_ECONFIG);
}

/* The error for a failed id switch. */
static int switch_failed(const char *user, const char *call, unsigned id)
{
    return err_set(ACME_ELOCAL, "user = %s: %s(%u): %s", user, call, id, sys_errtext(errno));
}

int sys_drop_privileges(const char *user)
{
    uint32_t uid32, gid32;
    uid_t uid;
    gid_t gid;

    if (user_ids(user, &uid32, &gid32) < 0) return -1;
    uid = (uid_t)uid32;
    gid = (gid_t)gid32;
    if (geteuid() == uid && getuid() == uid) return 0; /* already that user (e.g. started by it) */
    if (geteuid() != 0)
        return err_set(ACME_ELOCAL, "user = %s: only root can switch users (running as uid %u)",
                       user, (unsigned)geteuid());
    if (uid == 0) return 0; /* user = root: nothing to drop */
    /* Supplementary groups first (setgroups needs root), then the group, then the user. */
    if (syscall(SYS_SETGROUPS, 1L, &gid) < 0) return switch_failed(user, "setgroups", gid);
    if (syscall(SYS_SETGID, (long)gid) < 0) return switch_failed(user, "setgid", gid);
    if (syscall(SYS_SETUID, (long)uid) < 0) return switch_failed(user, "setuid", uid);
    /* setuid() as root sets all three user ids; if any way back remains, stop here. */
    if (syscall(SYS_SETUID, 0L) == 0 || syscall(SYS_SETRESUID, -1L, 0L, -1L) == 0 ||
        getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
        return err_set(ACME_ELOCAL, "user = %s: the switch did not stick (root regained)", user);
    log_v("running as %s (uid %u, gid %u)", user, (unsigned)uid, (unsigned)gid);
    return 0;
}

int sys_file_mode(const char *path, unsigned *mode)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT) return 0;
        return err_set(ACME_ELOCAL, "%s: %s", path, sys_errtext(errno));
    }
    *mode = (unsigned)(st.st_mode & 07777);
    return 1;
}

int sys_check_writable(const char *path, int is_dir)
{
    char dir[SYS_PATH_MAX];
    char *s;

    if (!is_dir) {
        if (file_dir(path, dir) < 0) return -1;
    } else if (strlen(path) >= sizeof dir) {
        return err_set(ACME_ELOCAL, "%.100s...: longer than %d bytes", path, SYS_PATH_MAX);
    } else {
        strcpy(dir, path);
    }
    /* A directory still to be made: what matters is the nearest one that exists. */
    while (access(dir, F_OK) < 0 && errno == ENOENT) {
        s = strrchr(dir, '/');
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
                       "%s: not writable by uid %u (%s); with `user`, that user must own "
                       "state_dir and the output files' directories",
                       dir, (unsigned)geteuid(), sys_errtext(errno));
    return 0;
}
