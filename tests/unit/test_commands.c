/* Unit tests for the lifecycle commands' offline parts: dispatch and argument errors, the
 * self-signed certificate, the self-signed check, the TLS-ALPN-01 acmeIdentifier extension
 * and responder certificate, SNI names, date stamps, deploy links and "nothing written when
 * nothing changed". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alpn.h"
#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "crypto.h"
#include "err.h"
#include "install.h"
#include "pem.h"
#include "sys.h"
#include "x509.h"
#include "support/tmp_config.h"

static char dir[256];
static struct acme_config cfg;
static const char *names[] = {"www.example.org", "example.org", "192.0.2.1"};

#define path_in(name) tmp_path(dir, name)

static int setup(void **state)
{
    (void)state;
    tmp_config_init(&cfg, dir, sizeof dir, "commands", names, 3);
    cfg.selfsign_days = 12;
    cfg.timeout = 5;
    arena_reset(run_arena());
    err_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(tmp_config_remove(dir), 0);
    return 0;
}

static int run_cmd(const char *name, const char *a0, const char *a1)
{
    struct cli cl;
    memset(&cl, 0, sizeof cl);
    cl.command = name;
    if (a0 != NULL) cl.args[cl.n_args++] = a0;
    if (a1 != NULL) cl.args[cl.n_args++] = a1;
    err_clear();
    return command_run(name, &cfg, &cl);
}

static void test_dispatch(void **state)
{
    (void)state;
    assert_int_equal(run_cmd("nosuch", NULL, NULL), COMMAND_UNKNOWN);
    assert_int_equal(run_cmd("status", NULL, NULL), COMMAND_UNKNOWN); /* main() handles it */
    /* argument errors come before any file or network access */
    assert_int_equal(run_cmd("account", "bogus", NULL), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "bogus"));
    assert_int_equal(run_cmd("account", "update", "--yes"), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(run_cmd("revoke", "--reason", "7"), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "keyCompromise"));
    assert_int_equal(run_cmd("revoke", "--reason", NULL), -1);
    assert_non_null(strstr(err_msg(), "needs a value"));
    assert_int_equal(run_cmd("revoke", "--frob", NULL), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(run_cmd("challenges", "--published", NULL), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(run_cmd("selfsign", "extra", NULL), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    /* revoke of a missing certificate file: a usage error naming it */
    assert_int_equal(run_cmd("revoke", NULL, NULL), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "cert.pem"));
}

/* The first certificate of a PEM file, DER into der. */
static size_t read_cert(const char *path, uint8_t *der, size_t cap)
{
    char *text;
    size_t len, pos = 0, dl = 0;
    assert_int_equal(file_read(path, run_arena(), &text, &len, 65536, NULL), 0);
    assert_int_equal(pem_next(text, len, &pos, "CERTIFICATE", NULL, der, cap, &dl), 1);
    return dl;
}

static void test_selfsign(void **state)
{
    static uint8_t der[8192];
    static struct crypto_key k;
    struct x509_info x;
    char *text;
    size_t len, dl;
    struct stat sb;
    int64_t now = sys_now();
    (void)state;

    assert_int_equal(run_cmd("selfsign", NULL, NULL), 0);
    dl = read_cert(cfg.cert_file, der, sizeof der);
    assert_int_equal(x509_parse(der, dl, &x), 0);
    assert_string_equal(x.subject_cn, "www.example.org");
    assert_string_equal(x.issuer_cn, "www.example.org");
    assert_true(x509_has_name(&x, "www.example.org"));
    assert_true(x509_has_name(&x, "example.org"));
    assert_true(x509_has_name(&x, "192.0.2.1"));
    assert_false(x509_has_name(&x, "other.example.org"));
    assert_false(x.is_ca);
    assert_true(x.not_before <= now && x.not_before >= now - 3700);
    assert_true(x.not_after >= now + 12 * 86400 - 60 && x.not_after <= now + 12 * 86400 + 60);
    assert_int_equal(install_is_selfsigned(der, dl), 1);
    assert_int_equal(install_x509_selfsigned(&x), 1);
    /* the key file holds the certificate's key, mode 0600 */
    assert_int_equal(file_read(cfg.key_file, run_arena(), &text, &len, 65536, NULL), 0);
    assert_int_equal(crypto_key_load_pem(&k, text, len, "key"), 0);
    assert_int_equal(crypto_cert_matches_key(der, dl, &k), 1);
    assert_int_equal(stat(cfg.key_file, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* fullchain = the certificate alone; chain empty */
    assert_int_equal(file_read(cfg.chain_file, run_arena(), &text, &len, 65536, NULL), 0);
    assert_int_equal(len, 0);
    assert_int_equal(install_is_selfsigned(der, dl / 2), -1);
    crypto_key_wipe(&k);
}

static void test_not_selfsigned(void **state)
{
    static uint8_t ca_der[4096], leaf_der[4096];
    static struct crypto_key ca, leaf;
    const char *ca_name = "Test CA";
    struct cert_opts o;
    size_t ca_len, leaf_len;
    (void)state;
    assert_int_equal(crypto_key_generate(&ca, KEY_EC256), 0);
    assert_int_equal(crypto_key_generate(&leaf, KEY_EC256), 0);
    memset(&o, 0, sizeof o);
    o.cn = ca_name;
    o.is_ca = 1;
    o.not_before = 0;
    o.not_after = 4000000000LL;
    assert_int_equal(crypto_cert(&ca, &o, ca_der, sizeof ca_der, &ca_len), 0);
    assert_int_equal(install_is_selfsigned(ca_der, ca_len), 1);
    memset(&o, 0, sizeof o);
    o.names = names;
    o.n = 1;
    o.cn = names[0];
    o.not_after = 4000000000LL;
    o.issuer_key = &ca;
    o.issuer_der = ca_der;
    o.issuer_len = ca_len;
    assert_int_equal(crypto_cert(&leaf, &o, leaf_der, sizeof leaf_der, &leaf_len), 0);
    assert_int_equal(install_is_selfsigned(leaf_der, leaf_len), 0);
    /* a leaf whose subject happens to equal its issuer's, but signed by another key */
    o.cn = ca_name;
    assert_int_equal(crypto_cert(&leaf, &o, leaf_der, sizeof leaf_der, &leaf_len), 0);
    assert_int_equal(install_is_selfsigned(leaf_der, leaf_len), 0);
}

static void test_alpn_ext(void **state)
{
    /* SHA-256("abc") */
    static const uint8_t want[ALPN_EXT_LEN] = {
        0x30, 0x31, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x1f, 0x01,
        0x01, 0xff, 0x04, 0x22, 0x04, 0x20, 0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf,
        0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
        0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    uint8_t ext[ALPN_EXT_LEN];
    (void)state;
    assert_int_equal(alpn_ext("abc", ext), 0);
    assert_memory_equal(ext, want, sizeof want);
}

static void test_alpn_cert(void **state)
{
    static struct crypto_key k;
    static uint8_t der[ALPN_CERT_MAX];
    uint8_t ext[ALPN_EXT_LEN];
    struct x509_info x;
    size_t len, i, found = 0, pos = 0;
    int kind;
    char name[300];
    const char *ka = "tok.thumb";
    (void)state;
    assert_int_equal(crypto_key_generate(&k, KEY_EC256), 0);
    assert_int_equal(alpn_cert_make(&k, "alpn.example.org", ka, 1700000000, der, sizeof der, &len),
                     0);
    assert_int_equal(x509_parse(der, len, &x), 0);
    assert_true(x.not_before < 1700000000 && x.not_after > 1700000000);
    /* exactly one SAN: the identifier */
    assert_int_equal(x509_san_next(&x, &pos, &kind, name, sizeof name), 1);
    assert_int_equal(kind, X509_SAN_DNS);
    assert_string_equal(name, "alpn.example.org");
    assert_int_equal(x509_san_next(&x, &pos, &kind, name, sizeof name), 0);
    /* the critical acmeIdentifier extension with SHA-256 of the key authorization */
    assert_int_equal(alpn_ext(ka, ext), 0);
    for (i = 0; i + sizeof ext <= len; i++)
        if (memcmp(der + i, ext, sizeof ext) == 0) found++;
    assert_int_equal(found, 1);
    assert_int_equal(install_is_selfsigned(der, len), 1);
    /* IP identifiers (RFC 8738) */
    assert_int_equal(alpn_cert_make(&k, "192.0.2.7", ka, 1700000000, der, sizeof der, &len), 0);
    assert_int_equal(x509_parse(der, len, &x), 0);
    assert_true(x509_has_name(&x, "192.0.2.7"));
    crypto_key_wipe(&k);
}

static void test_alpn_sni(void **state)
{
    char out[ALPN_SNI_MAX];
    (void)state;
    assert_int_equal(alpn_sni("Router.Example.ORG", out, sizeof out), 0);
    assert_string_equal(out, "router.example.org");
    assert_int_equal(alpn_sni("192.0.2.1", out, sizeof out), 0);
    assert_string_equal(out, "1.2.0.192.in-addr.arpa");
    assert_int_equal(alpn_sni("2001:db8::1", out, sizeof out), 0);
    assert_string_equal(out,
                        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    assert_int_equal(alpn_sni("a.example.org", out, 5), -1);
    assert_non_null(strstr(err_msg(), "longer than"));
}

static void test_datestamp(void **state)
{
    char s[16];
    (void)state;
    install_datestamp(0, s);
    assert_string_equal(s, "19700101-000000");
    install_datestamp(1700000000, s);
    assert_string_equal(s, "20231114-221320");
    install_datestamp(951782400 + 86399, s); /* 2000-02-29 23:59:59 */
    assert_string_equal(s, "20000229-235959");
}

static void test_links_and_unchanged(void **state)
{
    char target[600];
    struct stat a, b;
    (void)state;
    cfg.link_cert = path_in("deploy-cert");
    cfg.link_key = path_in("deploy-key");
    cfg.link_fullchain = NULL;
    assert_int_equal(file_write_atomic(cfg.link_key, "mine\n", 5, 0644), 0);
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    assert_int_equal(file_link_state(cfg.link_cert, target, sizeof target), 1);
    assert_string_equal(target, cfg.cert_file);
    assert_int_equal(file_link_state(cfg.link_key, target, sizeof target), 2); /* left alone */
    assert_int_equal(file_link_state(path_in("nothing"), target, sizeof target), 0);
    /* links already right: nothing to do */
    assert_int_equal(install_links(&cfg), 0);
    /* the same chain again: no file written, nothing changed */
    {
        char *pem;
        size_t len;
        assert_int_equal(stat(cfg.cert_file, &a), 0);
        assert_int_equal(file_read(cfg.fullchain_file, run_arena(), &pem, &len, 65536, NULL), 0);
        assert_int_equal(install_files(&cfg, NULL, 0, pem, len, run_arena()), 0);
        assert_int_equal(stat(cfg.cert_file, &b), 0);
        assert_int_equal(a.st_ino, b.st_ino);
    }
    /* a link pointing elsewhere is repointed */
    unlink(cfg.link_cert);
    assert_int_equal(symlink("/nonexistent", cfg.link_cert), 0);
    assert_int_equal(install_links(&cfg), 1);
    assert_int_equal(file_link_state(cfg.link_cert, target, sizeof target), 1);
    assert_string_equal(target, cfg.cert_file);
    cfg.link_cert = cfg.link_key = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selfsign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_selfsigned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alpn_ext, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alpn_cert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alpn_sni, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_and_unchanged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
