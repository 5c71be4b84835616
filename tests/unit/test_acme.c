/* Unit tests: the ACME protocol flow (directory -> account -> order -> authorization ->
 * challenge -> finalize -> certificate -> install) against scripted CA responses on the fake
 * transport, and its error paths (badNonce retries, rateLimited, subproblems, terms of
 * service, failed validation). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "acme.h"
#include "arena.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "install.h"
#include "err.h"
#include "pem.h"
#include "state.h"
#include "sys.h"
#include "support/fake_transport.h"

#define CA "https://ca.test"
static const char dir_json[] =
    "{\"newNonce\":\"" CA "/nonce\",\"newAccount\":\"" CA "/acct\",\"newOrder\":\"" CA
    "/order\",\"revokeCert\":\"" CA "/revoke\",\"keyChange\":\"" CA "/kc\",\"meta\":"
    "{\"termsOfService\":\"" CA "/tos\",\"profiles\":{\"classic\":\"c\",\"short\":\"s\"}}}";

static struct fake_transport f;
static struct acme_config cfg;
static char tmpdir[64];
static char pool[48][8192];
static int npool;
static char cert_pem[4096];

/* One scripted response with a fresh Replay-Nonce ("" nonce: none). */
static const char *resp_n(int status, const char *nonce, const char *headers, const char *ctype,
                          const char *body)
{
    char *p = pool[npool++];
    char nh[64] = "";
    assert_true(npool <= 48);
    if (nonce == NULL)
        snprintf(nh, sizeof nh, "Replay-Nonce: nonce-%d\r\n", npool);
    else if (nonce[0] != '\0')
        snprintf(nh, sizeof nh, "Replay-Nonce: %s\r\n", nonce);
    snprintf(p, sizeof pool[0],
             "HTTP/1.1 %d X\r\n%s%sContent-Type: %s\r\nContent-Length: %zu\r\n\r\n%s", status, nh,
             headers, ctype, strlen(body), body);
    return p;
}
static const char *resp(int status, const char *headers, const char *body)
{
    return resp_n(status, NULL, headers,
                  status >= 400 ? "application/problem+json" : "application/json", body);
}
static void add(const char *r)
{
    ft_data(&f, r);
}

static void rm_rf(const char *d)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    if (system(cmd) != 0) fail_msg("cannot remove %s", d);
}

/* A config for a.test and b.test with webroot answers, state in a temp dir, a pre-made
 * certificate key (reuse_key) so that the scripted certificate matches it. */
static int setup(void **state)
{
    static const char *names[] = {"a.test", "b.test"};
    static struct crypto_key k;
    static uint8_t der[4096];
    static char keypem[4096];
    struct arena *a = run_arena();
    struct cert_opts o;
    struct buf b;
    size_t len;
    char path[128];
    (void)state;

    arena_reset(a);
    err_clear();
    npool = 0;
    ft_init(&f);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/acme-unit-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    config_defaults(&cfg);
    cfg.directory = CA "/dir";
    cfg.agree_tos = 1;
    cfg.email[0] = "admin@a.test";
    cfg.n_email = 1;
    cfg.domains[0] = names[0];
    cfg.domains[1] = names[1];
    cfg.n_domains = 2;
    cfg.reuse_key = 1;
    cfg.state_dir = arena_printf(a, "t", "%s/state", tmpdir);
    cfg.webroot = arena_printf(a, "t", "%s/www", tmpdir);
    assert_int_equal(config_finish(&cfg, a), 0);
    assert_int_equal(dir_make(cfg.state_dir, 0700), 0);

    assert_int_equal(crypto_key_generate(&k, KEY_EC256), 0);
    buf_init(&b, keypem, sizeof keypem);
    assert_int_equal(crypto_key_write_pem(&k, &b), 0);
    assert_int_equal(file_write_atomic(cfg.key_file, b.p, b.len, 0600), 0);
    /* the same key as account key: an existing key whose account URL is not cached */
    snprintf(path, sizeof path, "%s/account.key", cfg.state_dir);
    assert_int_equal(file_write_atomic(path, b.p, b.len, 0600), 0);
    memset(&o, 0, sizeof o);
    o.names = names;
    o.n = 2;
    o.cn = "a.test";
    o.not_before = sys_now() - 60;
    o.not_after = sys_now() + 90 * 86400;
    assert_int_equal(crypto_cert(&k, &o, der, sizeof der, &len), 0);
    buf_init(&b, cert_pem, sizeof cert_pem - 1);
    pem_write(&b, "CERTIFICATE", der, len);
    assert_int_equal(b.overflow, 0);
    cert_pem[b.len] = '\0';
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rm_rf(tmpdir);
    return 0;
}

#define assert_err(substr)                                                                         \
    do {                                                                                           \
        if (strstr(err_msg(), (substr)) == NULL)                                                   \
            fail_msg("error '%s' does not contain '%s'", err_msg(), (substr));                     \
    } while (0)

static const char *authz_pending(const char *id, const char *n)
{
    static char b[8][512];
    static int i;
    char *p = b[i++ % 8];
    snprintf(p, sizeof b[0],
             "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\",\"value\":\"%s\"},"
             "\"challenges\":[{\"type\":\"dns-01\",\"url\":\"" CA
             "/ch/%s/dns\",\"token\":\"tokD%s\"},"
             "{\"type\":\"http-01\",\"url\":\"" CA "/ch/%s/http\",\"token\":\"tokH%s\","
             "\"status\":\"pending\"}]}",
             id, n, n, n, n);
    return p;
}

/* The directory, a nonce, account lookup (not found) and creation. */
static void script_account(void)
{
    add(resp_n(200, "", "", "application/json", dir_json));
    add(resp_n(200, NULL, "", "text/plain", ""));
    add(resp(400, "",
             "{\"type\":\"urn:ietf:params:acme:error:accountDoesNotExist\",\"detail\":\"no\"}"));
    add(resp(201, "Location: " CA "/acct/1\r\n", "{\"status\":\"valid\"}"));
}

static void script_order_head(void)
{
    add(resp(201, "Location: " CA "/order/1\r\n",
             "{\"status\":\"pending\",\"authorizations\":[\"" CA "/authz/1\",\"" CA
             "/authz/2\"],\"finalize\":\"" CA "/fin/1\"}"));
}

static void test_full_flow_installs(void **state)
{
    char st[256];
    (void)state;
    ft_conn(&f);
    script_account();
    script_order_head();
    add(resp(200, "", authz_pending("a.test", "1")));
    /* b.test is already valid: no challenge for it */
    add(resp(200, "",
             "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\",\"value\":\"b.test\"},"
             "\"challenges\":[]}"));
    add(resp(200, "", "{\"type\":\"http-01\",\"status\":\"processing\"}"));
    add(resp(200, "Retry-After: 0\r\n", authz_pending("a.test", "1")));
    add(resp(200, "",
             "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\",\"value\":"
             "\"a.test\"}}"));
    add(resp(200, "", "{\"status\":\"ready\",\"finalize\":\"" CA "/fin/1\"}"));
    add(resp(200, "", "{\"status\":\"valid\",\"certificate\":\"" CA "/cert/1\"}"));
    add(resp_n(200, NULL, "", "application/pem-certificate-chain", cert_pem));

    int rc = acme_run_transport(&cfg, 0, &f.t);
    if (rc != 0) fail_msg("run failed: %s", err_msg());
    assert_int_equal(f.opens, 1);
    assert_int_equal(ft_count(&f, "HEAD /nonce"), 1);
    assert_int_equal(ft_count(&f, "POST /acct "), 2);
    assert_int_equal(ft_count(&f, "POST /ch/1/http "), 1);
    assert_int_equal(ft_count(&f, "POST /ch/"), 1); /* nothing for the valid b.test */
    assert_int_equal(ft_count(&f, "POST /authz/1 "), 3);
    assert_int_equal(ft_count(&f, "POST /fin/1 "), 1);
    assert_int_equal(ft_count(&f, "application/jose+json"), 11);
    assert_true(file_exists(cfg.cert_file));
    assert_true(file_exists(cfg.fullchain_file));
    assert_true(file_exists(cfg.chain_file));
    /* the webroot token file is gone again */
    snprintf(st, sizeof st, "%s/www/.well-known/acme-challenge/tokH1", tmpdir);
    assert_false(file_exists(st));

    /* the account URL is cached in the state file */
    {
        struct state s;
        assert_int_equal(state_load(&s, cfg.state_dir, run_arena()), 0);
        assert_string_equal(state_get(&s, STATE_ACCOUNT_URL), CA "/acct/1");
    }
    /* a second run: installed and not due, no request at all */
    unsigned before = f.opens;
    assert_int_equal(acme_run_transport(&cfg, 0, &f.t), 1);
    assert_int_equal(f.opens, before);
}

/* Runs directory + account key + account on a fresh struct acme. */
static struct acme c;
static struct http_client http;
static struct state st;
static int start(void)
{
    struct arena *a = run_arena();
    http_client_init(&http, &f.t);
    if (state_load(&st, cfg.state_dir, a) < 0) return -1;
    acme_init(&c, &cfg, &http, &st, a);
    if (acme_directory(&c) < 0 || acme_account_key(&c) < 0 || acme_account(&c) < 0) return -1;
    return 0;
}

static void test_bad_nonce_retried_with_error_nonce(void **state)
{
    static const char bn[] =
        "{\"type\":\"urn:ietf:params:acme:error:badNonce\",\"detail\":\"stale\"}";
    (void)state;
    ft_conn(&f);
    script_account();
    add(resp(400, "", bn)); /* carries a nonce: used for the retry */
    add(resp(400, "", bn));
    add(resp_n(400, "", "", "application/problem+json", bn)); /* no nonce: newNonce */
    add(resp_n(200, NULL, "", "text/plain", ""));
    script_order_head();
    add(resp(200, "",
             "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\",\"value\":"
             "\"a.test\"}}"));
    add(resp(200, "",
             "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\",\"value\":"
             "\"b.test\"}}"));
    add(resp(200, "", "{\"status\":\"valid\",\"certificate\":\"" CA "/cert/1\"}"));
    add(resp_n(200, NULL, "", "application/pem-certificate-chain", cert_pem));
    assert_int_equal(start(), 0);
    char *pem;
    size_t len;
    uint8_t csr[16] = {0};
    if (acme_issue(&c, csr, sizeof csr, &pem, &len) < 0) fail_msg("issue failed: %s", err_msg());
    assert_int_equal(ft_count(&f, "POST /order "), 4);
    assert_int_equal(ft_count(&f, "HEAD /nonce"), 2);
    assert_non_null(strstr(pem, "BEGIN CERTIFICATE"));
}

static void test_bad_nonce_exhausted_is_temporary(void **state)
{
    static const char bn[] = "{\"type\":\"urn:ietf:params:acme:error:badNonce\"}";
    int i;
    (void)state;
    ft_conn(&f);
    script_account();
    for (i = 0; i <= ACME_NONCE_RETRIES && npool < 47; i++)
        add(resp(400, "", bn));
    assert_int_equal(start(), 0);
    char *pem;
    size_t len;
    uint8_t csr[16] = {0};
    assert_int_equal(acme_issue(&c, csr, sizeof csr, &pem, &len), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_err("badNonce");
}

static void test_rate_limited(void **state)
{
    (void)state;
    ft_conn(&f);
    script_account();
    add(resp(429, "Retry-After: 3600\r\n",
             "{\"type\":\"urn:ietf:params:acme:error:rateLimited\",\"detail\":\"too many "
             "certificates for a.test\"}"));
    assert_int_equal(start(), 0);
    char *pem;
    size_t len;
    uint8_t csr[16] = {0};
    assert_int_equal(acme_issue(&c, csr, sizeof csr, &pem, &len), -1);
    assert_int_equal(err_status(), ACME_ERATE);
    assert_err("rateLimited (HTTP 429): too many certificates for a.test");
    assert_err("retry after 3600 s");
}

static void test_subproblems_printed(void **state)
{
    (void)state;
    ft_conn(&f);
    script_account();
    add(resp(400, "",
             "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":\"some "
             "names are forbidden\",\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:"
             "caa\",\"detail\":\"CAA forbids\",\"identifier\":{\"type\":\"dns\",\"value\":"
             "\"a.test\"}},{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
             "\"detail\":\"policy\",\"identifier\":{\"type\":\"dns\",\"value\":\"b.test\"}}]}"));
    assert_int_equal(start(), 0);
    char *pem;
    size_t len;
    uint8_t csr[16] = {0};
    assert_int_equal(acme_issue(&c, csr, sizeof csr, &pem, &len), -1);
    assert_int_equal(err_status(), ACME_EREFUSED);
    assert_err("rejectedIdentifier (HTTP 400): some names are forbidden");
    assert_err("dns a.test: caa: CAA forbids");
    assert_err("dns b.test: rejectedIdentifier: policy");
}

static void test_terms_not_agreed(void **state)
{
    (void)state;
    cfg.agree_tos = 0;
    ft_conn(&f);
    add(resp_n(200, "", "", "application/json", dir_json));
    add(resp_n(200, NULL, "", "text/plain", ""));
    add(resp(400, "",
             "{\"type\":\"urn:ietf:params:acme:error:accountDoesNotExist\",\"detail\":\"no\"}"));
    assert_int_equal(start(), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_err(CA "/tos");
    assert_err("agree_tos = yes");
    assert_int_equal(ft_count(&f, "POST /acct "), 1); /* only the lookup */
}

static void test_eab_required_missing(void **state)
{
    static char d[1024];
    (void)state;
    snprintf(d, sizeof d,
             "{\"newNonce\":\"" CA "/nonce\",\"newAccount\":\"" CA "/acct\",\"newOrder\":\"" CA
             "/order\",\"meta\":{\"externalAccountRequired\":true}}");
    ft_conn(&f);
    add(resp_n(200, "", "", "application/json", d));
    add(resp_n(200, NULL, "", "text/plain", ""));
    add(resp(400, "",
             "{\"type\":\"urn:ietf:params:acme:error:accountDoesNotExist\",\"detail\":\"no\"}"));
    assert_int_equal(start(), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_err("external account binding");
}

static void test_validation_failure(void **state)
{
    char path[256];
    (void)state;
    ft_conn(&f);
    script_account();
    script_order_head();
    add(resp(200, "", authz_pending("a.test", "1")));
    add(resp(200, "", authz_pending("b.test", "2")));
    add(resp(200, "", "{}"));
    add(resp(200, "", "{}"));
    add(resp(200, "",
             "{\"status\":\"invalid\",\"identifier\":{\"type\":\"dns\",\"value\":\"a.test\"},"
             "\"challenges\":[{\"type\":\"http-01\",\"status\":\"invalid\",\"url\":\"x\","
             "\"token\":\"tokH1\",\"error\":{\"type\":\"urn:ietf:params:acme:error:"
             "unauthorized\",\"detail\":\"Invalid response from http://a.test/.well-known/"
             "acme-challenge/tokH1: 404\",\"status\":403}}]}"));
    assert_int_equal(start(), 0);
    char *pem;
    size_t len;
    uint8_t csr[16] = {0};
    assert_int_equal(acme_issue(&c, csr, sizeof csr, &pem, &len), -1);
    assert_int_equal(err_status(), ACME_EVALID);
    assert_err("validation of a.test failed: unauthorized: Invalid response from "
               "http://a.test/.well-known/acme-challenge/tokH1: 404");
    /* webroot files removed also on failure */
    snprintf(path, sizeof path, "%s/www/.well-known/acme-challenge/tokH1", tmpdir);
    assert_false(file_exists(path));
    snprintf(path, sizeof path, "%s/www/.well-known/acme-challenge/tokH2", tmpdir);
    assert_false(file_exists(path));
}

static void test_cached_account_and_profile_check(void **state)
{
    struct arena *a = run_arena();
    (void)state;
    /* a cached account URL for this directory: no account request at all */
    assert_int_equal(state_load(&st, cfg.state_dir, a), 0);
    assert_int_equal(state_set(&st, STATE_ACCOUNT_URL, CA "/acct/9", a), 0);
    assert_int_equal(state_set(&st, STATE_ACCOUNT_DIR, CA "/dir", a), 0);
    assert_int_equal(state_save(&st), 0);
    cfg.profile = "tlsserver";
    ft_conn(&f);
    add(resp_n(200, "", "", "application/json", dir_json));
    assert_int_equal(start(), 0);
    assert_string_equal(c.account_url, CA "/acct/9");
    assert_int_equal(ft_count(&f, "/acct"), 0);
    char *pem;
    size_t len;
    uint8_t csr[16] = {0};
    assert_int_equal(acme_issue(&c, csr, sizeof csr, &pem, &len), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_err("profile 'tlsserver' is not offered");
    assert_err("classic, short");
    cfg.profile = NULL;
}

static void test_new_account_key_skips_lookup(void **state)
{
    char path[128];
    (void)state;
    snprintf(path, sizeof path, "%s/account.key", cfg.state_dir);
    assert_int_equal(file_remove(path), 0);
    ft_conn(&f);
    add(resp_n(200, "", "", "application/json", dir_json));
    add(resp_n(200, NULL, "", "text/plain", ""));
    add(resp(201, "Location: " CA "/acct/7\r\n", "{\"status\":\"valid\"}"));
    assert_int_equal(start(), 0);
    assert_string_equal(c.account_url, CA "/acct/7");
    assert_int_equal(ft_count(&f, "POST /acct "), 1);
    assert_true(file_exists(path));
}

static void test_install_check_rejects(void **state)
{
    static struct crypto_key other;
    static struct crypto_key mine;
    static const char *names[] = {"a.test", "b.test", "c.test"};
    char *text;
    size_t len;
    struct arena *a = run_arena();
    (void)state;
    assert_int_equal(file_read(cfg.key_file, a, &text, &len, 8192, NULL), 0);
    assert_int_equal(crypto_key_load_pem(&mine, text, len, "key"), 0);
    assert_int_equal(crypto_key_generate(&other, KEY_EC256), 0);
    /* the scripted certificate covers a.test and b.test with `mine` */
    assert_int_equal(install_check(cert_pem, strlen(cert_pem), &mine, names, 2, a), 0);
    assert_int_equal(install_check(cert_pem, strlen(cert_pem), &other, names, 2, a), -1);
    assert_int_equal(err_status(), ACME_EREFUSED);
    assert_err("not for our certificate key");
    assert_int_equal(install_check(cert_pem, strlen(cert_pem), &mine, names, 3, a), -1);
    assert_int_equal(err_status(), ACME_EREFUSED);
    assert_err("does not cover c.test");
    assert_int_equal(install_check("junk", 4, &mine, names, 1, a), -1);
    assert_err("no CERTIFICATE");
}

/* A chain leaf + CA where the CA (self-signed, CN `root`) issued the leaf for a.test. */
static void make_chain(const char *root, char *out, size_t cap)
{
    static struct crypto_key ca, leafkey;
    static uint8_t ca_der[2048], leaf_der[2048];
    static const char *names[] = {"a.test"};
    struct cert_opts o;
    size_t ca_len, leaf_len;
    struct buf b;
    assert_int_equal(crypto_key_generate(&ca, KEY_EC256), 0);
    assert_int_equal(crypto_key_generate(&leafkey, KEY_EC256), 0);
    memset(&o, 0, sizeof o);
    o.cn = root;
    o.is_ca = 1;
    o.not_before = sys_now() - 60;
    o.not_after = sys_now() + 86400;
    assert_int_equal(crypto_cert(&ca, &o, ca_der, sizeof ca_der, &ca_len), 0);
    o.cn = "a.test";
    o.names = names;
    o.n = 1;
    o.is_ca = 0;
    o.issuer_key = &ca;
    o.issuer_der = ca_der;
    o.issuer_len = ca_len;
    assert_int_equal(crypto_cert(&leafkey, &o, leaf_der, sizeof leaf_der, &leaf_len), 0);
    buf_init(&b, out, cap - 1);
    pem_write(&b, "CERTIFICATE", leaf_der, leaf_len);
    pem_write(&b, "CERTIFICATE", ca_der, ca_len);
    assert_int_equal(b.overflow, 0);
    out[b.len] = '\0';
}

static void test_preferred_chain_follows_alternate(void **state)
{
    static char chain_a[4096], chain_b[4096];
    (void)state;
    make_chain("Root A", chain_a, sizeof chain_a);
    make_chain("Root B", chain_b, sizeof chain_b);
    cfg.preferred_chain = "Root B";
    ft_conn(&f);
    script_account();
    script_order_head();
    add(resp(200, "",
             "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\",\"value\":"
             "\"a.test\"}}"));
    add(resp(200, "",
             "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\",\"value\":"
             "\"b.test\"}}"));
    add(resp(200, "", "{\"status\":\"valid\",\"certificate\":\"" CA "/cert/1\"}"));
    add(resp_n(200, NULL,
               "Link: <" CA "/cert/1/alt1>;rel=\"alternate\"\r\nLink: <" CA
               "/dir>;rel=\"index\"\r\n",
               "application/pem-certificate-chain", chain_a));
    add(resp_n(200, NULL, "", "application/pem-certificate-chain", chain_b));
    assert_int_equal(start(), 0);
    char *pem;
    size_t len;
    uint8_t csr[16] = {0};
    if (acme_issue(&c, csr, sizeof csr, &pem, &len) < 0) fail_msg("issue failed: %s", err_msg());
    assert_int_equal(ft_count(&f, "POST /cert/1/alt1 "), 1);
    assert_int_equal(len, strlen(chain_b));
    assert_memory_equal(pem, chain_b, len);
    cfg.preferred_chain = NULL;
}

static void test_server_error_is_temporary(void **state)
{
    (void)state;
    ft_conn(&f);
    script_account();
    add(resp(500, "",
             "{\"type\":\"urn:ietf:params:acme:error:serverInternal\","
             "\"detail\":\"database down\"}"));
    assert_int_equal(start(), 0);
    char *pem;
    size_t len;
    uint8_t csr[16] = {0};
    assert_int_equal(acme_issue(&c, csr, sizeof csr, &pem, &len), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_err("HTTP 500");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_flow_installs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_nonce_retried_with_error_nonce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_nonce_exhausted_is_temporary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subproblems_printed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terms_not_agreed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eab_required_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cached_account_and_profile_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_error_is_temporary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_account_key_skips_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_install_check_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preferred_chain_follows_alternate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
