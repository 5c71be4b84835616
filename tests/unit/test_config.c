/* Unit tests: the configuration file parser, -o overrides, defaults and checks; key types. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "build_config.h"
#include "config.h"
#include "crypto.h"
#include "err.h"

static unsigned char mem[1 << 20];
static struct arena a;
static struct acme_config c;

static int setup(void **state)
{
    (void)state;
    arena_init(&a, mem, sizeof mem);
    config_defaults(&c);
    err_clear();
    return 0;
}

static int parse(const char *text)
{
    return config_parse(&c, "/etc/acme/router.conf", text, strlen(text), &a);
}

/* Parses text into a fresh config and expects an ACME_ECONFIG error containing `what`. */
static void expect_error(const char *text, const char *what)
{
    setup(NULL);
    if (parse(text) != -1) fail_msg("accepted: %s", text);
    if (strstr(err_msg(), what) == NULL)
        fail_msg("for \"%s\": message \"%s\" lacks \"%s\"", text, err_msg(), what);
    assert_int_equal(err_status(), ACME_ECONFIG);
}

static void test_defaults(void **state)
{
    (void)state;
    assert_string_equal(c.directory, "https://acme-v02.api.letsencrypt.org/directory");
    assert_int_equal(c.key_type, KEY_EC256);
    assert_int_equal(c.account_key_type, KEY_EC256);
    assert_int_equal(c.csr_cn, 1);
    assert_int_equal(c.must_staple, 0);
    assert_int_equal(c.challenge, CHALLENGE_HTTP01);
    assert_string_equal(c.http_listen, "[::]:80");
    assert_string_equal(c.alpn_listen, "[::]:443");
    assert_string_equal(c.ca_file, "/etc/ssl/certs/ca-certificates.crt");
    assert_int_equal(c.timeout, 30);
    assert_int_equal(c.selfsign_days, 30);
    assert_int_equal(c.renew_days, 0);
    assert_int_equal(c.jitter, 0);
    assert_int_equal(c.dns_wait, 0);
    assert_null(c.path);
    assert_null(c.state_dir);
    assert_null(c.eab_hmac_key);

    /* -o only: name "acme" */
    assert_int_equal(config_override(&c, "domains=example.org", &a), 0);
    assert_int_equal(config_finish(&c, &a), 0);
    assert_string_equal(c.state_dir, "/etc/acme/acme");
    assert_string_equal(c.key_file, "/etc/acme/acme/key.pem");
    assert_string_equal(c.cert_file, "/etc/acme/acme/cert.pem");
    assert_string_equal(c.chain_file, "/etc/acme/acme/chain.pem");
    assert_string_equal(c.fullchain_file, "/etc/acme/acme/fullchain.pem");
}

static void test_full_file(void **state)
{
    (void)state;
#if CONFIG_MAX_NAMES < 4 || CONFIG_CONFIG_LINE_MAX < 128
    skip(); /* the file below needs 4 names and 100-byte lines */
#else
    const char *text =
        "\xef\xbb\xbf# router certificate\r\n"
        "\n"
        "   # indented comment\n"
        "directory = letsencrypt-staging\n"
        "email=admin@Example.ORG mailto:ops@example.org   # two contacts\n"
        "agree_tos = yes\n"
        "domains = Router.Example.org \"www.example.org\" 192.0.2.1 2001:DB8:0:0:0:0:0:1\n"
        "key_type = rsa-2048\n"
        "account_key_type = ec384\n"
        "csr_cn = off\n"
        "must_staple = TRUE\n"
        "profile = 'short lived'\n"
        "preferred_chain = ISRG Root X1\n"
        "challenge = tls-alpn-01\n"
        "alpn_listen = 0.0.0.0:8443\n"
        "http_listen = :8080\n"
        "state_dir = /tmp/acme/\n"
        "cert_file = /etc/uhttpd.crt\n"
        "reload = /etc/init.d/uhttpd reload  # restart the web server\n"
        "dns_wait = 0\n"
        "timeout = 3600\n"
        "bind_address = 2001:db8::0:1\n"
        "renew_days = 365\n"
        "jitter = 86400\n"
        "reuse_key = 1\n"
        "selfsign_days = 3650\n"
        "selfsign_fallback = on\n"
        "user = \"acme\"\n"
        "ca_file = /etc/ssl/cert.pem\n"
        "link_cert = /etc/cert#1.pem\n"
        "eab_kid = kid-1\n"
        "eab_hmac_key = c2VjcmV0LWtleQ\n"
        "link_key =\n"
        "dns_hook = \"/usr/bin/hook \\\"x\\\" \\\\ # not a comment\"";
    assert_int_equal(parse(text), 0);
    assert_string_equal(c.path, "/etc/acme/router.conf");
    assert_string_equal(c.name, "router");
    assert_string_equal(c.directory, "https://acme-staging-v02.api.letsencrypt.org/directory");
    assert_int_equal(c.n_email, 2);
    assert_string_equal(c.email[0], "admin@example.org");
    assert_string_equal(c.email[1], "ops@example.org");
    assert_int_equal(c.agree_tos, 1);
    assert_int_equal(c.n_domains, 4);
    assert_string_equal(c.domains[0], "router.example.org");
    assert_string_equal(c.domains[1], "www.example.org");
    assert_string_equal(c.domains[2], "192.0.2.1");
    assert_string_equal(c.domains[3], "2001:db8::1");
    assert_true(config_name_is_ip(c.domains[2]));
    assert_true(config_name_is_ip(c.domains[3]));
    assert_false(config_name_is_ip(c.domains[0]));
#ifdef CONFIG_RSA
    assert_int_equal(c.key_type, KEY_RSA2048);
#endif
    assert_int_equal(c.account_key_type, KEY_EC384);
    assert_int_equal(c.csr_cn, 0);
    assert_int_equal(c.must_staple, 1);
    assert_string_equal(c.profile, "short lived");
    assert_string_equal(c.preferred_chain, "ISRG Root X1");
    assert_int_equal(c.challenge, CHALLENGE_TLSALPN01);
    assert_string_equal(c.alpn_listen, "0.0.0.0:8443");
    assert_string_equal(c.http_listen, ":8080");
    assert_string_equal(c.reload, "/etc/init.d/uhttpd reload");
    assert_int_equal(c.timeout, 3600);
    assert_string_equal(c.bind_address, "2001:db8::1");
    assert_int_equal(c.renew_days, 365);
    assert_int_equal(c.jitter, 86400);
    assert_int_equal(c.reuse_key, 1);
    assert_int_equal(c.selfsign_days, 3650);
    assert_int_equal(c.selfsign_fallback, 1);
    assert_string_equal(c.user, "acme");
    assert_string_equal(c.ca_file, "/etc/ssl/cert.pem");
    assert_string_equal(c.link_cert, "/etc/cert#1.pem");
    assert_null(c.link_key);
    assert_string_equal(c.eab_kid, "kid-1");
    assert_string_equal(c.eab_hmac_key, "c2VjcmV0LWtleQ");
    assert_string_equal(c.dns_hook, "/usr/bin/hook \"x\" \\ # not a comment");
    assert_int_equal(config_finish(&c, &a), 0);
    assert_string_equal(c.state_dir, "/tmp/acme/");
    assert_string_equal(c.key_file, "/tmp/acme/key.pem");
    assert_string_equal(c.cert_file, "/etc/uhttpd.crt");
    assert_string_equal(c.fullchain_file, "/tmp/acme/fullchain.pem");
#endif
}

static void test_state_dir_from_name(void **state)
{
    (void)state;
    const char *t = "domains = a.example\n";
    assert_int_equal(config_parse(&c, "conf.d/office.conf", t, strlen(t), &a), 0);
    assert_string_equal(c.name, "office");
    assert_int_equal(config_finish(&c, &a), 0);
    assert_string_equal(c.state_dir, "/etc/acme/office");
    assert_string_equal(c.chain_file, "/etc/acme/office/chain.pem");
    setup(NULL);
    assert_int_equal(config_parse(&c, "plain", t, strlen(t), &a), 0);
    assert_string_equal(c.name, "plain");
}

static void test_error_locations(void **state)
{
    (void)state;
    expect_error("domains = a.example\n# c\n\n\n\n\ndomain = b.example\n",
                 "/etc/acme/router.conf:7: unknown key \"domain\" (did you mean \"domains\"?)");
    expect_error("emial = x@example.org", "router.conf:1: unknown key \"emial\" (did you mean "
                                          "\"email\"?)");
    expect_error("frobnicate = 1", "router.conf:1: unknown key \"frobnicate\" (see acme(1))");
    expect_error("timeout = 5\ntimeout = 6\n", "router.conf:2: timeout: duplicate key");
    expect_error("domains = a.example\n  just words\n", "router.conf:2: line has no '='");
    expect_error("= x", "router.conf:1: no key before '='");
    expect_error("Domains = a.example", "invalid key name (keys are lower case: \"domains\")");
    expect_error("my key = x", "router.conf:1: invalid key name");
    expect_error("timeout = 0", "router.conf:1: timeout: 0 is out of range (1..3600)");
    expect_error("timeout = 3601", "out of range (1..3600)");
    expect_error("timeout = 30s", "timeout: \"30s\" is not a number");
    expect_error("timeout = -1", "is not a number");
    expect_error("timeout = 99999999999999", "is not a number");
    expect_error("timeout =", "timeout: empty value");
    expect_error("dns_wait = 3601", "dns_wait: 3601 is out of range (0..3600)");
    expect_error("renew_days = 366", "renew_days: 366 is out of range (0..365)");
    expect_error("jitter = 86401", "jitter: 86401 is out of range (0..86400)");
    expect_error("selfsign_days = 0", "selfsign_days: 0 is out of range (1..3650)");
    expect_error("selfsign_days = 3651", "out of range (1..3650)");
    expect_error("agree_tos = maybe", "agree_tos: \"maybe\" is not a boolean");
    expect_error("challenge = http01", "challenge: unknown challenge type \"http01\" (did you "
                                       "mean \"http-01\"?)");
    expect_error("challenge = dns", "did you mean \"dns-01\"?");
    expect_error("challenge = manual",
                 "unknown challenge type \"manual\" (http-01, dns-01, tls-alpn-01)");
    expect_error("directory = ftp://x",
                 "alias: \"ftp://x\" (letsencrypt, letsencrypt-staging, zerossl, google, "
                 "google-staging, buypass, buypass-staging)");
    expect_error("directory = letsencrypt-stagin", "did you mean \"letsencrypt-staging\"?");
    expect_error("directory = http://example.org/dir", "not an https URL or a known alias");
    expect_error("directory = https://", "not an https URL");
    expect_error("profile = \"abc", "profile: unterminated \" quote");
    expect_error("profile = 'abc", "unterminated ' quote");
    expect_error("profile = a\x01z", "control character");
    expect_error("http_listen = 80", "http_listen: \"80\" is not a listen address");
    expect_error("http_listen = [::1:80", "not a listen address");
    expect_error("http_listen = host:80", "not a listen address");
    expect_error("alpn_listen = :65536", "not a listen address");
    expect_error("alpn_listen = [*]:443", "not a listen address");
    expect_error("http_listen = []:80", "not a listen address");
    expect_error("http_listen = 1.2.3.4:80:", "not a listen address");
    expect_error("http_listen = :0000000080", "not a listen address"); /* 9 digits at most */
    /* the forms the listeners take */
    setup(NULL);
    assert_int_equal(parse("http_listen = [::1]:8080\nalpn_listen = *:443\n"), 0);
    assert_string_equal(c.http_listen, "[::1]:8080");
    assert_string_equal(c.alpn_listen, "*:443");
    expect_error("bind_address = router.lan", "bind_address: \"router.lan\" is not an IPv4");
    expect_error("key_type = dsa", "key_type: unknown key type \"dsa\"");
    expect_error("domains = a.example\nemail = a.example", "router.conf:2: email: a.example: "
                                                           "not an email address");
    expect_error("email = a@b@example.org", "not an email address");
    expect_error("email = a@example", "invalid domain part");
    expect_error("email = \"a b\"@example.org", "is not allowed in an email address");
}

static void test_line_limits(void **state)
{
    (void)state;
    static char text[CONFIG_CONFIG_LINE_MAX + 64];
    size_t n;
    /* a line of exactly CONFIG_CONFIG_LINE_MAX bytes is fine */
    strcpy(text, "profile = ");
    n = strlen(text);
    memset(text + n, 'x', CONFIG_CONFIG_LINE_MAX - n);
    text[CONFIG_CONFIG_LINE_MAX] = '\0';
    assert_int_equal(parse(text), 0);
    assert_int_equal(strlen(c.profile), CONFIG_CONFIG_LINE_MAX - n);
    /* one more is an error naming the limit and the line */
    setup(NULL);
    memmove(text + 2, text, CONFIG_CONFIG_LINE_MAX + 1);
    memcpy(text, "\n\n", 2);
    strcpy(text + CONFIG_CONFIG_LINE_MAX + 2, "y\n");
    assert_int_equal(parse(text), -1);
    assert_non_null(strstr(err_msg(), "router.conf:3: line longer than CONFIG_CONFIG_LINE_MAX"));
    /* NUL bytes */
    setup(NULL);
    assert_int_equal(config_parse(&c, "x.conf", "profile = a\0b\n", 14, &a), -1);
    assert_non_null(strstr(err_msg(), "x.conf:1: NUL byte"));
}

static void test_domains(void **state)
{
    (void)state;
    const char *const forms[][2] = {
        {"*.Example.org", "*.example.org"},
        {"XN--bcher-kva.example", "xn--bcher-kva.example"},
        {"::ffff:192.0.2.1", "::ffff:c000:201"},
        {"fe80:0:0:0:1:0:0:1", "fe80::1:0:0:1"},
        {"0:0:1:0:0:0:0:0", "0:0:1::"},
        {"::", "::"},
        {"1::", "1::"},
        {"0.0.0.0", "0.0.0.0"},
        {"a-1.b--c.example", "a-1.b--c.example"},
    };
    size_t k;
    for (k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        char line[128];
        setup(NULL);
        snprintf(line, sizeof line, "domains = %s", forms[k][0]);
        if (parse(line) != 0) fail_msg("%s: %s", forms[k][0], err_msg());
        assert_int_equal(c.n_domains, 1);
        assert_string_equal(c.domains[0], forms[k][1]);
    }
#if CONFIG_MAX_NAMES >= 2
    setup(NULL);
    assert_int_equal(parse("domains = a.example b.example"), 0);
    assert_int_equal(c.n_domains, 2);
    assert_string_equal(c.domains[1], "b.example");
#endif
    expect_error("domains = a.example A.EXAMPLE", "domains: a.example is listed twice");
    expect_error("domains = 2001:db8::1 2001:DB8:0::1", "2001:db8::1 is listed twice");
    expect_error("domains = a..example", "empty label");
    expect_error("domains = a.example.", "empty label");
    expect_error("domains = -a.example", "cannot start or end with '-'");
    expect_error("domains = a-.example", "cannot start or end with '-'");
    expect_error("domains = a_b.example", "invalid character '_'");
    expect_error("domains = a.*.example", "wildcard must be the whole leftmost label");
    expect_error("domains = *a.example", "wildcard must be the whole leftmost label");
    expect_error("domains = *.", "empty label");
    expect_error("domains = b\xc3\xbc"
                 "cher.example",
                 "IDNA");
    expect_error("domains = 192.0.2.256", "not a valid IPv4 address");
    expect_error("domains = 192.0.2.01", "not a valid IPv4 address");
    expect_error("domains = 10.1", "not a valid IPv4 address");
    expect_error("domains = 1:2:3:4:5:6:7:8:9", "not a valid IPv6 address");
    expect_error("domains = 1::2::3", "not a valid IPv6 address");
    expect_error("domains = 1:2:3:4:5:6:7::8", "not a valid IPv6 address");
    expect_error("domains = fe80::1%eth0", "not a valid IPv6 address");
    expect_error("domains = [::1]", "without brackets");
    expect_error("domains = \"\"", "empty item");
#if CONFIG_MAX_NAME_LEN >= 72
    expect_error(
        "domains = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
        "label longer than 63 characters");
#endif

    /* the name length and count limits name their Kconfig option */
    static char text[CONFIG_CONFIG_LINE_MAX];
    size_t i, n;
    strcpy(text, "domains = ");
    n = strlen(text);
    for (i = 0; i < (CONFIG_MAX_NAME_LEN + 1) / 2; i++) {
        memcpy(text + n, "a.", 2);
        n += 2;
    }
    memcpy(text + n, "ab", 3);
    expect_error(text, "longer than CONFIG_MAX_NAME_LEN");

    strcpy(text, "domains =");
    for (i = 0; i <= CONFIG_MAX_NAMES; i++)
        sprintf(text + strlen(text), " n%zu.example", i);
    expect_error(text, "names (the limit is CONFIG_MAX_NAMES)");
    /* exactly CONFIG_MAX_NAMES is fine */
    setup(NULL);
    *strrchr(text, ' ') = '\0';
    assert_int_equal(parse(text), 0);
    assert_int_equal(c.n_domains, CONFIG_MAX_NAMES);
}

static void test_overrides(void **state)
{
    (void)state;
    /* -o replaces a file value, whichever comes first */
    assert_int_equal(config_override(&c, "timeout=45", &a), 0);
    assert_int_equal(parse("timeout = 10\ndomains = a.example b.example\n"), 0);
    assert_int_equal(c.timeout, 45);
    assert_int_equal(config_override(&c, "domains = c.example", &a), 0);
    assert_int_equal(c.n_domains, 1);
    assert_string_equal(c.domains[0], "c.example");
    assert_int_equal(config_override(&c, "domains=d.example 'e.example'", &a), 0);
    assert_int_equal(c.n_domains, 2);
    assert_string_equal(c.domains[1], "e.example");
    /* no comments on the command line */
    assert_int_equal(config_override(&c, "reload=echo #1", &a), 0);
    assert_string_equal(c.reload, "echo #1");
    /* -o can unset an optional string */
    assert_int_equal(config_override(&c, "reload=", &a), 0);
    assert_null(c.reload);
    /* errors name -o */
    assert_int_equal(config_override(&c, "timeout=0", &a), -1);
    assert_string_equal(err_msg(), "-o timeout: 0 is out of range (1..3600)");
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(config_override(&c, "timeout", &a), -1);
    assert_string_equal(err_msg(), "-o: expected key=value");
    assert_int_equal(config_override(&c, "domian=x.example", &a), -1);
    assert_string_equal(err_msg(), "-o: unknown key \"domian\" (did you mean \"domains\"?)");
    assert_int_equal(c.timeout, 45);
    /* the file value of an overridden key is still checked */
    setup(NULL);
    assert_int_equal(config_override(&c, "timeout=45", &a), 0);
    assert_int_equal(parse("timeout = 0\n"), -1);
    assert_non_null(strstr(err_msg(), "router.conf:1: timeout: 0 is out of range"));
}

static void test_finish_checks(void **state)
{
    (void)state;
    assert_int_equal(parse("email = a@example.org\n"), 0);
    assert_int_equal(config_finish(&c, &a), -1);
    assert_non_null(strstr(err_msg(), "router.conf: domains: no names"));
    assert_int_equal(err_status(), ACME_ECONFIG);

    setup(NULL);
    assert_int_equal(parse("domains = *.example.org\n"), 0);
    assert_int_equal(config_finish(&c, &a), -1);
    assert_non_null(strstr(err_msg(), "domains: *.example.org is a wildcard, which needs "
                                      "challenge = dns-01"));

    setup(NULL);
    assert_int_equal(parse("domains = *.example.org\nchallenge = dns-01\n"), 0);
    assert_int_equal(config_finish(&c, &a), -1);
    assert_non_null(strstr(err_msg(), "dns_hook: challenge dns-01 needs a dns_hook"));

    setup(NULL);
    assert_int_equal(parse("domains = *.example.org\nchallenge = dns-01\ndns_hook = /bin/h\n"), 0);
    assert_int_equal(config_finish(&c, &a), 0);

    setup(NULL);
    assert_int_equal(parse("domains = 192.0.2.7\nchallenge = dns-01\ndns_hook = /bin/h\n"), 0);
    assert_int_equal(config_finish(&c, &a), -1);
    assert_non_null(strstr(err_msg(), "192.0.2.7 is an IP address, which cannot use dns-01"));

    setup(NULL);
    assert_int_equal(parse("domains = a.example\nchallenge = tls-alpn-01\nwebroot = /www\n"), 0);
    assert_int_equal(config_finish(&c, &a), -1);
    assert_non_null(strstr(err_msg(), "webroot: only used with challenge http-01"));

    setup(NULL);
    assert_int_equal(parse("domains = a.example\neab_kid = k\n"), 0);
    assert_int_equal(config_finish(&c, &a), -1);
    assert_non_null(
        strstr(err_msg(), "eab_hmac_key: eab_kid and eab_hmac_key must be set together"));

    setup(NULL);
    assert_int_equal(parse("domains = a.example\neab_hmac_key = c2VjcmV0\n"), 0);
    assert_int_equal(config_finish(&c, &a), -1);
    assert_non_null(strstr(err_msg(), "router.conf: eab_kid: eab_kid and eab_hmac_key"));
}

static void test_eab_key_never_echoed(void **state)
{
    (void)state;
    const char *secrets[] = {"eab_hmac_key = c2Vj+cmV0",
                             "eab_hmac_key = c2VjcmV0LWtleQ==", "eab_hmac_key = c2VjcmV0L",
                             "eab_hmac_key = c2VjcmV0\neab_hmac_key = c2VjcmV0"};
    size_t i;
    for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        setup(NULL);
        assert_int_equal(parse(secrets[i]), -1);
        assert_non_null(strstr(err_msg(), "eab_hmac_key: "));
        assert_null(strstr(err_msg(), "c2Vj"));
    }
    setup(NULL);
    assert_int_equal(parse("eab_hmac_key c2VjcmV0X3Rva2Vu\n"), -1);
    assert_null(strstr(err_msg(), "c2Vj"));
    setup(NULL);
    assert_int_equal(parse("eab_hmac_key:c2VjcmV0X3Rva2Vu = x\n"), -1);
    assert_null(strstr(err_msg(), "c2Vj"));
}

static void test_directory_aliases(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"letsencrypt", "https://acme-v02.api.letsencrypt.org/directory"},
        {"letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"},
        {"zerossl", "https://acme.zerossl.com/v2/DV90"},
        {"google", "https://dv.acme-v02.api.pki.goog/directory"},
        {"google-staging", "https://dv.acme-v02.test-api.pki.goog/directory"},
        {"buypass", "https://api.buypass.com/acme/directory"},
        {"buypass-staging", "https://api.test4.buypass.no/acme/directory"},
    };
    size_t i;
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char line[64];
        assert_string_equal(config_directory_alias(pairs[i][0]), pairs[i][1]);
        setup(NULL);
        snprintf(line, sizeof line, "directory = %s", pairs[i][0]);
        assert_int_equal(parse(line), 0);
        assert_string_equal(c.directory, pairs[i][1]);
    }
    assert_null(config_directory_alias("letsencrypt2"));
    setup(NULL);
    assert_int_equal(parse("directory = https://127.0.0.1:14000/dir"), 0);
    assert_string_equal(c.directory, "https://127.0.0.1:14000/dir");
}

static void test_key_types(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum key_type t;
    } ok[] = {
        {"ec-256", KEY_EC256},     {"ec256", KEY_EC256},      {"EC-384", KEY_EC384},
        {"ec384", KEY_EC384},      {"ec-521", KEY_EC521},     {"ec521", KEY_EC521},
        {"rsa-2048", KEY_RSA2048}, {"rsa2048", KEY_RSA2048},  {"rsa-3072", KEY_RSA3072},
        {"rsa3072", KEY_RSA3072},  {"rsa-4096", KEY_RSA4096}, {"rsa4096", KEY_RSA4096},
    };
    size_t i;
    enum key_type t;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int rsa = key_type_is_rsa(ok[i].t);
        t = KEY_NONE;
#ifdef CONFIG_RSA
        assert_int_equal(key_type_parse(ok[i].name, &t), 0);
        assert_int_equal(t, ok[i].t);
#else
        assert_int_equal(key_type_parse(ok[i].name, &t), rsa ? -1 : 0);
        if (rsa) assert_non_null(strstr(err_msg(), "this build has no RSA"));
#endif
        assert_int_equal(rsa, strncmp(ok[i].name, "rsa", 3) == 0);
    }
    assert_string_equal(key_type_name(KEY_EC256), "ec-256");
    assert_string_equal(key_type_name(KEY_EC521), "ec-521");
    assert_string_equal(key_type_name(KEY_RSA4096), "rsa-4096");
    assert_false(key_type_is_rsa(KEY_NONE));

    assert_int_equal(key_type_parse("rsa-8192", &t), -1);
    assert_non_null(strstr(err_msg(), "BearSSL supports RSA keys up to 4096 bits"));
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(key_type_parse("rsa1024", &t), -1);
    assert_non_null(strstr(err_msg(), "unsupported RSA key size"));
    assert_int_equal(key_type_parse("ec-224", &t), -1);
    assert_non_null(strstr(err_msg(), "unsupported curve"));
    assert_int_equal(key_type_parse("ed25519", &t), -1);
    assert_non_null(strstr(err_msg(), "unknown key type"));
    assert_int_equal(key_type_parse("", &t), -1);

    expect_error("key_type = rsa-8192",
                 "router.conf:1: key_type: rsa-8192: BearSSL supports RSA keys up to 4096 bits");
#ifndef CONFIG_RSA
    expect_error("account_key_type = rsa-2048",
                 "account_key_type: rsa-2048: this build has no RSA");
#endif
}

static void test_quoting(void **state)
{
    (void)state;
    assert_int_equal(parse("reload = \"/etc/init.d/a b\" restart # comment\n"
                           "dns_hook = 'it''s'\n"
                           "webroot = \"/www/my site\"\n"
                           "user = a\"b c\"d\n"
                           "profile = x#y\n"),
                     0);
    /* several words: kept as written, quotes included (commands reach the shell) */
    assert_string_equal(c.reload, "\"/etc/init.d/a b\" restart");
    /* one word: quotes removed, adjacent parts joined */
    assert_string_equal(c.dns_hook, "its");
    assert_string_equal(c.webroot, "/www/my site");
    assert_string_equal(c.user, "ab cd");
    assert_string_equal(c.profile, "x#y");
    expect_error("profile = \"a\\\"", "unterminated \" quote");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, setup),
        cmocka_unit_test_setup(test_full_file, setup),
        cmocka_unit_test_setup(test_state_dir_from_name, setup),
        cmocka_unit_test_setup(test_error_locations, setup),
        cmocka_unit_test_setup(test_line_limits, setup),
        cmocka_unit_test_setup(test_domains, setup),
        cmocka_unit_test_setup(test_overrides, setup),
        cmocka_unit_test_setup(test_finish_checks, setup),
        cmocka_unit_test_setup(test_eab_key_never_echoed, setup),
        cmocka_unit_test_setup(test_directory_aliases, setup),
        cmocka_unit_test_setup(test_key_types, setup),
        cmocka_unit_test_setup(test_quoting, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
