/* The OS services core/ uses, implemented in platform/. Errors follow err.h: -1 with a message
 * naming the path and the OS reason. */
#ifndef ACME_SYS_H
#define ACME_SYS_H

#include <stddef.h>
#include <stdint.h>

struct arena;

/* The OS reason in those messages: a short text for errno value errnum, in the C libraries'
 * wording ("No such file or directory"), or "error N" for a value this program does not
 * expect (platform/errtext.c; used instead of strerror(), whose table of every errno is about
 * 2 KiB in a static musl binary). The text is static; the "error N" one is overwritten by the
 * next such call. */
const char *sys_errtext(int errnum);

/* Seconds since the epoch. Tests may pin it with the environment variable ACME_TEST_NOW
 * (seconds since the epoch), used to simulate a clock stuck at 1970 and renewal dates. */
int64_t sys_now(void);
/* Milliseconds of the monotonic clock (not pinned by ACME_TEST_NOW): for timeouts. */
int64_t sys_monotonic_ms(void);
void sys_sleep(unsigned seconds);
void sys_sleep_ms(unsigned ms);

/* Reads a whole file into the arena (NUL-terminated). Files larger than max are an error.
 * Returns 0, or -1 with the error; *missing (when not NULL) is set to 1 when the file does
 * not exist (the error is still set so the caller can report or ignore it). */
int file_read(const char *path, struct arena *a, char **data, size_t *len, size_t max,
              int *missing);
int file_exists(const char *path);
/* Writes a file atomically: temp file in the same directory, fsync, rename, fsync of the
 * directory; mode applied to the temp file before any data is written. On failure the old
 * file is untouched and no temp file is left behind. Errors: ACME_ELOCAL.
 * (platform/files.c: the temp file is ".<name>.tmp<pid>.<n>" next to path; a symlink at path
 * is replaced, not followed; the error names the path and the OS reason, e.g. "No space left on
 * device".) */
int file_write_atomic(const char *path, const void *data, size_t n, unsigned mode);
/* mkdir -p with mode for the directories it creates. */
int dir_make(const char *path, unsigned mode);

/* Removes a file; a file that does not exist is not an error (0). Errors: ACME_ELOCAL. */
int file_remove(const char *path);
/* rename(2) followed by an fsync of the destination's directory (both paths on one file
 * system), e.g. to keep the previous certificate as cert.pem.prev. Errors: ACME_ELOCAL. */
int file_rename(const char *from, const char *to);
/* Points linkpath at target (a symlink), replacing whatever linkpath was, atomically (a
 * temporary symlink renamed over it). Errors: ACME_ELOCAL. */
int file_symlink_atomic(const char *target, const char *linkpath);
/* Calls fn(name, ctx) for each entry of dir but "." and ".." (order unspecified); stops at
 * the first fn() < 0 and returns -1 (fn's error kept). A missing dir has no entries (0); a
 * dir that is not a directory or cannot be read is ACME_ELOCAL naming it. (platform/files.c:
 * getdents64 into a 2 KiB stack buffer, no malloc; fn may list another directory.) */
int dir_each(const char *dir, int (*fn)(const char *name, void *ctx), void *ctx);
/* Removes dir and the files and symlinks directly inside it (one level, no recursion into
 * subdirectories). A missing dir is not an error. Errors: ACME_ELOCAL. */
int dir_remove_files(const char *dir);
/* 0 when dir is an existing directory this process can create entries in; else -1
 * (ACME_ELOCAL) with a message naming dir and the reason. */
int dir_writable(const char *dir);
/* The absolute, symlink-free form of an existing path into out[cap], as realpath(3) gives it
 * (but a leading "//" is "/"). Errors: ACME_ELOCAL "cannot resolve PATH: <sys_errtext>". */
int file_realpath(const char *path, char *out, size_t cap);
/* Longest path file_write_atomic() and friends accept (the temp name adds a few bytes). */
#define SYS_PATH_MAX 4096
/* The directory part of path into dir[SYS_PATH_MAX]: "." when path has no '/', "/" for
 * "/name". Errors: ACME_ELOCAL (too long). */
int file_dir(const char *path, char *dir);

/* An exclusive lock on directory dir: flock(2) on the file dir/lock (created 0600), not
 * waiting. *fd gets the lock's descriptor for sys_unlock(). A lock held by another process
 * is ACME_ELOCAL with a message naming the lock file. The lock dies with the process. */
#define SYS_LOCK_FILE "lock"
int sys_lock(const char *dir, int *fd);
void sys_unlock(int fd);

/* Kernel randomness (getrandom; blocks on first boot until the pool is ready, printing one
 * line, for at most CONFIG_ENTROPY_WAIT_MAX seconds). */
int sys_entropy(void *buf, size_t n);

/* ---- platform/privdrop.c */
/* Drops to the user of config `user`: NAME (its uid and gid from /etc/passwd, core/passwd.h)
 * or UID:GID. setgroups to the one gid, setgid, setuid, then checks that root cannot be
 * regained. Only root can drop; a run that is already that user succeeds without change; any
 * other non-root user is ACME_ELOCAL. An unknown user, a malformed entry or value and an
 * unreadable /etc/passwd are ACME_ECONFIG naming the user. */
int sys_drop_privileges(const char *user);
/* The permission bits of path: 1 with *mode set, 0 when it does not exist, -1 on an error. */
int sys_file_mode(const char *path, unsigned *mode);
/* 0 when the directory holding path (path itself when is_dir) can be written by this
 * process, else -1 with ACME_ELOCAL naming it. */
int sys_check_writable(const char *path, int is_dir);

#endif
