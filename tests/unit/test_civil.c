/* Unit tests: core/civil.c calendar arithmetic, against fixed dates and a naive day counter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "civil.h"

static void test_fixed_dates(void **state)
{
    (void)state;
    assert_int_equal(civil_to_days(1970, 1, 1), 0);
    assert_int_equal(civil_to_days(1969, 12, 31), -1);
    assert_int_equal(civil_to_days(2000, 3, 1), 11017);
    assert_int_equal(civil_to_days(2038, 1, 19), 24855);
    assert_int_equal(civil_to_days(0, 1, 1), -719528);
    assert_int_equal(civil_to_days(9999, 12, 31), 2932896);
}

/* Walks day by day from 1600-01-01 to 2400-12-31 with a plain calendar, checking both ways. */
static void test_every_day_both_ways(void **state)
{
    int64_t y = 1600, days = civil_to_days(1600, 1, 1), gy;
    unsigned m = 1, d = 1, gm, gd;
    (void)state;
    assert_int_equal(days, -135140);
    while (y <= 2400) {
        assert_int_equal(civil_to_days(y, m, d), days);
        civil_from_days(days, &gy, &gm, &gd);
        assert_int_equal(gy, y);
        assert_int_equal(gm, m);
        assert_int_equal(gd, d);
        days++;
        if (++d > civil_days_in_month(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
}

static void test_days_in_month(void **state)
{
    (void)state;
    assert_int_equal(civil_days_in_month(2024, 2), 29);
    assert_int_equal(civil_days_in_month(2023, 2), 28);
    assert_int_equal(civil_days_in_month(1900, 2), 28);
    assert_int_equal(civil_days_in_month(2000, 2), 29);
    assert_int_equal(civil_days_in_month(2023, 4), 30);
    assert_int_equal(civil_days_in_month(2023, 12), 31);
}

static void expect_split(int64_t t, int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                         unsigned sec)
{
    struct civil_time c;
    civil_split(t, &c);
    assert_int_equal(c.year, y);
    assert_int_equal(c.month, mo);
    assert_int_equal(c.day, d);
    assert_int_equal(c.hour, h);
    assert_int_equal(c.min, mi);
    assert_int_equal(c.sec, sec);
}

static void test_split(void **state)
{
    struct civil_time c;
    (void)state;
    expect_split(-1, 1969, 12, 31, 23, 59, 59);
    expect_split(0, 1970, 1, 1, 0, 0, 0);
    expect_split(1700000000, 2023, 11, 14, 22, 13, 20);
    expect_split(951782400, 2000, 2, 29, 0, 0, 0);
    /* The extremes must not overflow (UBSan watches); the years are far outside any use. */
    civil_split(INT64_MIN, &c);
    assert_true(c.year < -200000000);
    civil_split(INT64_MAX, &c);
    assert_true(c.year > 200000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_dates),
        cmocka_unit_test(test_every_day_both_ways),
        cmocka_unit_test(test_days_in_month),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
