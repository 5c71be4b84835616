/* Unit tests: core/str.c, against strstr() on fixed and generated strings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "str.h"

static void test_fixed(void **state)
{
    const char *s = "..a.tmp12.tmp3";
    (void)state;
    assert_ptr_equal(str_find(s, ".tmp"), s + 3);
    assert_ptr_equal(str_find(s + 4, ".tmp"), s + 9);
    assert_ptr_equal(str_find(s, ""), s);
    assert_non_null(str_find("", ""));
    assert_null(str_find("", "a"));
    assert_null(str_find("abc", "abcd"));
    assert_null(str_find("ab", "b."));
    assert_string_equal(str_find("aaab", "aab"), "aab");
    assert_string_equal(str_find("connection reset by peer", "reset"), "reset by peer");
    assert_string_equal(str_find("x/../y", "/.."), "/../y");
}

/* Every needle cut out of a small alphabet string, and some that are not in it, against the
 * C library. */
static void test_against_strstr(void **state)
{
    char hay[64], needle[8];
    unsigned seed = 1;
    int i, j, k;
    (void)state;
    for (i = 0; i < 2000; i++) {
        int hn = (int)(seed % 40), nn;
        for (j = 0; j < hn; j++) {
            seed = seed * 1103515245u + 12345u;
            hay[j] = (char)('a' + (seed >> 16) % 3);
        }
        hay[hn] = '\0';
        seed = seed * 1103515245u + 12345u;
        nn = (int)((seed >> 16) % 6);
        for (k = 0; k < nn; k++) {
            seed = seed * 1103515245u + 12345u;
            needle[k] = (char)('a' + (seed >> 16) % 3);
        }
        needle[nn] = '\0';
        assert_ptr_equal(str_find(hay, needle), strstr(hay, needle));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_against_strstr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
