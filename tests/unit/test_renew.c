/* Unit tests: the renewal policy with a fake clock (lifetime rule for 90-, 45- and 6-day
 * certificates, renew_days, ARI windows kept in state, backoff, jitter), the ARI certID and
 * renewalInfo parsing, RFC 3339 times, -j. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "cli.h"
#include "err.h"
#include "renew.h"
#include "rfc3339.h"
#include "state.h"
#include "x509.h"

#define DAY 86400
#define HOUR 3600

static const int64_t NB = 1700000000; /* the fake clock's epoch: notBefore */

/* Due or not at NB + t for a certificate of `life` seconds without ARI. */
static int due_at(int64_t life, int renew_days, int64_t t)
{
    struct renew_input in;
    char why[200];
    memset(&in, 0, sizeof in);
    in.not_before = NB;
    in.not_after = NB + life;
    in.renew_days = renew_days;
    return renew_decide(&in, NB + t, NULL, why, sizeof why);
}

static void test_lifetime_90_45_6(void **state)
{
    (void)state;
    /* 90 days: due when 30 days are left, i.e. from day 60 */
    assert_int_equal(due_at(90 * DAY, 0, 60 * DAY - 1), 0);
    assert_int_equal(due_at(90 * DAY, 0, 60 * DAY), 1);
    /* 45 days: 15 days left, from day 30 */
    assert_int_equal(due_at(45 * DAY, 0, 30 * DAY - 1), 0);
    assert_int_equal(due_at(45 * DAY, 0, 30 * DAY), 1);
    /* 6 days (short-lived): half, from day 3 */
    assert_int_equal(due_at(6 * DAY, 0, 3 * DAY - 1), 0);
    assert_int_equal(due_at(6 * DAY, 0, 3 * DAY), 1);
    /* exactly 10 days is still "short": half */
    assert_int_equal(due_at(10 * DAY, 0, 5 * DAY - 1), 0);
    assert_int_equal(due_at(10 * DAY, 0, 5 * DAY), 1);
    /* expired: due; not valid yet (the clock is behind): not due */
    assert_int_equal(due_at(90 * DAY, 0, 90 * DAY), 1);
    assert_int_equal(due_at(90 * DAY, 0, -1), 0);
    assert_int_equal(due_at(90 * DAY, 0, -400 * DAY), 0);
    assert_int_equal(due_at(90 * DAY, 0, 0), 0);
}

static void test_renew_days(void **state)
{
    int64_t at;
    char why[200];
    (void)state;
    assert_int_equal(due_at(90 * DAY, 10, 80 * DAY - 1), 0);
    assert_int_equal(due_at(90 * DAY, 10, 80 * DAY), 1);
    assert_int_equal(due_at(6 * DAY, 1, 5 * DAY - 1), 0);
    assert_int_equal(due_at(6 * DAY, 1, 5 * DAY), 1);
    /* renew_days beyond the lifetime: always due */
    assert_int_equal(due_at(6 * DAY, 30, 0), 1);
    assert_int_equal(renew_due(NB, NB + 90 * DAY, NB, 10, &at, why, sizeof why), 0);
    assert_int_equal(at, NB + 80 * DAY);
    assert_non_null(strstr(why, "renew_days"));
}

static void test_backoff_sequence(void **state)
{
    static const long want[] = {HOUR,      2 * HOUR,  4 * HOUR, 8 * HOUR,
                                16 * HOUR, 24 * HOUR, 24 * HOUR};
    unsigned i;
    (void)state;
    for (i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(renew_backoff(i + 1), want[i]);
    assert_int_equal(renew_backoff(1000), 24 * HOUR);
    assert_int_equal(renew_backoff(0xffffffffu), 24 * HOUR);
}

static void test_jitter_bounds(void **state)
{
    uint32_t x = 12345;
    unsigned i, lo = 0, hi = 0, v;
    (void)state;
    assert_int_equal(renew_jitter(0, 0xffffffffu), 0);
    assert_int_equal(renew_jitter(600, 0), 0);
    assert_int_equal(renew_jitter(600, 0xffffffffu), 600);
    assert_int_equal(renew_jitter(86400, 0xffffffffu), 86400);
    for (i = 0; i < 10000; i++) {
        x = x * 1664525u + 1013904223u; /* an LCG is enough to spread the inputs */
        v = renew_jitter(600, x);
        assert_true(v <= 600);
        if (v < 300)
            lo++;
        else
            hi++;
    }
    assert_true(lo > 4000 && hi > 4000); /* both halves used: not a constant */
}

static void test_ari_pick_inside_window(void **state)
{
    int64_t s = NB + 30 * DAY, e = s + DAY, at;
    uint64_t x = 88172645463325252ull;
    int i, early = 0;
    (void)state;
    assert_int_equal(renew_ari_pick(s, e, 0), s);
    assert_true(renew_ari_pick(s, e, UINT64_MAX) < e);
    assert_int_equal(renew_ari_pick(s, s, 77), s);
    for (i = 0; i < 10000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        at = renew_ari_pick(s, e, x);
        assert_true(at >= s && at < e);
        early += at < s + DAY / 2;
    }
    assert_true(early > 4000 && early < 6000);
}

/* The chosen moment lives in the state: every run that loads it decides the same way. */
static void test_ari_window_stable_across_runs(void **state)
{
    static char mem[8192];
    struct arena a;
    struct state st;
    struct renew_input in;
    int64_t s = NB + 50 * DAY, e = s + 2 * DAY, at = renew_ari_pick(s, e, 0x123456789abcdefull);
    char why[200], text[512];
    int run;
    (void)state;
    arena_init(&a, mem, sizeof mem);
    memset(&st, 0, sizeof st);
    assert_int_equal(state_set(&st, STATE_ARI_CERTID, "AQID.AIAB", &a), 0);
    assert_int_equal(state_set_int(&st, STATE_ARI_START, s, &a), 0);
    assert_int_equal(state_set_int(&st, STATE_ARI_END, e, &a), 0);
    assert_int_equal(state_set_int(&st, STATE_ARI_AT, at, &a), 0);
    /* serialize and parse again, as the next cron run would */
    snprintf(text, sizeof text, "%s=%s\n%s=%s\n%s=%s\n%s=%s\n", st.key[0], st.val[0], st.key[1],
             st.val[1], st.key[2], st.val[2], st.key[3], st.val[3]);
    for (run = 0; run < 3; run++) {
        struct state s2;
        memset(&s2, 0, sizeof s2);
        assert_int_equal(state_parse(&s2, text, strlen(text), &a), 0);
        renew_input_from_state(&in, NB, NB + 90 * DAY, 0, &s2, "AQID.AIAB");
        assert_int_equal(in.have_window, 1);
        assert_int_equal(in.w.at, at);
        /* the ARI moment, not the lifetime rule (day 60), decides */
        assert_int_equal(renew_decide(&in, NB + 60 * DAY, NULL, why, sizeof why),
                         NB + 60 * DAY >= at);
        assert_int_equal(renew_decide(&in, at - 1, NULL, why, sizeof why), 0);
        assert_non_null(strstr(why, "ARI"));
        assert_int_equal(renew_decide(&in, at, NULL, why, sizeof why), 1);
        assert_int_equal(renew_decide(&in, e + 1, NULL, why, sizeof why), 1);
        assert_non_null(strstr(why, "past"));
    }
    /* another certificate: the stored window does not apply */
    renew_input_from_state(&in, NB, NB + 90 * DAY, 0, &st, "AQID.AIAC");
    assert_int_equal(in.have_window, 0);
    /* a window in the past is due at once */
    renew_input_from_state(&in, NB, NB + 90 * DAY, 0, &st, "AQID.AIAB");
    in.w.start = NB + DAY;
    in.w.end = NB + 2 * DAY;
    in.w.at = NB + DAY + 5;
    assert_int_equal(renew_decide(&in, NB + 3 * DAY, NULL, why, sizeof why), 1);
    /* renew_days still counts with ARI */
    in.w.start = NB + 80 * DAY;
    in.w.end = NB + 81 * DAY;
    in.w.at = NB + 80 * DAY;
    in.renew_days = 20;
    assert_int_equal(renew_decide(&in, NB + 70 * DAY, NULL, why, sizeof why), 1);
    in.renew_days = 0;
    assert_int_equal(renew_decide(&in, NB + 70 * DAY, NULL, why, sizeof why), 0);
}

static void test_ari_parse(void **state)
{
    struct renew_window w;
    char expl[128];
    const char *ok = "{\"suggestedWindow\":{\"start\":\"2025-01-02T00:00:00Z\","
                     "\"end\":\"2025-01-03T00:00:00.5Z\"},"
                     "\"explanationURL\":\"https://ca.example/why\"}";
    const char *rev = "{\"suggestedWindow\":{\"start\":\"2025-01-03T00:00:00Z\","
                      "\"end\":\"2025-01-02T00:00:00Z\"}}";
    const char *bad =
        "{\"suggestedWindow\":{\"start\":\"yesterday\",\"end\":\"2025-01-02T00:00:00Z\"}}";
    (void)state;
    assert_int_equal(renew_ari_parse(ok, strlen(ok), &w, expl, sizeof expl), 0);
    assert_int_equal(w.start, 1735776000);
    assert_int_equal(w.end, 1735776000 + DAY);
    assert_string_equal(expl, "https://ca.example/why");
    assert_int_equal(renew_ari_parse(rev, strlen(rev), &w, expl, sizeof expl), -1);
    assert_int_equal(renew_ari_parse(bad, strlen(bad), &w, expl, sizeof expl), -1);
    assert_int_equal(renew_ari_parse("{}", 2, &w, NULL, 0), -1);
    assert_int_equal(renew_ari_parse("[", 1, &w, NULL, 0), -1);
}

static void test_rfc3339(void **state)
{
    int64_t t;
    char s[40];
    (void)state;
    assert_int_equal(rfc3339_parse("1970-01-01T00:00:00Z", 20, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(rfc3339_parse("2024-02-29T12:30:45.123456Z", 27, &t), 0);
    assert_int_equal(t, 1709209845);
    assert_int_equal(rfc3339_parse("2024-02-29T14:30:45+02:00", 25, &t), 0);
    assert_int_equal(t, 1709209845);
    assert_int_equal(rfc3339_parse("2024-02-29T10:00:45-02:30", 25, &t), 0);
    assert_int_equal(t, 1709209845);
    assert_int_equal(rfc3339_parse("2024-02-30T00:00:00Z", 20, &t), -1);
    assert_int_equal(rfc3339_parse("2024-02-29 12:30:45Z", 20, &t), -1);
    assert_int_equal(rfc3339_parse("2024-02-29T12:30:45", 19, &t), -1);
    assert_int_equal(rfc3339_parse("2024-02-29T12:30:45Zx", 21, &t), -1);
    time_format_utc(1709209845, s, sizeof s);
    assert_string_equal(s, "2024-02-29 12:30 UTC");
}

static void test_certid(void **state)
{
    struct x509_info x;
    char id[RENEW_CERTID_MAX];
    (void)state;
    memset(&x, 0, sizeof x);
    x.aki[0] = 1;
    x.aki[1] = 2;
    x.aki[2] = 3;
    x.aki_len = 3;
    /* top bit set: the DER INTEGER has a 0x00 sign byte, and the certID keeps it */
    x.serial[0] = 0x80;
    x.serial[1] = 0x01;
    x.serial_len = 2;
    assert_int_equal(renew_certid(&x, id, sizeof id), 0);
    assert_string_equal(id, "AQID.AIAB");
    x.serial[0] = 0x7f;
    x.serial_len = 1;
    assert_int_equal(renew_certid(&x, id, sizeof id), 0);
    assert_string_equal(id, "AQID.fw");
    assert_int_equal(renew_certid(&x, id, 6), -1);
    x.aki_len = 0;
    assert_int_equal(renew_certid(&x, id, sizeof id), -1);
}

static void test_cli_jitter(void **state)
{
    struct cli c;
    char *a1[] = {"acme", "-j", "300"};
    char *a2[] = {"acme", "-j600", "status", "--cert", "x.pem"};
    char *a3[] = {"acme", "-j", "86401"};
    char *a4[] = {"acme", "-j", "5s"};
    char *a5[] = {"acme", "-f"};
    (void)state;
    assert_int_equal(cli_parse(&c, 3, a1), 0);
    assert_int_equal(c.jitter, 300);
    assert_int_equal(cli_parse(&c, 5, a2), 0);
    assert_int_equal(c.jitter, 600);
    assert_string_equal(c.command, "status");
    assert_int_equal(c.n_args, 2);
    assert_int_equal(cli_parse(&c, 3, a3), -1);
    assert_int_equal(cli_parse(&c, 3, a4), -1);
    assert_int_equal(cli_parse(&c, 2, a5), 0);
    assert_int_equal(c.jitter, -1);
    assert_non_null(strstr(cli_help, "7 > 6 > 5 > 4 > 3 > 2 > 0 > 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifetime_90_45_6),
        cmocka_unit_test(test_renew_days),
        cmocka_unit_test(test_backoff_sequence),
        cmocka_unit_test(test_jitter_bounds),
        cmocka_unit_test(test_ari_pick_inside_window),
        cmocka_unit_test(test_ari_window_stable_across_runs),
        cmocka_unit_test(test_ari_parse),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_certid),
        cmocka_unit_test(test_cli_jitter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
