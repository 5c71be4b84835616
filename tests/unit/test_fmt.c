/* Unit tests: core/fmt.c against the host libc's snprintf for every conversion and flag the
 * tree uses, the C11 snprintf contract (truncation, return value, n == 0), what is not
 * supported (copied literally, no argument read), and platform/out.c's write(2) path. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <cmocka.h>

#include "fmt.h"
#include "log.h"
#include "out.h"

/* fmt_snprintf and the host snprintf on the same format and arguments: same bytes (up to and
 * including the NUL; %c may put a NUL inside) and the same return value. */
static void same_(const char *what, int line, int r_mine, const char *mine, int r_ref,
                  const char *ref)
{
    if (r_mine != r_ref || r_ref < 0 || memcmp(mine, ref, (size_t)r_ref + 1) != 0)
        fail_msg("line %d: format %s: got %d \"%s\", libc %d \"%s\"", line, what, r_mine, mine,
                 r_ref, ref);
}
#define SAME(...)                                                                                  \
    do {                                                                                           \
        char mine_[256], ref_[256];                                                                \
        int rm_ = fmt_snprintf(mine_, sizeof mine_, __VA_ARGS__);                                  \
        int rr_ = snprintf(ref_, sizeof ref_, __VA_ARGS__);                                        \
        same_(#__VA_ARGS__, __LINE__, rm_, mine_, rr_, ref_);                                      \
    } while (0)

/* No format attribute: lets the tests pass formats the compiler would reject. */
static int raw(char *dst, size_t n, const char *format, ...)
{
    va_list ap;
    int r;
    va_start(ap, format);
    r = fmt_vsnprintf(dst, n, format, ap);
    va_end(ap);
    return r;
}

static void test_strings(void **state)
{
    static char longs[200];
    (void)state;
    memset(longs, 'z', sizeof longs - 1);
    SAME("plain text, no conversion");
    SAME("%s", "");
    SAME("%s", "abc");
    SAME("[%s] [%s]", "a b", "c");
    SAME("%s%s%s", "x", "", "y");
    SAME("%.*s|", 0, "abcdef");
    SAME("%.*s|", 3, "abcdef");
    SAME("%.*s|", 6, "abcdef");
    SAME("%.*s|", 50, "abcdef");
    SAME("%.*s|", -1, "abcdef"); /* a negative precision is none */
    SAME("%.64s", longs);
    SAME("%.40s...", longs);
    SAME("%.100s", "short");
    SAME("%.29s", "Sun, 06 Nov 1994 08:49:37 GMTXXXX");
    SAME("%14s|%-10s|", "keygen ms", "key");
    SAME("%-10s|%14s|", "a-much-longer-word", "x");
    SAME("%5s|%-5s|%5.2s|%-5.2s|", "abc", "abc", "abc", "abc");
    SAME("%*s|%*s|", 6, "ab", -6, "ab");
    SAME("%c%c%c", 'a', '-', 'Z');
    SAME("HTTP/%c.%c not supported", '2', '0');
    SAME("'%c'", 0x7f);
    SAME("%3c|%-3c|", 'q', 'q');
    SAME("a%cb", '\0'); /* a NUL inside the output */
    SAME("%%");
    SAME("100%% of %d%%", 5);
}

static void test_null_string(void **state)
{
    char b[32];
    const char *volatile nul = NULL; /* volatile: no compile-time NULL warning */
    (void)state;
    assert_int_equal(fmt_snprintf(b, sizeof b, "[%s]", nul), 8);
    assert_string_equal(b, "[(null)]");
    assert_int_equal(fmt_snprintf(b, sizeof b, "[%.3s]", nul), 5);
    assert_string_equal(b, "[(nu]");
    assert_int_equal(fmt_snprintf(b, sizeof b, "[%8s]", nul), 10);
    assert_string_equal(b, "[  (null)]");
}

static void test_signed(void **state)
{
    static const int ints[] = {0, 1, -1, 7, -7, 42, -42, 99, 100, -100, 12345, INT_MAX, INT_MIN};
    static const long longs[] = {0, 1, -1, 86400, -86400, LONG_MAX, LONG_MIN};
    static const long long lls[] = {0, 1, -1, 1970, 99999, -99999, LLONG_MAX, LLONG_MIN};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        int v = ints[i];
        SAME("%d", v);
        SAME("%i", v);
        SAME("%02d", v);
        SAME("%04d", v);
        SAME("%5d|%-5d|%05d|", v, v, v);
        SAME("%.3d|%8.3d|%-8.3d|", v, v, v);
        SAME("%.0d|%3.0d|", v, v);
        SAME("%*d|%-*d|%*d|", 7, v, 7, v, -7, v);
        SAME("%.*d|%0*d|", 4, v, 6, v);
        SAME("%012d", v);
        SAME("%1d", v);
    }
    for (i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        long v = longs[i];
        SAME("%ld", v);
        SAME("(expired %ld days ago)", v);
        SAME("%08ld|%-22ld|", v, v);
    }
    for (i = 0; i < sizeof lls / sizeof lls[0]; i++) {
        long long v = lls[i];
        SAME("%lld", v);
        SAME("%04lld-%02u-%02u", v, 1u, 12u);
        SAME("%25lld|%-25lld|%025lld|", v, v, v);
        SAME("%" PRId64, (int64_t)v);
    }
    SAME("%zd %zd %zd", (ssize_t)0, (ssize_t)-1, (ssize_t)SSIZE_MAX);
    SAME("%zd", (ssize_t)(-SSIZE_MAX - 1));
}

static void test_unsigned(void **state)
{
    static const unsigned us[] = {0,           1,           9,           10,      15,   16,
                                  255,         256,         0644,        0755,    4095, 65535,
                                  0x7fffffffu, 0x80000000u, 0xdeadbeefu, UINT_MAX};
    static const unsigned long long ulls[] = {0,         1,         0xffffffffull, 0x100000000ull,
                                              LLONG_MAX, ULLONG_MAX};
    static const size_t zs[] = {0, 1, 1000, SIZE_MAX / 2, SIZE_MAX};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof us / sizeof us[0]; i++) {
        unsigned v = us[i];
        SAME("%u", v);
        SAME("%02u|%04u|%5u|%-5u|", v, v, v, v);
        SAME("%x|%X|%o|", v, v, v);
        SAME("%02x|%02X|%04x|%04o|", v, v, v, v);
        SAME("-0x%04x", v);
        SAME("%.0u|%.0x|%.0o|%.5x|%8.5X|%-8.5o|", v, v, v, v, v, v);
        SAME("%" PRIu32, (uint32_t)v);
        SAME("%lu|%lx|", (unsigned long)v, (unsigned long)v);
    }
    for (i = 0; i < 256; i++)
        SAME("%02x", (unsigned)i);
    for (i = 0; i < sizeof ulls / sizeof ulls[0]; i++) {
        unsigned long long v = ulls[i];
        SAME("%llu", v);
        SAME("%llx|%llX|%llo|", v, v, v);
        SAME("%30llu|%-30llx|%030llo|", v, v, v);
        SAME("%lu", (unsigned long)v);
    }
    for (i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        size_t v = zs[i];
        SAME("%zu", v);
        SAME("%zx|%zo|%8zu|%-8zu|%08zu|", v, v, v, v, v);
        SAME("name of %zu characters is longer than %d", v, 253);
    }
    SAME("%lu", ULONG_MAX);
}

static void test_mixed(void **state)
{
    (void)state;
    SAME("HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n", 404, "Not Found", (size_t)9);
    SAME("%04u%02u%02u-%02u%02u%02u", 2026u, 1u, 2u, 3u, 4u, 5u);
    SAME("%04d-%02d-%02d %02d:%02d UTC", 2026, 11, 22, 9, 5);
    SAME("%s: %s (HTTP %d) after %ld s, %zu bytes, '%c' %x", "a", "b", 503, 30L, (size_t)7, 'x',
         0xabu);
    SAME("%s/%s.%s-%s", "/etc/acme", "account.key", "rollover", "20260101");
    SAME("%.*s%s%.64s", 2, "abcd", "-", "tail");
}

/* Output that does not fit: the C11 contract at every n from 0 to len + 1. */
static void test_truncation(void **state)
{
    char full[64], b[80];
    int len =
        fmt_snprintf(full, sizeof full, "%s-%05d|%x|%c|%lld", "name", -42, 0xbeefu, 'c', LLONG_MIN);
    size_t n, k;
    (void)state;
    assert_string_equal(full, "name--0042|beef|c|-9223372036854775808");
    assert_int_equal(len, (int)strlen(full));
    for (n = 0; n <= (size_t)len + 1; n++) {
        memset(b, 'X', sizeof b);
        assert_int_equal(
            fmt_snprintf(b, n, "%s-%05d|%x|%c|%lld", "name", -42, 0xbeefu, 'c', LLONG_MIN), len);
        k = n == 0 ? 0 : (n - 1 < (size_t)len ? n - 1 : (size_t)len);
        assert_memory_equal(b, full, k);
        if (n > 0) assert_int_equal(b[k], '\0');
        for (k = n; k < sizeof b; k++) /* nothing written past n */
            assert_int_equal(b[k], 'X');
    }
    /* n == 0: dst may be NULL, nothing is written, the length is still returned */
    assert_int_equal(fmt_snprintf(NULL, 0, "%s %d", "abc", 12345), 9);
    assert_int_equal(raw(NULL, 0, ""), 0);
    /* padding and long strings are counted, not stored */
    memset(b, 'X', sizeof b);
    assert_int_equal(fmt_snprintf(b, 8, "%300d", 5), 300);
    assert_string_equal(b, "       ");
    assert_int_equal(b[8], 'X');
    memset(b, 'X', sizeof b);
    assert_int_equal(fmt_snprintf(b, 1, "%s", "abc"), 3);
    assert_int_equal(b[0], '\0');
    assert_int_equal(b[1], 'X');
}

static void test_unsupported(void **state)
{
    char b[64];
    int n = 77;
    (void)state;
    /* The conversion and the rest of the format are copied; no argument after it is read. */
    assert_int_equal(fmt_snprintf(b, sizeof b, "x=%d %f %s|", 3, 2.5, "zz"), 10);
    assert_string_equal(b, "x=3 %f %s|");
    assert_int_equal(fmt_snprintf(b, sizeof b, "%p and %s", (void *)b, "str"), 9);
    assert_string_equal(b, "%p and %s");
    assert_int_equal(fmt_snprintf(b, sizeof b, "ab%n%d", &n, 5), 6);
    assert_string_equal(b, "ab%n%d");
    assert_int_equal(n, 77); /* %n never writes */
    assert_int_equal(fmt_snprintf(b, sizeof b, "%d %hd %s", 1, (short)2, "s"), 8);
    assert_string_equal(b, "1 %hd %s");
    assert_int_equal(fmt_snprintf(b, sizeof b, "%+d|% d|%#x", 1, 2, 3u), 11);
    assert_string_equal(b, "%+d|% d|%#x");
    assert_int_equal(fmt_snprintf(b, sizeof b, "%s %ls", "a", L"wide"), 5);
    assert_string_equal(b, "a %ls");
    assert_int_equal(fmt_snprintf(b, sizeof b, "%jd", (intmax_t)1), 3);
    assert_string_equal(b, "%jd");
    /* malformed formats the compiler would reject */
    assert_int_equal(raw(b, sizeof b, "100%"), 4);
    assert_string_equal(b, "100%");
    assert_int_equal(raw(b, sizeof b, "a %5"), 4);
    assert_string_equal(b, "a %5");
    assert_int_equal(raw(b, sizeof b, "%l"), 2);
    assert_string_equal(b, "%l");
    assert_int_equal(raw(b, sizeof b, "%ll"), 3);
    assert_string_equal(b, "%ll");
    assert_int_equal(raw(b, sizeof b, "%lll"), 4);
    assert_string_equal(b, "%lll");
    assert_int_equal(raw(b, sizeof b, "%z"), 2);
    assert_string_equal(b, "%z");
    assert_int_equal(raw(b, sizeof b, "%5%|%d", 1), 6);
    assert_string_equal(b, "%5%|%d");
    assert_int_equal(raw(b, sizeof b, "%k%s", "never read"), 4);
    assert_string_equal(b, "%k%s");
    /* '0' is ignored with a precision, as in C */
    assert_int_equal(raw(b, sizeof b, "%08.3d|%08.3x", -5, 10u), 17);
    assert_string_equal(b, "    -005|     00a");
    /* cut like any other output */
    assert_int_equal(raw(b, 4, "ab%qcdef"), 8);
    assert_string_equal(b, "ab%");
}

struct pieces {
    char text[4096];
    size_t len;
    int calls;
};

static void collect(void *ctx, const char *s, size_t len)
{
    struct pieces *p = ctx;
    assert_true(len > 0);
    assert_true(p->len + len < sizeof p->text);
    memcpy(p->text + p->len, s, len);
    p->len += len;
    p->calls++;
}

static int stream(struct pieces *p, const char *format, ...)
{
    va_list ap;
    int r;
    memset(p, 0, sizeof *p);
    va_start(ap, format);
    r = fmt_vformat(collect, p, format, ap);
    va_end(ap);
    return r;
}

static void test_stream(void **state)
{
    static struct pieces p;
    static char big[3000];
    char ref[256];
    (void)state;
    assert_int_equal(stream(&p, "%s=%-6d|%06x|%c", "key", -5, 0xabu, 'q'), 19);
    assert_int_equal((int)p.len, 19);
    snprintf(ref, sizeof ref, "%s=%-6d|%06x|%c", "key", -5, 0xabu, 'q');
    assert_memory_equal(p.text, ref, p.len);
    memset(big, 'b', sizeof big - 1);
    assert_int_equal(stream(&p, "<%s>%500s", big, ""), 3001 + 500);
    assert_int_equal((int)p.len, 3501);
    assert_memory_equal(p.text + 1, big, sizeof big - 1);
    assert_int_equal(p.text[3000], '>');
    assert_int_equal(p.text[3500], ' ');
    assert_int_equal(stream(&p, ""), 0);
    assert_int_equal(p.calls, 0);
}

/* Reads what fd `which` received while fn ran, through a pipe. */
static size_t capture(int which, void (*fn)(void), char *out, size_t cap)
{
    int fds[2], saved;
    ssize_t r;
    size_t len = 0;
    assert_int_equal(pipe(fds), 0);
    saved = dup(which);
    assert_true(saved >= 0);
    assert_true(dup2(fds[1], which) >= 0);
    close(fds[1]);
    fn();
    assert_true(dup2(saved, which) >= 0); /* closes the pipe's last write end */
    close(saved);
    while ((r = read(fds[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    close(fds[0]);
    out[len] = '\0';
    return len;
}

static char long_text[2000];

static void print_some(void)
{
    out_printf("certificate: %s\n", "/etc/acme/cert.pem");
    out_printf("names:      ");
    out_printf("%s %s", "", "a.example");
    out_printf("%s %s", ",", "b.example");
    out_printf("\nserial:      %02x%02x\n", 0x0au, 0xffu);
    out_printf("%s|\n", long_text); /* longer than the buffer: written in pieces */
}

static void log_some(void)
{
    int saved = log_verbosity;
    log_verbosity = 0;
    log_error("%s: no such file", "x.conf");
    log_warn("mode %04o", 0644u);
    log_info("done in %d s", 3);
    log_v("not shown at verbosity 0");
    log_msg(LOG_INFO, "%.*s", (int)sizeof long_text - 1, long_text);
    log_verbosity = saved;
}

static void test_out_and_log(void **state)
{
    static char got[8192], want[8192];
    (void)state;
    memset(long_text, 'L', sizeof long_text - 1);
    capture(1, print_some, got, sizeof got);
    snprintf(want, sizeof want,
             "certificate: /etc/acme/cert.pem\nnames:       a.example, b.example\n"
             "serial:      0aff\n%s|\n",
             long_text);
    assert_string_equal(got, want);
    capture(2, log_some, got, sizeof got);
    snprintf(want, sizeof want,
             "acme: error: x.conf: no such file\nacme: warning: mode 0644\n"
             "acme: done in 3 s\nacme: %s\n",
             long_text);
    assert_string_equal(got, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),     cmocka_unit_test(test_null_string),
        cmocka_unit_test(test_signed),      cmocka_unit_test(test_unsigned),
        cmocka_unit_test(test_mixed),       cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_unsupported), cmocka_unit_test(test_stream),
        cmocka_unit_test(test_out_and_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
