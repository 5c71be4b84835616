/* Unit tests: arena, buf, err. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "err.h"

static void test_arena_alloc_aligned_and_exhausted(void **state)
{
    (void)state;
    static unsigned char mem[64];
    struct arena a;
    arena_init(&a, mem, sizeof mem);
    char *p = arena_alloc(&a, 3, "test");
    assert_non_null(p);
    void *q = arena_alloc(&a, 8, "test");
    assert_non_null(q);
    assert_int_equal(((uintptr_t)q - (uintptr_t)mem) % 8, 0);
    assert_null(arena_alloc(&a, 100, "reading the directory"));
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), "arena of 64 bytes exhausted while reading the directory"));
    size_t m = arena_mark(&a);
    assert_non_null(arena_alloc(&a, 8, "x"));
    arena_release(&a, m);
    assert_int_equal(a.used, m);
    assert_true(a.peak >= 24);
}

static void test_arena_printf_and_strdup(void **state)
{
    (void)state;
    static unsigned char mem[32];
    struct arena a;
    arena_init(&a, mem, sizeof mem);
    char *s = arena_printf(&a, "t", "%s-%d", "ab", 12);
    assert_string_equal(s, "ab-12");
    assert_string_equal(arena_strndup(&a, "hello", 2, "t"), "he");
    assert_null(arena_printf(&a, "t", "%040d", 1));
}

static void test_buf_overflow_sticky(void **state)
{
    (void)state;
    unsigned char mem[8];
    struct buf b;
    buf_init(&b, mem, sizeof mem);
    buf_puts(&b, "abc");
    buf_printf(&b, "%d", 42);
    assert_int_equal(b.len, 5);
    assert_int_equal(buf_check(&b, "x"), 0);
    assert_string_equal(buf_cstr(&b), "abc42");
    buf_puts(&b, "toolong");
    assert_true(b.overflow);
    buf_putc(&b, 'z');
    assert_int_equal(b.len, 5);
    assert_int_equal(buf_check(&b, "the JWS"), -1);
    assert_non_null(strstr(err_msg(), "the JWS: 8-byte buffer too small"));
}

static void test_err_prefix_recode(void **state)
{
    (void)state;
    err_set(ACME_ETEMP, "JSON: bad token at offset %d", 7);
    err_prefix("reading %s", "the directory");
    err_recode(ACME_EREFUSED);
    assert_int_equal(err_status(), ACME_EREFUSED);
    assert_string_equal(err_msg(), "reading the directory: JSON: bad token at offset 7");
    err_clear();
    assert_int_equal(err_status(), ACME_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alloc_aligned_and_exhausted),
        cmocka_unit_test(test_arena_printf_and_strdup),
        cmocka_unit_test(test_buf_overflow_sticky),
        cmocka_unit_test(test_err_prefix_recode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
