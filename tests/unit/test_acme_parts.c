/* Unit tests: problem documents, the renewal rule, the state file, the command line. */
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
#include "problem.h"
#include "renew.h"
#include "state.h"

#define DAY 86400

static void test_problem_status_mapping(void **state)
{
    (void)state;
    assert_int_equal(problem_status(ACME_ERR_NS "rateLimited", 429), ACME_ERATE);
    assert_int_equal(problem_status(ACME_ERR_NS "rateLimited", 503), ACME_ERATE);
    assert_int_equal(problem_status(ACME_ERR_NS "badNonce", 400), ACME_ETEMP);
    assert_int_equal(problem_status(ACME_ERR_NS "serverInternal", 500), ACME_ETEMP);
    assert_int_equal(problem_status("", 502), ACME_ETEMP);
    assert_int_equal(problem_status(ACME_ERR_NS "malformed", 400), ACME_EREFUSED);
    assert_int_equal(problem_status(ACME_ERR_NS "caa", 403), ACME_EREFUSED);
    assert_int_equal(problem_status(ACME_ERR_NS "unauthorized", 403), ACME_EREFUSED);
    assert_int_equal(problem_status(ACME_ERR_NS "rejectedIdentifier", 400), ACME_EREFUSED);
    assert_int_equal(problem_status(ACME_ERR_NS "externalAccountRequired", 403), ACME_ECONFIG);
    assert_true(problem_is(ACME_ERR_NS "badNonce", "badNonce"));
    assert_false(problem_is("badNonce", "badNonce"));
    assert_false(problem_is(ACME_ERR_NS "badNonceX", "badNonce"));
}

static void test_problem_format(void **state)
{
    static const char body[] =
        "{\"type\":\"urn:ietf:params:acme:error:malformed\",\"detail\":\"bad\\nthing\","
        "\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
        "\"detail\":\"no\",\"identifier\":{\"type\":\"ip\",\"value\":\"10.0.0.1\"}}]}";
    char out[256], small[16];
    (void)state;
    problem_format(body, strlen(body), 400, out, sizeof out);
    assert_string_equal(out,
                        "malformed (HTTP 400): bad thing; ip 10.0.0.1: rejectedIdentifier: no");
    problem_format("<html>oops</html>", 17, 502, out, sizeof out);
    assert_string_equal(out, "HTTP 502: <html>oops</html>");
    problem_format(body, strlen(body), 400, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_non_null(strstr(small, "..."));
    problem_type(body, strlen(body), out, sizeof out);
    assert_string_equal(out, "urn:ietf:params:acme:error:malformed");
    assert_int_equal(problem_error("x", body, strlen(body), 400, 30, 0), -1);
    assert_int_equal(err_status(), ACME_EREFUSED);
    assert_non_null(strstr(err_msg(), "x: malformed (HTTP 400)"));
    assert_non_null(strstr(err_msg(), "retry after 30 s"));
}

static void test_renew_rule(void **state)
{
    int64_t nb = 1700000000, due;
    char why[128];
    (void)state;
    /* 90 days: due with 30 days left */
    assert_int_equal(renew_due(nb, nb + 90 * DAY, nb + 59 * DAY, 0, &due, why, sizeof why), 0);
    assert_int_equal(due, nb + 60 * DAY);
    assert_non_null(strstr(why, "not due"));
    assert_int_equal(renew_due(nb, nb + 90 * DAY, nb + 60 * DAY, 0, NULL, why, sizeof why), 1);
    /* 45 days: a third is 15 days */
    assert_int_equal(renew_due(nb, nb + 45 * DAY, nb + 29 * DAY, 0, NULL, NULL, 0), 0);
    assert_int_equal(renew_due(nb, nb + 45 * DAY, nb + 30 * DAY, 0, NULL, NULL, 0), 1);
    /* 6 days: half */
    assert_int_equal(renew_due(nb, nb + 6 * DAY, nb + 2 * DAY, 0, NULL, NULL, 0), 0);
    assert_int_equal(renew_due(nb, nb + 6 * DAY, nb + 3 * DAY, 0, NULL, NULL, 0), 1);
    /* renew_days overrides */
    assert_int_equal(renew_due(nb, nb + 90 * DAY, nb + 70 * DAY, 10, NULL, NULL, 0), 0);
    assert_int_equal(renew_due(nb, nb + 90 * DAY, nb + 80 * DAY, 10, NULL, NULL, 0), 1);
    /* expired */
    assert_int_equal(renew_due(nb, nb + 90 * DAY, nb + 91 * DAY, 0, NULL, why, sizeof why), 1);
    assert_non_null(strstr(why, "expired"));
    /* not valid yet: our clock is behind; renewing would not help */
    assert_int_equal(renew_due(nb, nb + 90 * DAY, nb - 10, 0, NULL, NULL, 0), 0);
}

static void test_state_parse_set(void **state)
{
    static unsigned char mem[8192];
    static const char text[] = "# comment\naccount_url=https://x/acct/1\n\nfuture_key=a=b\n";
    struct arena a;
    struct state s;
    (void)state;
    arena_init(&a, mem, sizeof mem);
    memset(&s, 0, sizeof s);
    assert_int_equal(state_parse(&s, text, strlen(text), &a), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(state_get(&s, "account_url"), "https://x/acct/1");
    assert_string_equal(state_get(&s, "future_key"), "a=b");
    assert_null(state_get(&s, "missing"));
    assert_int_equal(s.dirty, 0);
    assert_int_equal(state_set(&s, "account_url", "https://x/acct/1", &a), 0);
    assert_int_equal(s.dirty, 0);
    assert_int_equal(state_set(&s, "account_url", "https://x/acct/2", &a), 0);
    assert_int_equal(s.dirty, 1);
    assert_int_equal(state_set(&s, "future_key", NULL, &a), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(state_set(&s, "Bad-Key", "x", &a), -1);
    assert_int_equal(state_set(&s, "k", "two\nlines", &a), -1);
    memset(&s, 0, sizeof s);
    assert_int_equal(state_parse(&s, "no equals sign\n", 15, &a), -1);
    assert_non_null(strstr(err_msg(), "line 1"));
}

static void test_cli(void **state)
{
    struct cli c;
    char *argv1[] = {"acme",        "-c",  "/x.conf", "-o",  "domains=a.test",
                     "-oemail=b@c", "-vv", "-f",      "run", "--extra"};
    char *argv2[] = {"acme", "-q", "-v"};
    char *argv3[] = {"acme", "-x"};
    char *argv4[] = {"acme", "-o", "noequals"};
    char *argv5[] = {"acme", "-c"};
    char *argv6[] = {"acme", "--help"};
    (void)state;
    assert_int_equal(cli_parse(&c, 10, argv1), 0);
    assert_string_equal(c.config, "/x.conf");
    assert_int_equal(c.n_overrides, 2);
    assert_string_equal(c.overrides[1], "email=b@c");
    assert_int_equal(c.verbosity, 2);
    assert_int_equal(c.force, 1);
    assert_string_equal(c.command, "run");
    assert_int_equal(c.n_args, 1);
    assert_int_equal(cli_parse(&c, 3, argv2), 0);
    assert_int_equal(c.verbosity, -1);
    assert_int_equal(cli_parse(&c, 2, argv3), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(cli_parse(&c, 3, argv4), -1);
    assert_int_equal(cli_parse(&c, 2, argv5), -1);
    assert_int_equal(cli_parse(&c, 2, argv6), 0);
    assert_int_equal(c.help, 1);
    assert_non_null(strstr(cli_help, "7  local failure"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_problem_status_mapping),
        cmocka_unit_test(test_problem_format),
        cmocka_unit_test(test_renew_rule),
        cmocka_unit_test(test_state_parse_set),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
