/* Files: bounded reads, atomic writes (temp + fsync + rename + directory fsync), mkdir -p,
 * removal and symlinks. Every error names the path and the OS reason (strerror). */
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

static int copy_path(char *dst, size_t cap, const char *path, const char *what)
{
    size_t n = strlen(path);
    if (n == 0) return err_set(ACME_ELOCAL, "%s: empty path", what);
    if (n >= cap)
        return err_set(ACME_ELOCAL, "%s: path longer than %zu bytes: %.64s...", what, cap - 1,
                       path);
    memcpy(dst, path, n + 1);
    return 0;
}

/* The directory part of path ("." when it has none), into dir[SYS_PATH_MAX]. */
static int dir_of(const char *path, char *dir)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        strcpy(dir, ".");
        return 0;
    }
    size_t n = (size_t)(slash - path);
    if (n == 0) n = 1; /* "/file": the root directory */
    if (n >= SYS_PATH_MAX)
        return err_set(ACME_ELOCAL, "path longer than %d bytes: %.64s...", SYS_PATH_MAX - 1, path);
    memcpy(dir, path, n);
    dir[n] = '\0';
    return 0;
}

/* Makes a rename or a new directory entry durable. Some file systems cannot fsync a
 * directory (EINVAL); nothing more can be done there. */
static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return err_set(ACME_ELOCAL, "cannot open directory %s: %s", dir, strerror(errno));
    if (fsync(fd) < 0 && errno != EINVAL) {
        int e = errno;
        close(fd);
        return err_set(ACME_ELOCAL, "cannot sync directory %s: %s", dir, strerror(e));
    }
    close(fd);
    return 0;
}

int file_read(const char *path, struct arena *a, char **data, size_t *len, size_t max, int *missing)
{
    struct stat st;
    int fd;

    if (missing) *missing = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT && missing) *missing = 1;
        return err_set(ACME_ELOCAL, "cannot read %s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return err_set(ACME_ELOCAL, "cannot read %s: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return err_set(ACME_ELOCAL, "cannot read %s: %s", path, strerror(EISDIR));
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        close(fd);
        return err_set(ACME_ELOCAL, "%s is larger than the limit of %zu bytes", path, max);
    }
    /* Room for the size fstat() reported (max for pipes and devices), plus one byte so that
     * a file growing past the limit while being read is caught rather than cut. */
    /* (procfs files claim size 0: read those like pipes) */
    size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : max;
    size_t mark = arena_mark(a);
    char *p = arena_alloc(a, cap + 2, "reading a file");
    if (p == NULL) {
        close(fd);
        return err_prefix("%s", path);
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, p + n, cap + 1 - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            arena_release(a, mark);
            return err_set(ACME_ELOCAL, "cannot read %s: %s", path, strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n > cap) {
            close(fd);
            arena_release(a, mark);
            if (n > max)
                return err_set(ACME_ELOCAL, "%s is larger than the limit of %zu bytes", path, max);
            return err_set(ACME_ELOCAL, "cannot read %s: it changed while being read", path);
        }
    }
    close(fd);
    /* Give back what the file did not use: the same start comes back from the arena. */
    arena_release(a, mark);
    p = arena_alloc(a, n + 1, "reading a file");
    if (p == NULL) return err_prefix("%s", path);
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

/* Creates a fresh temp file next to path with exactly `mode`; fills tmp[SYS_PATH_MAX]. */
static int temp_create(const char *path, const char *dir, unsigned mode, char *tmp)
{
    static unsigned counter;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t dlen = strcmp(dir, ".") == 0 && strchr(path, '/') == NULL ? 0 : strlen(dir);
    for (int i = 0; i < TEMP_TRIES; i++) {
        int n;
        if (dlen == 0)
            n = fmt_snprintf(tmp, SYS_PATH_MAX, ".%s.tmp%ld.%u", base, (long)getpid(), counter++);
        else
            n = fmt_snprintf(tmp, SYS_PATH_MAX, "%s%s.%s.tmp%ld.%u", dir,
                             dir[dlen - 1] == '/' ? "" : "/", base, (long)getpid(), counter++);
        if (n < 0 || n >= SYS_PATH_MAX)
            return err_set(ACME_ELOCAL, "cannot write %s: path longer than %d bytes", path,
                           SYS_PATH_MAX - 1);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
        if (fd >= 0) {
            /* The umask may have taken bits away; the file is still empty. */
            if (fchmod(fd, mode & 07777) < 0) {
                int e = errno;
                close(fd);
                unlink(tmp);
                return err_set(ACME_ELOCAL, "cannot set mode of %s: %s", tmp, strerror(e));
            }
            return fd;
        }
        if (errno != EEXIST)
            return err_set(ACME_ELOCAL, "cannot write %s: cannot create %s: %s", path, tmp,
                           strerror(errno));
    }
    return err_set(ACME_ELOCAL, "cannot write %s: %d temp names in %s already exist", path,
                   TEMP_TRIES, dir);
}

int file_write_atomic(const char *path, const void *data, size_t n, unsigned mode)
{
    char dir[SYS_PATH_MAX], tmp[SYS_PATH_MAX];
    int fd, e;

    if (copy_path(tmp, sizeof tmp, path, "cannot write file") < 0 || dir_of(path, dir) < 0)
        return -1;
    fd = temp_create(path, dir, mode, tmp);
    if (fd < 0) return -1;
    if (write_all(fd, data, n) < 0 || fsync(fd) < 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        return err_set(ACME_ELOCAL, "cannot write %s: %s", path, strerror(e));
    }
    if (close(fd) < 0) {
        e = errno;
        unlink(tmp);
        return err_set(ACME_ELOCAL, "cannot write %s: %s", path, strerror(e));
    }
    if (rename(tmp, path) < 0) {
        e = errno;
        unlink(tmp);
        return err_set(ACME_ELOCAL, "cannot write %s: rename from %s: %s", path, tmp, strerror(e));
    }
    /* The new content is in place; a failed directory sync is still reported, since the
     * rename may not survive a power cut. */
    return fsync_dir(dir);
}

int dir_make(const char *path, unsigned mode)
{
    char p[SYS_PATH_MAX];
    struct stat st;

    if (copy_path(p, sizeof p, path, "cannot create directory") < 0) return -1;
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/')
        p[--len] = '\0';
    /* Create each missing component from the top; the slash after it is cut temporarily. */
    for (size_t i = 1; i <= len; i++) {
        if (i < len && p[i] != '/') continue;
        if (i < len && p[i - 1] == '/') continue; /* "a//b" */
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, mode & 07777) < 0) {
            int e = errno;
            if (e != EEXIST) {
                p[i] = saved;
                return err_set(ACME_ELOCAL, "cannot create directory %.*s: %s", (int)i, p,
                               strerror(e));
            }
            if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
                p[i] = saved;
                return err_set(ACME_ELOCAL, "cannot create directory %.*s: %s", (int)i, p,
                               strerror(ENOTDIR));
            }
        } else if (chmod(p, mode & 07777) < 0) {
            /* mkdir() applies the umask; what we create gets exactly `mode`. */
            int e = errno;
            p[i] = saved;
            return err_set(ACME_ELOCAL, "cannot set mode of %.*s: %s", (int)i, p, strerror(e));
        }
        p[i] = saved;
    }
    return 0;
}

int file_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return err_set(ACME_ELOCAL, "cannot remove %s: %s", path, strerror(errno));
    return 0;
}

int file_rename(const char *from, const char *to)
{
    char dir[SYS_PATH_MAX];
    if (dir_of(to, dir) < 0) return -1;
    if (rename(from, to) < 0)
        return err_set(ACME_ELOCAL, "cannot rename %s to %s: %s", from, to, strerror(errno));
    return fsync_dir(dir);
}

int file_symlink_atomic(const char *target, const char *linkpath)
{
    static unsigned counter;
    char dir[SYS_PATH_MAX], tmp[SYS_PATH_MAX];

    if (dir_of(linkpath, dir) < 0) return -1;
    for (int i = 0; i < TEMP_TRIES; i++) {
        int n = fmt_snprintf(tmp, sizeof tmp, "%s.tmp%ld.%u", linkpath, (long)getpid(), counter++);
        if (n < 0 || (size_t)n >= sizeof tmp)
            return err_set(ACME_ELOCAL, "cannot link %s: path longer than %d bytes", linkpath,
                           SYS_PATH_MAX - 1);
        if (symlink(target, tmp) == 0) {
            if (rename(tmp, linkpath) < 0) {
                int e = errno;
                unlink(tmp);
                return err_set(ACME_ELOCAL, "cannot link %s to %s: %s", linkpath, target,
                               strerror(e));
            }
            return fsync_dir(dir);
        }
        if (errno != EEXIST)
            return err_set(ACME_ELOCAL, "cannot link %s to %s: %s", linkpath, target,
                           strerror(errno));
    }
    return err_set(ACME_ELOCAL, "cannot link %s: %d temp names already exist", linkpath,
                   TEMP_TRIES);
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
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        if (errno == ENOENT) return 0;
        return err_set(ACME_ELOCAL, "cannot list %s: %s", dir, strerror(errno));
    }
    for (;;) {
        long n = syscall(SYS_getdents64, (long)fd, buf, sizeof buf);
        size_t at = 0;
        if (n < 0) {
            int e = errno;
            if (e == EINTR) continue;
            close(fd);
            return err_set(ACME_ELOCAL, "cannot list %s: %s", dir, strerror(e));
        }
        if (n == 0) break;
        while (at < (size_t)n) {
            uint16_t reclen;
            const char *name = buf + at + DIRENT_NAME_AT;
            if ((size_t)n - at <= DIRENT_NAME_AT) goto bad;
            memcpy(&reclen, buf + at + DIRENT_RECLEN_AT, sizeof reclen);
            if (reclen <= DIRENT_NAME_AT || reclen > (size_t)n - at ||
                memchr(name, '\0', reclen - DIRENT_NAME_AT) == NULL)
                goto bad;
            at += reclen;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
            if (fn(name, ctx) < 0) {
                close(fd);
                return -1;
            }
        }
    }
    close(fd);
    return 0;
bad:
    close(fd);
    return err_set(ACME_ELOCAL, "cannot list %s: malformed entry from getdents64", dir);
}

static int remove_entry(const char *name, void *ctx)
{
    char p[SYS_PATH_MAX];
    int n = fmt_snprintf(p, sizeof p, "%s/%s", (const char *)ctx, name);
    if (n < 0 || (size_t)n >= sizeof p)
        return err_set(ACME_ELOCAL, "cannot remove %s/%s: path longer than %d bytes",
                       (const char *)ctx, name, SYS_PATH_MAX - 1);
    return file_remove(p);
}

int dir_remove_files(const char *dir)
{
    if (dir_each(dir, remove_entry, (void *)dir) < 0) return -1;
    if (rmdir(dir) < 0 && errno != ENOENT)
        return err_set(ACME_ELOCAL, "cannot remove directory %s: %s", dir, strerror(errno));
    return 0;
}

int dir_writable(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0) return err_set(ACME_ELOCAL, "directory %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return err_set(ACME_ELOCAL, "%s: %s", dir, strerror(ENOTDIR));
    if (access(dir, W_OK | X_OK) < 0)
        return err_set(ACME_ELOCAL, "directory %s is not writable: %s", dir, strerror(errno));
    return 0;
}

static int resolve_fail(const char *path, int e)
{
    if (strlen(path) > 512) /* the reason must not be cut off the message */
        return err_set(ACME_ELOCAL, "cannot resolve %.64s...: %s", path, strerror(e));
    return err_set(ACME_ELOCAL, "cannot resolve %s: %s", path, strerror(e));
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
