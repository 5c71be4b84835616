/* Unit tests: core/passwd.c (`user = NAME` looked up in the text of /etc/passwd, `user =
 * UID:GID`) and platform/privdrop.c's sys_drop_privileges() (in a child process). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "passwd.h"
#include "sys.h"

static const char sample[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "daemon:*:1:1:daemon:/var:/bin/false\n"
                             "# a comment line\n"
                             "\n"
                             "bob:x:1000:1001:Bob,,,:/home/bob:/bin/sh\n"
                             "bobby:x:1002:1003::/home/bobby:/bin/sh\n"
                             "bob:x:5:5:second bob:/:/bin/sh\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";

static int find(const char *text, const char *name, uint32_t *uid, uint32_t *gid)
{
    *uid = *gid = 77777;
    err_clear();
    return passwd_find(text, strlen(text), name, uid, gid);
}

static void test_find(void **state)
{
    uint32_t uid, gid;
    (void)state;
    assert_int_equal(find(sample, "root", &uid, &gid), 1);
    assert_int_equal(uid, 0);
    assert_int_equal(gid, 0);
    assert_int_equal(find(sample, "daemon", &uid, &gid), 1);
    assert_int_equal(uid, 1);
    assert_int_equal(gid, 1);
    /* the first entry wins; a longer name is another user */
    assert_int_equal(find(sample, "bob", &uid, &gid), 1);
    assert_int_equal(uid, 1000);
    assert_int_equal(gid, 1001);
    assert_int_equal(find(sample, "bobby", &uid, &gid), 1);
    assert_int_equal(uid, 1002);
    assert_int_equal(gid, 1003);
    /* the last line has no newline */
    assert_int_equal(find(sample, "nobody", &uid, &gid), 1);
    assert_int_equal(uid, 65534);
    assert_int_equal(gid, 65534);
    /* not there: prefixes, other fields, comments; no error set */
    assert_int_equal(find(sample, "bo", &uid, &gid), 0);
    assert_int_equal(find(sample, "x", &uid, &gid), 0);
    assert_int_equal(find(sample, "1000", &uid, &gid), 0);
    assert_int_equal(find(sample, "#", &uid, &gid), 0);
    assert_int_equal(find(sample, "nob", &uid, &gid), 0);
    assert_int_equal(err_status(), ACME_OK);
    assert_int_equal(uid, 77777);
    assert_int_equal(find("", "root", &uid, &gid), 0);
    assert_int_equal(find("\n\n\n", "root", &uid, &gid), 0);
    /* CRLF line ends */
    assert_int_equal(find("a:x:1:2:g:/:/bin/sh\r\nb:x:3:4:g:/:/bin/sh\r\n", "b", &uid, &gid), 1);
    assert_int_equal(uid, 3);
    assert_int_equal(gid, 4);
    /* empty fields other than uid and gid are fine; the largest id */
    assert_int_equal(find("u::4294967294:0:::\n", "u", &uid, &gid), 1);
    assert_int_equal(uid, 4294967294u);
    assert_int_equal(gid, 0);
    assert_int_equal(find("u:x:007:0010:::\n", "u", &uid, &gid), 1);
    assert_int_equal(uid, 7);
    assert_int_equal(gid, 10);
}

static void test_find_binary(void **state)
{
    static const char text[] = "a\0b:x:1:1:::\nab:x:2:2:::\nc:x:3:3:\0::\n";
    uint32_t uid, gid;
    (void)state;
    assert_int_equal(passwd_find(text, sizeof text - 1, "ab", &uid, &gid), 1);
    assert_int_equal(uid, 2);
    assert_int_equal(passwd_find(text, sizeof text - 1, "a", &uid, &gid), 0);
    assert_int_equal(passwd_find(text, sizeof text - 1, "c", &uid, &gid), 1);
    assert_int_equal(uid, 3);
    /* only len bytes count */
    assert_int_equal(passwd_find(sample, 10, "bob", &uid, &gid), 0);
}

/* A malformed entry: -1, ACME_ECONFIG, a message holding `want`. */
static void bad(const char *text, const char *name, const char *want)
{
    uint32_t uid, gid;
    int r = find(text, name, &uid, &gid);
    if (r != -1 || err_status() != ACME_ECONFIG || strstr(err_msg(), want) == NULL)
        fail_msg("%s in [%s]: %d, status %d, '%s' (wanted '%s')", name, text, r, err_status(),
                 err_msg(), want);
}

static void test_find_malformed(void **state)
{
    char longline[PASSWD_LINE_MAX + 64];
    uint32_t uid, gid;
    (void)state;
    bad("a:x:1:1:::\nu:x:1:1\n", "u", "line 2: fewer than 7 fields");
    bad("u:x:1:1::/:/bin/sh:extra\n", "u", "line 1: more than 7 fields");
    bad("u:\n", "u", "fewer than 7 fields");
    bad("u:x::1:::\n", "u", "line 1: uid '' is not a decimal number");
    bad("u:x:1::::\n", "u", "gid '' is not a decimal number");
    bad("u:x:-1:1:::\n", "u", "uid '-1'");
    bad("u:x:+1:1:::\n", "u", "uid '+1'");
    bad("u:x: 1:1:::\n", "u", "uid ' 1'");
    bad("u:x:1 :1:::\n", "u", "uid '1 '");
    bad("u:x:0x10:1:::\n", "u", "uid '0x10'");
    bad("u:x:1:4294967295:::\n", "u", "gid '4294967295'");
    bad("u:x:4294967296:1:::\n", "u", "uid '4294967296'");
    bad("u:x:99999999999:1:::\n", "u", "uid '99999999999'");
    bad("u:x:00000000001:1:::\n", "u", "uid '00000000001'"); /* more than 10 digits */
    bad("u:x:1\r:1:::\n", "u", "uid '1\r'");
    /* the error stops at the first entry for the name, even if a good one follows */
    bad("u:x:a:1:::\nu:x:1:1:::\n", "u", "line 1: uid 'a'");
    /* a long bad field is cut in the message */
    bad("u:x:1:1234567890123456789012345678901234567890:::\n", "u",
        "gid '12345678901234567890123456789012' is not");
    /* names that cannot be in the file */
    bad(sample, "", "empty user name");
    bad(sample, "bob:x", "not a user name");
    bad(sample, "bob\n", "not a user name");

    /* bounded entry length: the user's own entry only */
    memset(longline, 'g', sizeof longline);
    memcpy(longline, "u:x:1:2:", 8);
    memcpy(longline + PASSWD_LINE_MAX - 2, "::", 3);
    assert_int_equal(strlen(longline), PASSWD_LINE_MAX);
    assert_int_equal(find(longline, "u", &uid, &gid), 1); /* exactly the limit */
    assert_int_equal(gid, 2);
    memcpy(longline + PASSWD_LINE_MAX - 2, "g::", 4);
    bad(longline, "u", "line 1: entry longer than 1024 bytes");
    memcpy(longline, "v:x:1:2:", 8);
    assert_int_equal(find(longline, "u", &uid, &gid), 0); /* someone else's: skipped */
}

static void test_ids(void **state)
{
    uint32_t uid = 9, gid = 9;
    (void)state;
    assert_int_equal(passwd_ids("1000:1001", &uid, &gid), 1);
    assert_int_equal(uid, 1000);
    assert_int_equal(gid, 1001);
    assert_int_equal(passwd_ids("0:0", &uid, &gid), 1);
    assert_int_equal(uid, 0);
    assert_int_equal(gid, 0);
    assert_int_equal(passwd_ids("4294967294:4294967294", &uid, &gid), 1);
    assert_int_equal(uid, 4294967294u);
    uid = gid = 9;
    assert_int_equal(passwd_ids("bob", &uid, &gid), 0);
    assert_int_equal(passwd_ids("1000", &uid, &gid), 0); /* a name made of digits */
    assert_int_equal(uid, 9);
    const char *bad_ids[] = {"1000:", ":1000", ":",    "1:2:3",        "a:1",
                             "1:a",   "-1:1",  "1:+1", "4294967295:1", "1:4294967296",
                             " 1:1",  "1:1 ",  "bob:"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        err_clear();
        if (passwd_ids(bad_ids[i], &uid, &gid) != -1 || err_status() != ACME_ECONFIG ||
            strstr(err_msg(), "UID:GID") == NULL)
            fail_msg("'%s' accepted or wrong error: %s", bad_ids[i], err_msg());
    }
}

/* Every entry of this machine's /etc/passwd gives what libc's getpwnam() gives. */
static void test_agrees_with_libc(void **state)
{
    static char text[PASSWD_FILE_MAX];
    FILE *f = fopen(PASSWD_PATH, "r");
    size_t len, pos, checked = 0;
    (void)state;
    if (f == NULL) skip();
    len = fread(text, 1, sizeof text, f);
    fclose(f);
    for (pos = 0; pos < len;) {
        char name[256];
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
        const char *colon = memchr(text + pos, ':', n);
        if (colon != NULL && colon > text + pos && (size_t)(colon - text - pos) < sizeof name) {
            uint32_t uid, gid;
            struct passwd *pw;
            memcpy(name, text + pos, (size_t)(colon - text - pos));
            name[colon - text - pos] = '\0';
            pw = getpwnam(name);
            if (pw != NULL && strchr(name, '+') == NULL) {
                assert_int_equal(passwd_find(text, len, name, &uid, &gid), 1);
                assert_int_equal(uid, pw->pw_uid);
                assert_int_equal(gid, pw->pw_gid);
                checked++;
            }
        }
        pos += n + 1;
    }
    assert_true(checked > 0);
}

/* Runs sys_drop_privileges(user) in a child; returns what the child reports: 0 and the ids
 * after the call, or the error status. */
struct drop_result {
    int rc, status;
    unsigned uid, euid, gid, egid, ngroups, group0;
    char msg[200];
};

static void drop_in_child(const char *user, struct drop_result *res)
{
    int fds[2], wst;
    pid_t pid;
    memset(res, 0, sizeof *res);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct drop_result r;
        gid_t groups[8];
        int n;
        memset(&r, 0, sizeof r);
        close(fds[0]);
        err_clear();
        r.rc = sys_drop_privileges(user);
        r.status = err_status();
        snprintf(r.msg, sizeof r.msg, "%s", err_msg());
        r.uid = getuid();
        r.euid = geteuid();
        r.gid = getgid();
        r.egid = getegid();
        n = getgroups(8, groups);
        r.ngroups = n < 0 ? 99u : (unsigned)n;
        r.group0 = n > 0 ? groups[0] : 0;
        if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], res, sizeof *res), (ssize_t)sizeof *res);
    close(fds[0]);
    assert_int_equal(waitpid(pid, &wst, 0), pid);
    assert_true(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
}

static void test_drop(void **state)
{
    struct drop_result r;
    char ids[64];
    (void)state;

    drop_in_child("no-such-user-h2-test", &r);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.status, ACME_ECONFIG);
    assert_non_null(strstr(r.msg, "user = no-such-user-h2-test: no such user"));
    drop_in_child("1:x", &r);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.status, ACME_ECONFIG);
    assert_non_null(strstr(r.msg, "user = 1:x"));

    if (geteuid() != 0) {
        /* the user we already are: nothing to do */
        snprintf(ids, sizeof ids, "%u:%u", (unsigned)getuid(), (unsigned)getgid());
        drop_in_child(ids, &r);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.uid, getuid());
        drop_in_child("0:0", &r);
        assert_int_equal(r.rc, -1);
        assert_int_equal(r.status, ACME_ELOCAL);
        assert_non_null(strstr(r.msg, "only root can switch users"));
        return;
    }
    /* root: numeric ids need no entry */
    drop_in_child("54321:54322", &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.uid, 54321);
    assert_int_equal(r.euid, 54321);
    assert_int_equal(r.gid, 54322);
    assert_int_equal(r.egid, 54322);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.group0, 54322);
    drop_in_child("root", &r); /* nothing to drop */
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.uid, 0);
    /* a name from /etc/passwd, with libc's answer to compare */
    struct passwd *pw = getpwnam("nobody");
    if (pw == NULL || pw->pw_uid == 0) return;
    unsigned want_uid = pw->pw_uid, want_gid = pw->pw_gid;
    drop_in_child("nobody", &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.uid, want_uid);
    assert_int_equal(r.euid, want_uid);
    assert_int_equal(r.gid, want_gid);
    assert_int_equal(r.egid, want_gid);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.group0, want_gid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_find_binary),
        cmocka_unit_test(test_find_malformed),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_agrees_with_libc),
        cmocka_unit_test(test_drop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
