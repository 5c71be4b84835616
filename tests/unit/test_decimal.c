/* Unit tests: core/decimal.c (unsigned decimal numbers of bounded length). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decimal.h"

static void test_decimal_parse(void **state)
{
    (void)state;
    assert_int_equal(decimal_parse("0", 9), 0);
    assert_int_equal(decimal_parse("007", 3), 7);
    assert_int_equal(decimal_parse("65535", 5), 65535);
    assert_int_equal(decimal_parse("999999999", 9), 999999999);
    assert_int_equal(decimal_parse("123456", 5), -1); /* too many digits */
    assert_int_equal(decimal_parse("1234567890", 9), -1);
    assert_int_equal(decimal_parse("", 9), -1);
    assert_int_equal(decimal_parse("-1", 9), -1);
    assert_int_equal(decimal_parse("+1", 9), -1);
    assert_int_equal(decimal_parse(" 1", 9), -1);
    assert_int_equal(decimal_parse("1 ", 9), -1);
    assert_int_equal(decimal_parse("8O", 9), -1);
    assert_int_equal(decimal_parse("12:", 9), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
