/* Files: bounded reads, atomic writes (temp + fsync + rename + directory fsync), mkdir -p,
 * removal and symlinks. Every error names the path and the OS reason (sys_errtext). */
#include "../core/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/err.h"
#include "fmt.h"

/* Stale temp names (a crashed run with our pid) are skipped; this many are tried. */
#define TEMP_TRIES 100

/* The error for a path that does not fit SYS_PATH_MAX (its start shown, the reason kept). */
static int too_long(const char *path)
{
    return err_set(ACME_ELOCAL, "path longer than %d bytes: %.64s...", SYS_PATH_MAX - 1, path);
}

/* The error for an operation on path that failed, and why: "cannot <what> <path>: <why>". */
static int fail(const char *what, const char *path, const char *why)
{
    return err_set(ACME_ELOCAL, "cannot %s %s: %s", what, path, why);
}

int file_dir(const char *path, char *dir)
{
    const char *slash = strrchr(path, '/');
    size_t n;
    if (slash == NULL) {
        path = ".";
        n = 1;
    } else {
        n = slash == path ? 1 : (size_t)(slash - path); /* "/file": the root directory */
    }
    if (n >= SYS_PATH_MAX) return too_long(path);
    memcpy(dir, path, n);
    dir[n] = '\0';
    return 0;
}

/* Makes a rename or a new directory entry in path's directory durable. Some file systems
 * cannot fsync a directory (EINVAL); nothing more can be done there. */
static int fsync_dir_of(const char *path)
{
    char dir[SYS_PATH_MAX];
    int fd, e = 0;
    if (file_dir(path, dir) < 0) return -1;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL)) e = errno;
    if (fd >= 0) close(fd);
    if (e != 0) return fail("sync directory", dir, sys_errtext(e));
    return 0;
}

int file_read(const char *path, struct arena *a, char **data, size_t *len, size_t max, int *missing)
{
    struct stat st;
    size_t mark = arena_mark(a), cap, n = 0;
    const char *why = NULL;
    char *p = NULL;
    int fd;

    if (missing) *missing = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT && missing) *missing = 1;
        return fail("read", path, sys_errtext(errno));
    }
    if (fstat(fd, &st) < 0)
        why = sys_errtext(errno);
    else if (S_ISDIR(st.st_mode))
        why = sys_errtext(EISDIR);
    else if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max)
        n = max + 1;
    else {
        /* Room for the size fstat() reported (max for pipes and devices, and for procfs
         * files, which claim size 0), plus one byte so that a file growing past the limit
         * while being read is caught rather than cut. */
        cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : max;
        p = arena_alloc(a, cap + 2, "reading a file");
        while (p != NULL) {
            ssize_t r = read(fd, p + n, cap + 1 - n);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) why = sys_errtext(errno);
            if (r <= 0) break;
            n += (size_t)r;
            if (n > cap) {
                if (n <= max) why = "it changed while being read";
                break;
            }
        }
    }
    close(fd);
    /* Give back what the file did not use: the same start comes back from the arena. */
    arena_release(a, mark);
    if (why != NULL) return fail("read", path, why);
    if (n > max) return err_set(ACME_ELOCAL, "%s is larger than the limit of %zu bytes", path, max);
    if (p == NULL || (p = arena_alloc(a, n + 1, "reading a file")) == NULL)
        return err_prefix("%s", path);
    p[n] = '\0';
    *data = p;
    *len = n;
    return 0;
}

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int write_all(int fd, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Replaces path atomically by a new entry: a symlink to target or (target NULL) a file holding
 * data[n] with exactly `mode`. The entry is made under a fresh temp name next to path (a file:
 * "<dir>/.<name>.tmp<pid>.<n>", a symlink: "<path>.tmp<pid>.<n>"), a file is fsynced, the temp
 * name renamed over path and the directory fsynced. On failure path is untouched and the temp
 * entry is gone. */
static int replace_atomic(const char *path, const char *target, const void *data, size_t n,
                          unsigned mode)
{
    static unsigned counter;
    char tmp[SYS_PATH_MAX];
    const char *slash = strrchr(path, '/'), *what = target != NULL ? "link" : "write";
    int base_at = slash == NULL ? 0 : (int)(slash + 1 - path), i, fd = -1, e = 0;

    if (*path == '\0') return fail(what, "\"\"", "empty path");
    for (i = 0; i < TEMP_TRIES && fd < 0; i++) {
        if ((size_t)fmt_snprintf(tmp, sizeof tmp, "%.*s%s%s.tmp%ld.%u", base_at, path,
                                 target != NULL ? "" : ".", path + base_at, (long)getpid(),
                                 counter++) >= sizeof tmp)
            return too_long(path);
        fd = target != NULL
                 ? symlink(target, tmp)
                 : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
        if (fd < 0 && errno != EEXIST) return fail(what, path, sys_errtext(errno));
    }
    if (fd < 0)
        return err_set(ACME_ELOCAL, "cannot %s %s: %d temp names next to it already exist", what,
                       path, TEMP_TRIES);
    if (target == NULL) {
        /* The umask may have taken bits away; the file is still empty. */
        if (fchmod(fd, mode & 07777) < 0 || write_all(fd, data, n) < 0 || fsync(fd) < 0) e = errno;
        if (close(fd) < 0 && e == 0) e = errno;
    }
    if (e == 0 && rename(tmp, path) < 0) e = errno;
    if (e != 0) {
        unlink(tmp);
        return fail(what, path, sys_errtext(e));
    }
    /* The new content is in place; a failed directory sync is still reported, since the
     * rename may not survive a power cut. */
    return fsync_dir_of(path);
}

int file_write_atomic(const char *path, const void *data, size_t n, unsigned mode)
{
    return replace_atomic(path, NULL, data, n, mode);
}

int file_symlink_atomic(const char *target, const char *linkpath)
{
    return replace_atomic(linkpath, target, NULL, 0, 0);
}

int dir_make(const char *path, unsigned mode)
{
    char p[SYS_PATH_MAX];
    struct stat st;
    size_t len = strlen(path), i;
    int e;

    if (len == 0) return fail("create directory", "\"\"", "empty path");
    if (len >= sizeof p) return too_long(path);
    memcpy(p, path, len + 1);
    while (len > 1 && p[len - 1] == '/')
        p[--len] = '\0';
    /* Create each missing component from the top; the slash after it is cut temporarily. */
    for (i = 1; i <= len; i++) {
        char saved = p[i];
        if (i < len && (saved != '/' || p[i - 1] == '/')) continue; /* inside a name, "a//b" */
        p[i] = '\0';
        e = 0;
        if (mkdir(p, mode & 07777) < 0) {
            e = errno;
            if (e == EEXIST) e = stat(p, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
        } else if (chmod(p, mode & 07777) < 0) {
            e = errno; /* mkdir() applies the umask; what we create gets exactly `mode`. */
        }
        if (e != 0) return fail("create directory", p, sys_errtext(e));
        p[i] = saved;
    }
    return 0;
}

int file_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT) return fail("remove", path, sys_errtext(errno));
    return 0;
}

int file_rename(const char *from, const char *to)
{
    if (rename(from, to) < 0)
        return err_set(ACME_ELOCAL, "cannot rename %s to %s: %s", from, to, sys_errtext(errno));
    return fsync_dir_of(to);
}

/* getdents64(2) fills buf with struct linux_dirent64 records: u64 d_ino, s64 d_off,
 * u16 d_reclen (the record's size), u8 d_type, then d_name (NUL-terminated). They are read
 * with memcpy, whatever the alignment; the buffer holds many records (a name is at most 255
 * bytes). On the stack: dir_each() callbacks may list another directory. */
#define DIRENT_RECLEN_AT 16
#define DIRENT_NAME_AT 19
#define DIRENT_BUF 2048

int dir_each(const char *dir, int (*fn)(const char *name, void *ctx), void *ctx)
{
    _Alignas(8) char buf[DIRENT_BUF];
    const char *why = NULL;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
    long n;

    if (fd < 0) {
        if (errno == ENOENT) return 0;
        return fail("list", dir, sys_errtext(errno));
    }
    while (rc == 0 && why == NULL) {
        size_t at = 0;
        uint16_t reclen;
        n = syscall(SYS_getdents64, (long)fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) why = sys_errtext(errno);
        if (n <= 0) break;
        for (; at < (size_t)n && rc == 0; at += reclen) {
            const char *name = buf + at + DIRENT_NAME_AT;
            if ((size_t)n - at <= DIRENT_NAME_AT)
                reclen = 0;
            else
                memcpy(&reclen, buf + at + DIRENT_RECLEN_AT, sizeof reclen);
            if (reclen <= DIRENT_NAME_AT || reclen > (size_t)n - at ||
                memchr(name, '\0', reclen - DIRENT_NAME_AT) == NULL) {
                why = "malformed entry from getdents64";
                break;
            }
            if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) rc = fn(name, ctx) < 0 ? -1 : 0;
        }
    }
    close(fd);
    if (why != NULL) return fail("list", dir, why);
    return rc;
}

static int remove_entry(const char *name, void *ctx)
{
    char p[SYS_PATH_MAX];
    if ((size_t)fmt_snprintf(p, sizeof p, "%s/%s", (const char *)ctx, name) >= sizeof p)
        return too_long(ctx);
    return file_remove(p);
}

int dir_remove_files(const char *dir)
{
    if (dir_each(dir, remove_entry, (void *)dir) < 0) return -1;
    if (rmdir(dir) < 0 && errno != ENOENT) return fail("remove directory", dir, sys_errtext(errno));
    return 0;
}

int dir_writable(const char *dir)
{
    struct stat st;
    int e = 0;
    if (stat(dir, &st) < 0)
        e = errno;
    else if (!S_ISDIR(st.st_mode))
        e = ENOTDIR;
    else if (access(dir, W_OK | X_OK) < 0)
        e = errno;
    if (e != 0) return fail("use directory", dir, sys_errtext(e));
    return 0;
}
static int resolve_fail(const char *path, int e)
{
    if (strlen(path) > 512) /* the reason must not be cut off the message */
        return err_set(ACME_ELOCAL, "cannot resolve %.64s...: %s", path, sys_errtext(e));
    return fail("resolve", path, sys_errtext(e));
}

/* realpath(3) without its malloc (and without /proc): the working directory from the
 * getcwd system call (musl's getcwd() links strdup), then one component at a time, lstat()
 * on each, a symlink's text spliced in front of what is left (at most FILE_LINKS_MAX of
 * them), ".." taken lexically from a prefix already free of symlinks. */
#define FILE_LINKS_MAX 40

int file_realpath(const char *path, char *out, size_t cap)
{
    /* rest[p..]: what is left to resolve (kept at the end, so that a link's text can go in
     * front of it); res[0..q]: resolved so far, absolute, "/" or without a trailing slash. */
    char rest[SYS_PATH_MAX], res[SYS_PATH_MAX];
    size_t len = strlen(path), p, q;
    unsigned links = 0;
    struct stat st;

    if (len == 0) return resolve_fail(path, ENOENT);
    if (len >= sizeof rest) return resolve_fail(path, ENAMETOOLONG);
    p = sizeof rest - len - 1;
    memcpy(rest + p, path, len + 1);
    if (path[0] == '/') {
        strcpy(res, "/");
    } else {
        long r = syscall(SYS_getcwd, res, sizeof res);
        if (r < 0) return resolve_fail(path, errno);
        if (r == 0 || res[0] != '/') return resolve_fail(path, ENOENT); /* "(unreachable)" */
    }
    q = strlen(res);
    for (;;) {
        size_t l = 0, q0 = q;
        while (rest[p] == '/')
            p++;
        if (rest[p] == '\0') break;
        while (rest[p + l] != '\0' && rest[p + l] != '/')
            l++;
        if (l == 1 && rest[p] == '.') {
            p += l;
            continue;
        }
        if (l == 2 && rest[p] == '.' && rest[p + 1] == '.') {
            while (q > 1 && res[q - 1] != '/')
                q--;
            if (q > 1) q--;
            res[q] = '\0';
            p += l;
            continue;
        }
        if (q + 1 + l >= sizeof res) return resolve_fail(path, ENAMETOOLONG);
        if (q > 1) res[q++] = '/';
        memcpy(res + q, rest + p, l);
        q += l;
        res[q] = '\0';
        p += l;
        if (lstat(res, &st) < 0) return resolve_fail(path, errno);
        if (S_ISLNK(st.st_mode)) {
            ssize_t k;
            if (++links > FILE_LINKS_MAX) return resolve_fail(path, ELOOP);
            k = readlink(res, rest, p); /* into the free space in front of rest[p] */
            if (k < 0) return resolve_fail(path, errno);
            if (k == 0) return resolve_fail(path, ENOENT);
            if ((size_t)k >= p) return resolve_fail(path, ENAMETOOLONG);
            memmove(rest + p - (size_t)k, rest, (size_t)k);
            p -= (size_t)k;
            q = rest[p] == '/' ? 1 : q0; /* an absolute target starts again from "/" */
            res[q] = '\0';
            continue;
        }
        if (!S_ISDIR(st.st_mode) && rest[p] != '\0') return resolve_fail(path, ENOTDIR);
    }
    if (q >= cap)
        return err_set(ACME_ELOCAL, "%s: resolved path longer than %zu bytes", path, cap - 1);
    memcpy(out, res, q + 1);
    return 0;
}
