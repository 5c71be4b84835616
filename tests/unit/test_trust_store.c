/* Unit tests: bearssl/trust_store.c with the built-in trust anchors that ci/gen/trust_anchors.sh
 * decodes at build time (gen/trust_anchors_bearssl.c). They must be exactly what the run-time
 * path (add_anchor(): core/x509.c) and BearSSL's own br_x509_decoder make of the same built-in
 * certificates (gen/trust_anchors.c, linked here only), they must be what trust_store_load()
 * hands out when ca_file is missing, with the same source text and -vv counts, and their keys
 * must verify what the roots signed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"

#ifndef CONFIG_TLS_MBEDTLS

#include <bearssl.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "pem.h"
#include "x509.h"
#include "x509_chain.h"
#include "../../bearssl/chain_verify.h"
#include "../../bearssl/trust_store.h"
#include "../../platform/tls_common.h"

static char bundle[64], missing[sizeof bundle + 16];

/* A ca_file holding the built-in certificates, whole; and a path that does not exist. */
static int setup(void **state)
{
    static char pem[8192];
    struct buf b;
    size_t i;
    FILE *f;
    int fd;
    (void)state;

    strcpy(bundle, "/tmp/acme-test-ts-XXXXXX");
    fd = mkstemp(bundle);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) return -1;
    for (i = 0; i < acme_builtin_cert_count; i++) {
        buf_init(&b, pem, sizeof pem);
        pem_write(&b, "CERTIFICATE", acme_builtin_certs[i].der, acme_builtin_certs[i].len);
        if (buf_check(&b, "pem") != 0 || fwrite(pem, 1, b.len, f) != b.len) return -1;
    }
    snprintf(missing, sizeof missing, "%s.missing", bundle);
    return fclose(f) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return unlink(bundle);
}

/* Runs trust_store_load(path) at -vv with stderr captured into log (NUL-terminated). */
static int load_logged(const char *path, const br_x509_trust_anchor **tas, size_t *n,
                       const char **source, char *log, size_t cap)
{
    FILE *tmp = tmpfile();
    int saved = dup(2), r;
    size_t got;

    assert_non_null(tmp);
    assert_true(saved >= 0);
    log_verbosity = 2;
    assert_true(dup2(fileno(tmp), 2) == 2);
    r = trust_store_load(path, tas, n, source);
    assert_true(dup2(saved, 2) == 2);
    close(saved);
    log_verbosity = 0;
    rewind(tmp);
    got = fread(log, 1, cap - 1, tmp);
    log[got] = '\0';
    fclose(tmp);
    return r;
}

static void assert_same_anchor(const br_x509_trust_anchor *a, const br_x509_trust_anchor *b)
{
    assert_int_equal(a->dn.len, b->dn.len);
    assert_memory_equal(a->dn.data, b->dn.data, a->dn.len);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->pkey.key_type, b->pkey.key_type);
    if (a->pkey.key_type == BR_KEYTYPE_RSA) {
        assert_int_equal(a->pkey.key.rsa.nlen, b->pkey.key.rsa.nlen);
        assert_memory_equal(a->pkey.key.rsa.n, b->pkey.key.rsa.n, a->pkey.key.rsa.nlen);
        assert_int_equal(a->pkey.key.rsa.elen, b->pkey.key.rsa.elen);
        assert_memory_equal(a->pkey.key.rsa.e, b->pkey.key.rsa.e, a->pkey.key.rsa.elen);
    } else {
        assert_int_equal(a->pkey.key_type, BR_KEYTYPE_EC);
        assert_int_equal(a->pkey.key.ec.curve, b->pkey.key.ec.curve);
        assert_int_equal(a->pkey.key.ec.qlen, b->pkey.key.ec.qlen);
        assert_memory_equal(a->pkey.key.ec.q, b->pkey.key.ec.q, a->pkey.key.ec.qlen);
    }
}

/* The generated table is what add_anchor() decodes from the same certificates at run time. */
static void test_generated_equals_runtime_decoding(void **state)
{
    static char log[2048];
    const br_x509_trust_anchor *got;
    const char *source;
    size_t n, i;
    (void)state;

    if (acme_builtin_cert_count == 0) skip();
    assert_int_equal(acme_builtin_anchor_count, acme_builtin_cert_count);
    assert_int_equal(load_logged(bundle, &got, &n, &source, log, sizeof log), 0);
    assert_true(got != acme_builtin_anchors); /* decoded into the pool, from the file */
    assert_int_equal(n, acme_builtin_anchor_count);
    for (i = 0; i < n; i++)
        assert_same_anchor(&acme_builtin_anchors[i], &got[i]);
    assert_non_null(strstr(log, "0 unusable certificates skipped"));
}

/* ... and what BearSSL's own decoder makes of them. */
static void dn_append(void *ctx, const void *buf, size_t len)
{
    struct buf *b = ctx;
    buf_put(b, buf, len);
}

static void test_generated_equals_bearssl_decoder(void **state)
{
    static br_x509_decoder_context dc;
    static char dn[1024];
    struct buf b;
    br_x509_trust_anchor want;
    const br_x509_pkey *pk;
    size_t i;
    (void)state;

    if (acme_builtin_cert_count == 0) skip();
    for (i = 0; i < acme_builtin_cert_count; i++) {
        buf_init(&b, dn, sizeof dn);
        br_x509_decoder_init(&dc, dn_append, &b);
        br_x509_decoder_push(&dc, acme_builtin_certs[i].der, acme_builtin_certs[i].len);
        pk = br_x509_decoder_get_pkey(&dc);
        assert_non_null(pk);
        assert_int_equal(buf_check(&b, "dn"), 0);
        want.dn.data = (unsigned char *)dn;
        want.dn.len = b.len;
        want.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
        want.pkey = *pk;
        assert_same_anchor(&acme_builtin_anchors[i], &want);
    }
}

/* A missing ca_file: the generated table itself, with the source text and -vv line the
 * decoded anchors had. */
static void test_missing_ca_file_uses_generated(void **state)
{
    static char log_file[2048], log_builtin[2048], want[600];
    const br_x509_trust_anchor *got;
    const char *source;
    const char *counts_file, *counts_builtin;
    size_t n;
    (void)state;

    if (acme_builtin_anchor_count == 0) {
        assert_int_equal(trust_store_load(missing, &got, &n, &source), -1);
        assert_non_null(strstr(err_msg(), "this build has no built-in trust anchors"));
        err_clear();
        return;
    }
    /* one path stays loaded: each load here is of another path than the one before, so each
     * loads and logs */
    assert_int_equal(load_logged(missing, &got, &n, &source, log_builtin, sizeof log_builtin), 0);
    assert_int_equal(load_logged(bundle, &got, &n, &source, log_file, sizeof log_file), 0);
    assert_int_equal(load_logged(missing, &got, &n, &source, log_builtin, sizeof log_builtin), 0);
    assert_ptr_equal(got, acme_builtin_anchors);
    assert_int_equal(n, acme_builtin_anchor_count);
    snprintf(want, sizeof want, "the built-in trust anchors (ca_file %s is missing)", missing);
    assert_string_equal(source, want);
    /* -v: "using SOURCE: N certificates"; -vv: "N trust anchors (B bytes; 0 unusable
     * certificates skipped) from SOURCE", with the counts of the file of the same certificates */
    snprintf(want, sizeof want,
             "acme: using the built-in trust anchors (ca_file %s is missing): %zu certificates\n",
             missing, acme_builtin_anchor_count);
    assert_non_null(strstr(log_builtin, want));
    snprintf(want, sizeof want, "acme: %zu trust anchors (", n);
    counts_file = strstr(log_file, want);
    counts_builtin = strstr(log_builtin, want);
    assert_non_null(counts_file);
    assert_non_null(counts_builtin);
    assert_int_equal(strcspn(counts_file, ")"), strcspn(counts_builtin, ")"));
    assert_memory_equal(counts_file, counts_builtin, strcspn(counts_file, ")"));
    assert_non_null(strstr(counts_file, "; 0 unusable certificates skipped) from ca_file "));
    assert_non_null(strstr(counts_builtin, "; 0 unusable certificates skipped) from the built-in"));

    /* loaded once per path: a second call hands out the same table */
    assert_int_equal(trust_store_load(missing, &got, &n, &source), 0);
    assert_ptr_equal(got, acme_builtin_anchors);
}

/* What a certificate's signature covers, as struct x509_signed wants it: 1, or 0 for a
 * signature algorithm x509_chain does not take (e.g. SHA-1 in an old root). */
static int signed_part(const struct x509_info *x, struct x509_signed *s)
{
    static const struct {
        uint8_t oid[9];
        size_t len;
        int key_type, hash;
    } algs[] = {
        {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}, 9, X509_KEY_RSA, X509_HASH_SHA256},
        {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c}, 9, X509_KEY_RSA, X509_HASH_SHA384},
        {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d}, 9, X509_KEY_RSA, X509_HASH_SHA512},
        {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}, 8, X509_KEY_EC, X509_HASH_SHA256},
        {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}, 8, X509_KEY_EC, X509_HASH_SHA384},
        {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04}, 8, X509_KEY_EC, X509_HASH_SHA512},
    };
    size_t i;

    for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (x->sig_alg_len == algs[i].len && memcmp(x->sig_alg, algs[i].oid, algs[i].len) == 0)
            break;
    if (i == sizeof algs / sizeof algs[0]) return 0;
    s->key_type = algs[i].key_type;
    s->hash = algs[i].hash;
    s->tbs = x->tbs;
    s->tbs_len = x->tbs_len;
    s->sig = x->sig;
    s->sig_len = x->sig_len;
    return 1;
}

/* Each built-in root is self-signed, so its own signature is one the anchor made: what
 * x509_chain_validate() asks (ops.anchor_signed) of the top of a chain issued by an anchor
 * (CA flag, subject Name bytes, signature checked with the anchor's key) holds for it, and
 * fails with one bit of the anchor's key flipped or without the CA flag. (A handshake through
 * a built-in anchor: tests/integration/test_builtin_anchors.sh.) */
static void test_anchor_verifies_what_it_signed(void **state)
{
    static br_x509_trust_anchor copy[CONFIG_TRUST_ANCHORS_MAX];
    static unsigned char key[600];
    struct chain_anchors anchors;
    struct x509_chain_ops ops;
    struct x509_info x;
    struct x509_signed s;
    const br_x509_trust_anchor *tas;
    const char *source;
    size_t n, i, checked = 0;
    (void)state;

    if (acme_builtin_anchor_count == 0) skip();
    assert_int_equal(trust_store_load(missing, &tas, &n, &source), 0);
    assert_true(n <= sizeof copy / sizeof copy[0]);
    anchors.n = n;
    chain_verify_ops(&ops, &anchors);
    for (i = 0; i < acme_builtin_cert_count; i++) {
        assert_int_equal(x509_parse(acme_builtin_certs[i].der, acme_builtin_certs[i].len, &x), 0);
        if (!signed_part(&x, &s)) continue;
        checked++;
        anchors.ta = tas;
        assert_int_equal(ops.anchor_signed(ops.ctx, x.issuer_name, x.issuer_name_len, &s), 1);

        /* the same anchors with one bit of this root's key flipped */
        memcpy(copy, tas, n * sizeof copy[0]);
        if (copy[i].pkey.key_type == BR_KEYTYPE_RSA) {
            assert_true(copy[i].pkey.key.rsa.nlen <= sizeof key);
            memcpy(key, copy[i].pkey.key.rsa.n, copy[i].pkey.key.rsa.nlen);
            key[copy[i].pkey.key.rsa.nlen / 2] ^= 1;
            copy[i].pkey.key.rsa.n = key;
        } else {
            assert_true(copy[i].pkey.key.ec.qlen <= sizeof key);
            memcpy(key, copy[i].pkey.key.ec.q, copy[i].pkey.key.ec.qlen);
            key[copy[i].pkey.key.ec.qlen - 1] ^= 1;
            copy[i].pkey.key.ec.q = key;
        }
        anchors.ta = copy;
        assert_int_equal(ops.anchor_signed(ops.ctx, x.issuer_name, x.issuer_name_len, &s), 0);
        /* ... and with the right key but no CA flag */
        copy[i] = tas[i];
        copy[i].flags = 0;
        assert_int_equal(ops.anchor_signed(ops.ctx, x.issuer_name, x.issuer_name_len, &s), 0);
        copy[i].flags = BR_X509_TA_CA;
        assert_int_equal(ops.anchor_signed(ops.ctx, x.issuer_name, x.issuer_name_len, &s), 1);
    }
    assert_true(checked > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_equals_runtime_decoding),
        cmocka_unit_test(test_generated_equals_bearssl_decoder),
        cmocka_unit_test(test_missing_ca_file_uses_generated),
        cmocka_unit_test(test_anchor_verifies_what_it_signed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

#else /* the mbedTLS transport has no trust_store.c and loads the whole certificates */

int main(void)
{
    return 0;
}

#endif
