/* Unit tests: platform/errtext.c, sys_errtext() (the errno texts used instead of strerror). Run
 * under qemu for the cross targets too: MIPS numbers many errno values differently. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sys.h"

/* Every errno the table is meant to hold (platform/errtext.c). */
static const int expected[] = {
    ENOENT,          EACCES,       EPERM,      EEXIST,       ENOTDIR,       EISDIR,
    ENOSPC,          EDQUOT,       EROFS,      EIO,          ELOOP,         ENAMETOOLONG,
    EXDEV,           EBUSY,        ETXTBSY,    ENOTEMPTY,    EMFILE,        ENFILE,
    EFBIG,           EBADF,        ENOEXEC,    E2BIG,        ECHILD,        ESRCH,
    EAGAIN,          ENOMEM,       EINTR,      EADDRINUSE,   EADDRNOTAVAIL, EAFNOSUPPORT,
    EPROTONOSUPPORT, ECONNREFUSED, ECONNRESET, ECONNABORTED, ETIMEDOUT,     EHOSTUNREACH,
    ENETUNREACH,     ENETDOWN,     ENOTCONN,   EPIPE,        EINPROGRESS,   EALREADY,
    EPROTO,          ENOPROTOOPT,  ENOBUFS,    EINVAL,       ENOSYS,        EOPNOTSUPP,
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

/* "error N" as printf writes it. */
static const char *fallback(int errnum)
{
    static char want[32];
    snprintf(want, sizeof want, "error %d", errnum);
    return want;
}

static void test_table(void **state)
{
    size_t i, j;
    (void)state;
    for (i = 0; i < NEXPECTED; i++) {
        const char *t = sys_errtext(expected[i]);
        assert_non_null(t);
        if (t[0] == '\0' || strcmp(t, fallback(expected[i])) == 0)
            fail_msg("errno %d (entry %zu): '%s'", expected[i], i, t);
        /* Distinct numbers with distinct texts: the two tables are not out of step. */
        for (j = 0; j < i; j++)
            if (expected[j] != expected[i] && strcmp(sys_errtext(expected[j]), t) == 0)
                fail_msg("errno %d and %d share '%s'", expected[j], expected[i], t);
    }
}

/* The wording the messages and the integration tests rely on (glibc and musl agree on it). */
static void test_wording(void **state)
{
    (void)state;
    assert_string_equal(sys_errtext(ENOENT), "No such file or directory");
    assert_string_equal(sys_errtext(EACCES), "Permission denied");
    assert_string_equal(sys_errtext(EPERM), "Operation not permitted");
    assert_string_equal(sys_errtext(ENOSPC), "No space left on device");
    assert_string_equal(sys_errtext(ECONNREFUSED), "Connection refused");
    assert_string_equal(sys_errtext(ECONNRESET), "Connection reset by peer");
    assert_string_equal(sys_errtext(EADDRINUSE), "Address already in use");
    assert_string_equal(sys_errtext(ENOTDIR), "Not a directory");
    assert_string_equal(sys_errtext(EDQUOT), "Disk quota exceeded");
    assert_string_equal(sys_errtext(EOPNOTSUPP), "Operation not supported"); /* the last */
    /* the same number under its other name */
    assert_string_equal(sys_errtext(EWOULDBLOCK), sys_errtext(EAGAIN));
    assert_string_equal(sys_errtext(ENOTSUP), sys_errtext(EOPNOTSUPP));
}

/* Every value from -5000 to 5000 not in the table is "error N"; the table holds no other. */
static void test_fallback(void **state)
{
    int e, found = 0;
    size_t i;
    (void)state;
    for (e = -5000; e <= 5000; e++) {
        const char *t = sys_errtext(e);
        int listed = 0;
        for (i = 0; i < NEXPECTED; i++)
            if (expected[i] == e) listed = 1;
        if (listed) {
            found++;
            continue;
        }
        if (strcmp(t, fallback(e)) != 0) fail_msg("errno %d: '%s', not '%s'", e, t, fallback(e));
    }
    assert_int_equal(found, NEXPECTED);
    assert_string_equal(sys_errtext(0), "error 0");
    assert_string_equal(sys_errtext(65535), "error 65535");
    assert_string_equal(sys_errtext(65536 + ENOENT), fallback(65536 + ENOENT));
}

/* The extremes of int fit the static buffer, digits and sign complete. */
static void test_extremes(void **state)
{
    (void)state;
    assert_string_equal(sys_errtext(INT_MAX), fallback(INT_MAX));
    assert_string_equal(sys_errtext(INT_MIN), fallback(INT_MIN));
    assert_string_equal(sys_errtext(-1), "error -1");
    assert_string_equal(sys_errtext(-ENOENT), fallback(-ENOENT));
    assert_string_equal(sys_errtext(1000000000), "error 1000000000");
    /* a table text is not the reused buffer */
    const char *t = sys_errtext(ENOENT);
    assert_string_equal(sys_errtext(9999), "error 9999");
    assert_string_equal(t, "No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_wording),
        cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
