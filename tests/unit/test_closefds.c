/* Unit tests: platform/closefds.c leaves exactly 0-2 and the kept descriptor open. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../platform/closefds.h"

#define NFDS 8

/* Forks; the child opens NFDS descriptors, keeps fds[keep_index] (or none) and reports with
 * its exit status how many descriptors other than 0-2 and the kept one are still open. */
static int open_after_close(int keep_index)
{
    pid_t pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0) {
        int fds[NFDS], keep = -1, left = 0, i;
        for (i = 0; i < NFDS; i++)
            if ((fds[i] = open("/dev/null", O_RDONLY)) < 0) _exit(100);
        /* one far above the others, to catch a close loop with a small upper bound */
        if (dup2(fds[0], 900) != 900) _exit(101);
        if (keep_index >= 0) keep = fds[keep_index];
        close_fds_except(keep);
        if (keep >= 0 && fcntl(keep, F_GETFD) < 0) _exit(102);
        for (i = 3; i < 1024; i++)
            if (i != keep && fcntl(i, F_GETFD) >= 0) left++;
        if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0 || fcntl(2, F_GETFD) < 0) _exit(103);
        _exit(left > 99 ? 99 : left);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_close_all(void **state)
{
    (void)state;
    assert_int_equal(open_after_close(-1), 0);
}

static void test_keep_first_middle_last(void **state)
{
    (void)state;
    assert_int_equal(open_after_close(0), 0);
    assert_int_equal(open_after_close(NFDS / 2), 0);
    assert_int_equal(open_after_close(NFDS - 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_all),
        cmocka_unit_test(test_keep_first_middle_last),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
