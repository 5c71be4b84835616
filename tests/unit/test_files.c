/* Unit tests: platform/files.c (atomic writes, mkdir -p, bounded reads) and platform/hook.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "err.h"
#include "hook.h"
#include "sys.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/acme-test-files-XXXXXX", t && *t ? t : "/tmp");
    if (mkdtemp(tmpdir) == NULL) return -1;
    return 0;
}

static void rm_rf(const char *path)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", path, path);
    if (system(cmd) != 0) fprintf(stderr, "cleanup of %s failed\n", path);
}

static int teardown(void **state)
{
    (void)state;
    rm_rf(tmpdir);
    return 0;
}

static const char *tpath(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

/* Entries of dir other than . and ..; names (when not NULL) gets them joined by spaces. */
static int count_entries(const char *dir, char *names, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (names) names[0] = '\0';
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        n++;
        if (names && strlen(names) + strlen(e->d_name) + 2 < cap) {
            strcat(names, e->d_name);
            strcat(names, " ");
        }
    }
    closedir(d);
    return n;
}

static void read_back(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
}

static void test_write_atomic_mode_ignores_umask(void **state)
{
    (void)state;
    struct stat st;
    char got[64];
    const char *p = tpath("key.pem");

    mode_t old = umask(0077);
    assert_int_equal(file_write_atomic(p, "secret\n", 7, 0600), 0);
    umask(0777); /* even a umask that takes everything away must not matter */
    const char *q = tpath("cert.pem");
    assert_int_equal(file_write_atomic(q, "cert\n", 5, 0644), 0);
    umask(old);

    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(stat(q, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    read_back(p, got, sizeof got);
    assert_string_equal(got, "secret\n");
    assert_int_equal(count_entries(tmpdir, NULL, 0), 2);
}

static void test_write_atomic_replaces_and_changes_mode(void **state)
{
    (void)state;
    struct stat st;
    char got[64];
    const char *p = tpath("replace.pem");

    assert_int_equal(file_write_atomic(p, "old content that is longer\n", 27, 0644), 0);
    assert_int_equal(file_write_atomic(p, "new\n", 4, 0600), 0);
    read_back(p, got, sizeof got);
    assert_string_equal(got, "new\n");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 4);
    /* An empty file is content too. */
    assert_int_equal(file_write_atomic(p, "", 0, 0600), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(count_entries(tmpdir, NULL, 0), 1);
}

/* A write that fails halfway (the file size limit stands in for a full disk) leaves the
 * old file and no temp file. */
static void test_write_atomic_failed_write_keeps_old(void **state)
{
    (void)state;
    char got[64], names[256];
    const char *p = tpath("full.pem");
    static char big[8192];
    struct rlimit old, lim;

    assert_int_equal(file_write_atomic(p, "old\n", 4, 0644), 0);
    memset(big, 'x', sizeof big);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 1024;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = file_write_atomic(p, big, sizeof big, 0644);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);

    assert_int_equal(rc, -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), p));
    assert_non_null(strstr(err_msg(), sys_errtext(EFBIG)));
    read_back(p, got, sizeof got);
    assert_string_equal(got, "old\n");
    assert_int_equal(count_entries(tmpdir, names, sizeof names), 1);
    assert_string_equal(names, "full.pem ");
}

/* The rename fails (the target is a directory): the temp file is removed. */
static void test_write_atomic_failed_rename_cleans_up(void **state)
{
    (void)state;
    const char *p = tpath("adir");
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(file_write_atomic(p, "x", 1, 0644), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), p));
    assert_int_equal(count_entries(tmpdir, NULL, 0), 1);
    assert_int_equal(count_entries(p, NULL, 0), 0);
}

static void test_write_atomic_missing_dir(void **state)
{
    (void)state;
    const char *p = tpath("nodir/key.pem");
    assert_int_equal(file_write_atomic(p, "x", 1, 0600), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), p));
    assert_non_null(strstr(err_msg(), sys_errtext(ENOENT)));
}

/* A read-only directory: root ignores permission bits, so as root the write is tried by a
 * child that gave up root first. */
static void test_write_atomic_readonly_dir(void **state)
{
    (void)state;
    char got[64];
    const char *d = tpath("ro");
    const char *p = tpath("ro/cert.pem");
    struct stat st;

    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(file_write_atomic(p, "old\n", 4, 0644), 0);
    assert_int_equal(chmod(d, 0555), 0);
    assert_int_equal(stat(tmpdir, &st), 0);
    assert_int_equal(chmod(tmpdir, 0755), 0); /* the unprivileged child must reach ro/ */

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
            _exit(3); /* no way to drop root here */
        if (file_write_atomic(p, "new\n", 4, 0644) != -1) _exit(1);
        if (err_status() != ACME_ELOCAL || strstr(err_msg(), sys_errtext(EACCES)) == NULL ||
            strstr(err_msg(), "ro/cert.pem") == NULL)
            _exit(2);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    chmod(tmpdir, st.st_mode & 07777);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 3) {
        chmod(d, 0755);
        skip();
    }
    assert_int_equal(WEXITSTATUS(status), 0);
    read_back(p, got, sizeof got);
    assert_string_equal(got, "old\n");
    assert_int_equal(count_entries(d, NULL, 0), 1);
    chmod(d, 0755);
}

static void test_dir_make(void **state)
{
    (void)state;
    struct stat st;
    const char *p = tpath("state/acme/router//");

    mode_t old = umask(0022);
    assert_int_equal(dir_make(p, 0700), 0);
    umask(old);
    assert_int_equal(stat(tpath("state/acme/router"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_int_equal(stat(tpath("state"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0700); /* every directory it created */
    /* existing directories are fine, and "." style relative paths work */
    assert_int_equal(dir_make(tpath("state/acme"), 0700), 0);
    /* a file in the way is an error naming it */
    assert_int_equal(file_write_atomic(tpath("state/file"), "x", 1, 0644), 0);
    assert_int_equal(dir_make(tpath("state/file/sub"), 0700), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), "state/file"));
    assert_non_null(strstr(err_msg(), sys_errtext(ENOTDIR)));
}

static void test_file_read_limits(void **state)
{
    (void)state;
    static unsigned char mem[4096];
    struct arena a;
    char *data;
    size_t len;
    int missing = 7;
    const char *p = tpath("conf");

    arena_init(&a, mem, sizeof mem);
    assert_int_equal(file_write_atomic(p, "0123456789", 10, 0644), 0);
    assert_int_equal(file_read(p, &a, &data, &len, 10, &missing), 0);
    assert_int_equal(missing, 0);
    assert_int_equal(len, 10);
    assert_string_equal(data, "0123456789");
    /* what the file did not need went back to the arena */
    assert_true(a.used <= 16 + 8);

    assert_int_equal(file_read(p, &a, &data, &len, 9, &missing), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), p));
    assert_non_null(strstr(err_msg(), "limit of 9 bytes"));
    assert_int_equal(missing, 0);

    assert_int_equal(file_read(tpath("nothere"), &a, &data, &len, 100, &missing), -1);
    assert_int_equal(missing, 1);
    assert_non_null(strstr(err_msg(), "nothere"));
    assert_non_null(strstr(err_msg(), sys_errtext(ENOENT)));
    assert_int_equal(file_read(tpath("nothere"), &a, &data, &len, 100, NULL), -1);

    assert_int_equal(file_read(tmpdir, &a, &data, &len, 100, &missing), -1);
    assert_int_equal(missing, 0);

    /* the arena is too small for the file */
    struct arena small;
    static unsigned char tiny[8];
    arena_init(&small, tiny, sizeof tiny);
    assert_int_equal(file_read(p, &small, &data, &len, 100, NULL), -1);
    assert_non_null(strstr(err_msg(), "arena"));
    assert_non_null(strstr(err_msg(), p));

    /* empty file, and a device (no size from stat) within the limit */
    assert_int_equal(file_write_atomic(p, "", 0, 0644), 0);
    assert_int_equal(file_read(p, &a, &data, &len, 100, NULL), 0);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    assert_int_equal(file_read("/dev/null", &a, &data, &len, 100, NULL), 0);
    assert_int_equal(len, 0);
    /* procfs files claim size 0 but have content */
    static unsigned char big[40000];
    struct arena b;
    arena_init(&b, big, sizeof big);
    assert_int_equal(file_read("/proc/self/status", &b, &data, &len, 32768, NULL), 0);
    assert_true(len > 0);
    assert_int_equal(strlen(data), len);
    assert_int_equal(file_read("/dev/zero", &a, &data, &len, 100, NULL), -1);
    assert_non_null(strstr(err_msg(), "limit of 100 bytes"));
}

static int count_entry(const char *name, void *ctx)
{
    (void)name;
    (*(int *)ctx)++;
    return 0;
}

static int stop_at_first(const char *name, void *ctx)
{
    (void)name;
    (*(int *)ctx)++;
    return err_set(ACME_ELOCAL, "stop");
}

/* dir_each, dir_remove_files, dir_writable, file_realpath (the versioned install uses them) */
static void test_dir_each_remove_writable(void **state)
{
    char real[SYS_PATH_MAX], want[600];
    int n = 0;
    (void)state;
    assert_int_equal(dir_make(tpath("v/1"), 0700), 0);
    assert_int_equal(file_write_atomic(tpath("v/1/a"), "a", 1, 0600), 0);
    assert_int_equal(file_write_atomic(tpath("v/1/.b.tmp1.0"), "b", 1, 0600), 0);
    assert_int_equal(file_symlink_atomic("a", tpath("v/1/l")), 0);
    assert_int_equal(dir_each(tpath("v/1"), count_entry, &n), 0);
    assert_int_equal(n, 3);
    n = 0;
    assert_int_equal(dir_each(tpath("v/1"), stop_at_first, &n), -1);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(dir_each(tpath("v/none"), count_entry, &n), 0); /* missing: empty */
    assert_int_equal(n, 0);
    err_clear();

    assert_int_equal(dir_remove_files(tpath("v/1")), 0);
    assert_int_equal(file_exists(tpath("v/1")), 0);
    assert_int_equal(dir_remove_files(tpath("v/1")), 0); /* already gone */

    assert_int_equal(dir_writable(tpath("v")), 0);
    assert_int_equal(dir_writable(tpath("v/none")), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), tpath("v/none")));
    assert_int_equal(file_write_atomic(tpath("v/f"), "f", 1, 0600), 0);
    assert_int_equal(dir_writable(tpath("v/f")), -1); /* not a directory */
    if (geteuid() != 0) {
        assert_int_equal(chmod(tpath("v"), 0500), 0);
        assert_int_equal(dir_writable(tpath("v")), -1);
        assert_int_equal(chmod(tpath("v"), 0700), 0);
    }

    assert_int_equal(file_realpath(tpath("v/../v/f"), real, sizeof real), 0);
    assert_int_equal(real[0], '/');
    assert_null(strstr(real, ".."));
    snprintf(want, sizeof want, "/v/f");
    assert_string_equal(real + strlen(real) - strlen(want), want);
    assert_int_equal(file_realpath(tpath("v/f"), real, 4), -1); /* too long for out */
    assert_int_equal(file_realpath(tpath("nothing"), real, sizeof real), -1);
    err_clear();
}

struct seen {
    unsigned char hit[600];
    int n, other;
};

static int mark_entry(const char *name, void *ctx)
{
    struct seen *s = ctx;
    unsigned i;
    s->n++;
    /* "entry-NNN-" followed by padding up to 100 bytes */
    if (strncmp(name, "entry-", 6) != 0 || sscanf(name + 6, "%u", &i) != 1 || i >= 600 ||
        strlen(name) != 100) {
        s->other++;
        return 0;
    }
    s->hit[i]++;
    return 0;
}

/* dir_each over getdents64: more entries than one buffer holds, an empty directory, a missing
 * one, a file, and removing entries while listing (dir_remove_files). */
static void test_dir_each_many(void **state)
{
    struct seen s;
    char name[128];
    int i, n = 0;
    (void)state;
    assert_int_equal(dir_make(tpath("many"), 0700), 0);
    for (i = 0; i < 600; i++) {
        snprintf(name, sizeof name, "many/entry-%03d-%0*d", i, 100 - 10, 0);
        assert_int_equal(file_write_atomic(tpath(name), "x", 1, 0600), 0);
    }
    memset(&s, 0, sizeof s);
    assert_int_equal(dir_each(tpath("many"), mark_entry, &s), 0);
    assert_int_equal(s.n, 600); /* 600 names of 100 bytes: about 30 buffers */
    assert_int_equal(s.other, 0);
    for (i = 0; i < 600; i++)
        assert_int_equal(s.hit[i], 1);
    /* stops at the first callback error, keeping its message */
    assert_int_equal(dir_each(tpath("many"), stop_at_first, &n), -1);
    assert_int_equal(n, 1);
    assert_string_equal(err_msg(), "stop");
    err_clear();
    assert_int_equal(dir_remove_files(tpath("many")), 0);
    assert_int_equal(file_exists(tpath("many")), 0);

    /* empty: no calls */
    assert_int_equal(dir_make(tpath("empty"), 0700), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(dir_each(tpath("empty"), mark_entry, &s), 0);
    assert_int_equal(s.n, 0);
    /* missing (also a missing parent): no entries, no error */
    assert_int_equal(dir_each(tpath("none"), mark_entry, &s), 0);
    assert_int_equal(dir_each(tpath("none/deeper"), mark_entry, &s), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(err_status(), ACME_OK);
    /* a file: an error naming it */
    assert_int_equal(file_write_atomic(tpath("file"), "f", 1, 0600), 0);
    assert_int_equal(dir_each(tpath("file"), mark_entry, &s), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), tpath("file")));
    assert_non_null(strstr(err_msg(), sys_errtext(ENOTDIR)));
    assert_int_equal(s.n, 0);
    err_clear();
    /* a directory without read permission (not for root) */
    if (geteuid() != 0) {
        assert_int_equal(chmod(tpath("empty"), 0300), 0);
        assert_int_equal(dir_each(tpath("empty"), mark_entry, &s), -1);
        assert_non_null(strstr(err_msg(), sys_errtext(EACCES)));
        assert_int_equal(chmod(tpath("empty"), 0700), 0);
        err_clear();
    }
}

/* file_realpath() gives what libc's realpath() gives, or fails where it fails (with the errno's
 * text). */
static void same_as_libc(const char *path)
{
    char mine[SYS_PATH_MAX], *want;
    int r;
    err_clear();
    errno = 0;
    want = realpath(path, NULL);
    int e = errno;
    r = file_realpath(path, mine, sizeof mine);
    if (want != NULL) {
        if (r != 0) fail_msg("%s: libc %s, mine failed: %s", path, want, err_msg());
        if (strcmp(mine, want) != 0) fail_msg("%s: libc %s, mine %s", path, want, mine);
        free(want);
    } else {
        if (r != -1) fail_msg("%s: libc failed (%s), mine %s", path, strerror(e), mine);
        if (strstr(err_msg(), sys_errtext(e)) == NULL || strstr(err_msg(), path) == NULL)
            fail_msg("%s: libc %s, mine '%s'", path, strerror(e), err_msg());
    }
}

static void test_realpath(void **state)
{
    char cwd[SYS_PATH_MAX], got[SYS_PATH_MAX], deep[SYS_PATH_MAX + 100];
    (void)state;
    assert_int_equal(dir_make(tpath("r/a/b"), 0700), 0);
    assert_int_equal(file_write_atomic(tpath("r/a/b/f"), "f", 1, 0600), 0);
    assert_int_equal(symlink("a/b", tpath("r/rel")), 0);        /* relative */
    assert_int_equal(symlink(tpath("r/a"), tpath("r/abs")), 0); /* absolute */
    assert_int_equal(symlink("rel/f", tpath("r/chain")), 0);    /* link to a link's child */
    assert_int_equal(symlink("../..", tpath("r/a/b/up")), 0);   /* back up: r */
    assert_int_equal(symlink("loop2", tpath("r/loop1")), 0);    /* a loop */
    assert_int_equal(symlink("loop1", tpath("r/loop2")), 0);
    assert_int_equal(symlink("missing", tpath("r/dangling")), 0); /* to nothing */
    assert_int_equal(symlink("b/", tpath("r/a/slash")), 0);       /* text ending in '/' */
    assert_int_equal(symlink("/", tpath("r/root")), 0);
    const char *paths[] = {"r",
                           "r/",
                           "r//a///b/",
                           "r/./a/./b/.",
                           "r/a/..",
                           "r/a/b/../../a",
                           "r/rel",
                           "r/rel/f",
                           "r/rel/../b/f",
                           "r/abs/b/f",
                           "r/chain",
                           "r/a/b/up",
                           "r/a/b/up/a/b/up/rel/f",
                           "r/a/slash",
                           "r/a/slash/f",
                           "r/root",
                           "r/root/..",
                           "r/root/tmp/..",
                           "r/loop1",
                           "r/loop1/x",
                           "r/dangling",
                           "r/nothing",
                           "r/nothing/..",
                           "r/a/b/f/",
                           "r/a/b/f/..",
                           "r/a/b/f/.",
                           "r/rel/f/x",
                           "r/chain/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        same_as_libc(tpath(paths[i]));
    same_as_libc("/");
    /* a leading "//" is "/" to Linux (musl's realpath keeps it, glibc's does not) */
    assert_int_equal(file_realpath("//", got, sizeof got), 0);
    assert_string_equal(got, "/");
    same_as_libc("/..");
    same_as_libc("/./../.");

    /* relative paths start at the working directory */
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tpath("r/a")), 0);
    same_as_libc(".");
    same_as_libc("b");
    same_as_libc("b/f");
    same_as_libc("..");
    same_as_libc("../../..");
    same_as_libc("../rel/f");
    same_as_libc("nothing");
    same_as_libc("b/up/chain");
    assert_int_equal(chdir(cwd), 0);

    /* errors: empty, too long for out, too long a path, a loop */
    assert_int_equal(file_realpath("", got, sizeof got), -1);
    assert_non_null(strstr(err_msg(), sys_errtext(ENOENT)));
    assert_int_equal(file_realpath(tpath("r/a/b/f"), got, strlen(tpath("r/a/b/f"))), -1);
    assert_non_null(strstr(err_msg(), "resolved path longer than"));
    assert_int_equal(file_realpath(tpath("r/a/b/f"), got, strlen(tpath("r/a/b/f")) + 1), 0);
    memset(deep, 'a', sizeof deep - 1);
    deep[0] = '/';
    deep[sizeof deep - 1] = '\0';
    assert_int_equal(file_realpath(deep, got, sizeof got), -1);
    assert_non_null(strstr(err_msg(), sys_errtext(ENAMETOOLONG)));
    assert_int_equal(file_realpath(tpath("r/loop1"), got, sizeof got), -1);
    assert_non_null(strstr(err_msg(), sys_errtext(ELOOP)));
    err_clear();
}

static void test_exists_remove_rename_symlink(void **state)
{
    (void)state;
    char got[64], target[256];
    const char *p = tpath("cert.pem"), *prev = tpath("cert.pem.prev"), *l = tpath("link.pem");

    assert_false(file_exists(p));
    assert_int_equal(file_remove(p), 0); /* missing is fine */
    assert_int_equal(file_write_atomic(p, "one\n", 4, 0644), 0);
    assert_true(file_exists(p));
    assert_int_equal(file_rename(p, prev), 0);
    assert_false(file_exists(p));
    read_back(prev, got, sizeof got);
    assert_string_equal(got, "one\n");
    assert_int_equal(file_rename(p, prev), -1);
    assert_non_null(strstr(err_msg(), p));

    assert_int_equal(file_symlink_atomic("cert.pem.prev", l), 0);
    assert_int_equal(file_symlink_atomic(prev, l), 0); /* replaces */
    ssize_t n = readlink(l, target, sizeof target - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, prev);
    read_back(l, got, sizeof got);
    assert_string_equal(got, "one\n");

    assert_int_equal(file_remove(prev), 0);
    assert_false(file_exists(prev));
    assert_int_equal(file_remove(l), 0);
    assert_int_equal(count_entries(tmpdir, NULL, 0), 0);
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(file_remove(p), -1); /* a directory is not removed */
    assert_non_null(strstr(err_msg(), p));
}

/* ---- hooks */

/* A process that exited but was not reaped yet (its parent died; init reaps it when it gets
 * to it) counts as gone. */
static int alive(pid_t pid)
{
    char path[64], st[256];
    if (kill(pid, 0) < 0) return 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return 0;
    size_t n = fread(st, 1, sizeof st - 1, f);
    fclose(f);
    st[n] = '\0';
    const char *paren = strrchr(st, ')');
    return !(paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

static void test_hook_shell_status(void **state)
{
    (void)state;
    char cmd[1200], got[64];

    snprintf(cmd, sizeof cmd, "echo ran > '%s'", tpath("reloaded"));
    assert_int_equal(hook_shell("reload", cmd, 10), 0);
    read_back(tpath("reloaded"), got, sizeof got);
    assert_string_equal(got, "ran\n");

    assert_int_equal(hook_shell("reload", "exit 3", 10), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), "reload exited with status 3"));

    assert_int_equal(hook_shell("reload", "kill -9 $$", 10), -1);
    assert_non_null(strstr(err_msg(), "reload was killed by signal 9"));

    assert_int_equal(hook_shell("reload", "/nonexistent/command", 10), -1);
    assert_non_null(strstr(err_msg(), "status 127"));
}

static void test_hook_timeout_kills_group(void **state)
{
    (void)state;
    char cmd[1200];
    struct timespec t0, t1;

    /* The grandchild (sleep) must die with the shell, or it would outlive the run. */
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > '%s'; wait", tpath("pid"));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(hook_shell("reload", cmd, 1), -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_non_null(strstr(err_msg(), "reload timed out after 1 s"));
    assert_true(t1.tv_sec - t0.tv_sec < 10);

    char got[32];
    read_back(tpath("pid"), got, sizeof got);
    pid_t sleeper = (pid_t)atoi(got);
    assert_true(sleeper > 1);
    /* give the kernel a moment to deliver the signal to the group */
    for (int i = 0; i < 100 && alive(sleeper); i++)
        usleep(20000);
    assert_false(alive(sleeper));
}

static void test_hook_dns_args_and_env(void **state)
{
    (void)state;
    char hook[1200], script[2000], got[512];
    const char *sp = tpath("hook.sh");

    /* Arguments keep shell metacharacters literal; the environment carries the same values. */
    snprintf(script, sizeof script,
             "#!/bin/sh\nprintf '%%s|%%s|%%s|%%s|%%s|%%s|%%s\\n' \"$#\" \"$1\" \"$2\" \"$3\" "
             "\"$ACME_ACTION\" \"$ACME_NAME\" \"$ACME_DOMAIN\" > '%s'\n"
             "[ \"$ACME_VALUE\" = \"$3\" ] || exit 9\n",
             tpath("out"));
    assert_int_equal(file_write_atomic(sp, script, strlen(script), 0755), 0);
    setenv("ACME_NAME", "stale", 1); /* replaced, not duplicated */
    snprintf(hook, sizeof hook, "'%s'", sp);
    assert_int_equal(
        hook_dns(hook, "add", "_acme-challenge.example.org", "v$(id)'\"x", "example.org", 10), 0);
    unsetenv("ACME_NAME");
    read_back(tpath("out"), got, sizeof got);
    assert_string_equal(got, "3|add|_acme-challenge.example.org|v$(id)'\"x|add|"
                             "_acme-challenge.example.org|example.org\n");

    /* the hook's own arguments are kept before ours */
    snprintf(hook, sizeof hook, "sh -c 'exit $(($# + 40))' argv0 extra");
    assert_int_equal(hook_dns(hook, "del", "n", "v", "d", 10), -1);
    assert_non_null(strstr(err_msg(), "dns_hook del exited with status 44"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_atomic_mode_ignores_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_replaces_and_changes_mode, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_failed_write_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_failed_rename_cleans_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_missing_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_readonly_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_make, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_read_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exists_remove_rename_symlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_each_remove_writable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_each_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realpath, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_shell_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_timeout_kills_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_dns_args_and_env, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
