/* Unit tests for the versioned install (core/install.c): the configured files are links to
 * <state_dir>/live/<name>, live is one link to archive/<n>, two versions are kept, files of an
 * older layout are converted without a visible change, a failure changes nothing, leftovers of
 * a killed run are swept, modes ignore the umask. Offline: the certificates are self-signed
 * (install_selfsigned goes through install_files). */
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

#include "arena.h"
#include "config.h"
#include "err.h"
#include "install.h"
#include "sys.h"
#include "support/tmp_config.h"

static char dir[256];
static struct acme_config cfg;
static const char *names[] = {"www.example.org", "example.org"};

#define path_in(name) tmp_path(dir, name)

static int setup(void **state)
{
    (void)state;
    tmp_config_init(&cfg, dir, sizeof dir, "install", names, 2);
    cfg.selfsign_days = 12;
    arena_reset(run_arena());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (tmp_config_remove(dir) != 0) fprintf(stderr, "cleanup of %s failed\n", dir);
    return 0;
}

static void link_is(const char *path, const char *want)
{
    char have[600];
    assert_int_equal(file_link_state(path, have, sizeof have), 1);
    assert_string_equal(have, want);
}

static char *slurp(const char *path, size_t *len)
{
    char *p;
    size_t n;
    assert_int_equal(file_read(path, run_arena(), &p, &n, 65536, NULL), 0);
    if (len) *len = n;
    return p;
}

static int mode_of(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) < 0) return -1;
    return (int)(sb.st_mode & 07777);
}

static void test_versions_and_prev(void **state)
{
    char *c1, *c2, *k2;
    (void)state;
    umask(0);
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    link_is(cfg.key_file, "live/key.pem");
    link_is(cfg.cert_file, "live/cert.pem");
    link_is(cfg.chain_file, "live/chain.pem");
    link_is(cfg.fullchain_file, "live/fullchain.pem");
    link_is(path_in("live"), "archive/1");
    assert_int_equal(mode_of(path_in("archive/1/key.pem")), 0600);
    assert_int_equal(mode_of(path_in("archive")), 0700);
    assert_int_equal(mode_of(path_in("archive/1")), 0700);
    assert_int_equal(mode_of(path_in("archive/1/cert.pem")), 0644);
    assert_int_equal(file_exists(path_in("cert.pem.prev")), 0); /* nothing before */
    c1 = strdup(slurp(cfg.cert_file, NULL));

    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    link_is(path_in("live"), "archive/2");
    link_is(path_in("cert.pem.prev"), "archive/1/cert.pem");
    assert_string_equal(slurp(path_in("cert.pem.prev"), NULL), c1);
    c2 = strdup(slurp(cfg.cert_file, NULL));
    k2 = strdup(slurp(cfg.key_file, NULL));
    assert_string_not_equal(c1, c2);

    /* the third version: the first goes, two are kept */
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    link_is(path_in("live"), "archive/3");
    assert_int_equal(file_exists(path_in("archive/1")), 0);
    assert_int_equal(file_exists(path_in("archive/2/key.pem")), 1);
    assert_string_equal(slurp(path_in("cert.pem.prev"), NULL), c2);
    assert_string_not_equal(slurp(cfg.key_file, NULL), k2);
    umask(022);
    free(c1);
    free(c2);
    free(k2);
}

static void test_unchanged_is_zero(void **state)
{
    char *pem;
    size_t len;
    (void)state;
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    pem = slurp(cfg.fullchain_file, &len);
    /* the same chain and the installed key (reuse_key): nothing changed */
    assert_int_equal(install_files(&cfg, NULL, 0, pem, len, run_arena()), 0);
    link_is(path_in("live"), "archive/1");
    assert_int_equal(file_exists(path_in("archive/2")), 0);
    /* a new key with the same chain is a change: a new version, counted */
    {
        const char *k = "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n";
        assert_true(install_files(&cfg, k, strlen(k), pem, len, run_arena()) > 0);
        link_is(path_in("live"), "archive/2");
        assert_string_equal(slurp(cfg.key_file, NULL), k);
    }
}

static void test_old_layout_converted(void **state)
{
    char *k_old, *c_old, *pem;
    size_t len;
    (void)state;
    /* regular files as an older acme.c wrote them (made here from a first install) */
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    k_old = strdup(slurp(cfg.key_file, NULL));
    c_old = strdup(slurp(cfg.cert_file, NULL));
    pem = slurp(cfg.fullchain_file, &len);
    pem = strdup(pem);
    {
        char cmd[1200];
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && for f in key cert chain fullchain; do cp --remove-destination "
                 "\"$(readlink -f $f.pem)\" $f.pem; done && rm -rf live archive cert.pem.prev",
                 dir);
        assert_int_equal(system(cmd), 0);
    }
    assert_int_equal(file_link_state(cfg.key_file, NULL, 0), 2);
    /* the same content again: the paths become links, their bytes do not change */
    {
        int r = install_files(&cfg, NULL, 0, pem, len, run_arena());
        if (r <= 0) fprintf(stderr, "install_files: %d: %s\n", r, err_msg());
        assert_true(r > 0);
    }
    link_is(cfg.key_file, "live/key.pem");
    link_is(cfg.cert_file, "live/cert.pem");
    assert_string_equal(slurp(cfg.key_file, NULL), k_old);
    assert_string_equal(slurp(cfg.cert_file, NULL), c_old);
    link_is(path_in("live"), "archive/1");
    /* then a new pair is switched in as usual, the imported one kept as previous */
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    link_is(path_in("live"), "archive/2");
    assert_string_equal(slurp(path_in("cert.pem.prev"), NULL), c_old);
    free(k_old);
    free(c_old);
    free(pem);
}

static void test_paths_outside_state_dir(void **state)
{
    char want[700], real[600];
    (void)state;
    mkdir(path_in("out"), 0755);
    cfg.key_file = path_in("out/server.key");
    cfg.cert_file = path_in("out/server.crt");
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    assert_non_null(realpath(dir, real));
    snprintf(want, sizeof want, "%s/live/key.pem", real);
    link_is(cfg.key_file, want);
    snprintf(want, sizeof want, "%s/live/cert.pem", real);
    link_is(cfg.cert_file, want);
    link_is(cfg.chain_file, "live/chain.pem");
    assert_int_equal(mode_of(cfg.key_file), 0600);
}

static void test_failure_changes_nothing(void **state)
{
    char *c1;
    (void)state;
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    c1 = strdup(slurp(cfg.cert_file, NULL));
    /* a configured directory that does not exist: refused before anything is written */
    cfg.chain_file = path_in("missing/dir/chain.pem");
    assert_int_equal(install_check_paths(&cfg), -1);
    assert_int_equal(install_selfsigned(&cfg, run_arena()), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
    assert_non_null(strstr(err_msg(), path_in("missing/dir")));
    assert_int_equal(file_exists(path_in("missing")), 0);
    link_is(path_in("live"), "archive/1");
    assert_int_equal(file_exists(path_in("archive/2")), 0);
    assert_string_equal(slurp(cfg.cert_file, NULL), c1);
    free(c1);
    err_clear();
}

static void test_leftovers_swept(void **state)
{
    FILE *f;
    (void)state;
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    /* what a run killed in the middle leaves: a half-written version, temp names */
    mkdir(path_in("archive/7"), 0700);
    f = fopen(path_in("archive/7/.key.pem.tmp123.0"), "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(symlink("archive/7", path_in("live.tmp123.0")), 0);
    assert_int_equal(symlink("live/cert.pem", path_in("cert.pem.tmp99.3")), 0);
    f = fopen(path_in(".state.tmp55.2"), "w"); /* a killed state write */
    assert_non_null(f);
    fclose(f);
    f = fopen(path_in("cert.pem.tmpfile-of-the-user"), "w"); /* not ours: kept */
    assert_non_null(f);
    fclose(f);
    assert_int_equal(install_selfsigned(&cfg, run_arena()), 0);
    link_is(path_in("live"), "archive/8");
    assert_int_equal(file_exists(path_in("archive/7")), 0);
    assert_int_equal(file_exists(path_in("archive/1/cert.pem")), 1); /* the previous one */
    assert_int_equal(file_link_state(path_in("live.tmp123.0"), NULL, 0), 0);
    assert_int_equal(file_link_state(path_in("cert.pem.tmp99.3"), NULL, 0), 0);
    assert_int_equal(file_exists(path_in(".state.tmp55.2")), 0);
    assert_int_equal(file_exists(path_in("cert.pem.tmpfile-of-the-user")), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_versions_and_prev, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unchanged_is_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_layout_converted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_outside_state_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leftovers_swept, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
