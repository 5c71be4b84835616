/* Unit tests: core/x509_chain.c with the BearSSL signature checks of bearssl/chain_verify.c,
 * on chains built here (root -> intermediates -> leaf) with the DER writer and keys generated
 * per run; each refusal asserts the exact BR_ERR_X509_* code. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "der.h"
#include "x509.h"
#include "x509_chain.h"
#include "../../bearssl/chain_verify.h"
#include "../../bearssl/crypto_int.h"

#define NOW 1893456000 /* 2030-01-01 */
#define Y2020 1577836800
#define Y2040 2208988800
#define DAY 86400

static struct crypto_key ec_root, ec_inter, ec_leaf, rsa_key;

struct spec {
    const char *subject, *issuer; /* CNs */
    int64_t not_before, not_after;
    int ca;       /* basicConstraints: -1 absent, 0 cA FALSE, 1 cA TRUE */
    int path_len; /* -1: none */
    int ku;       /* keyUsage first byte, -1: absent */
    const char *san;
    int unknown_critical;
    int sha1;
    const struct crypto_key *key, *signer;
    const uint8_t *san_raw; /* GeneralNames contents, instead of san */
    size_t san_raw_len;
};

/* A spec with the usual fields: valid 2020..2040, no extensions. */
static struct spec base(const char *subject, const char *issuer, const struct crypto_key *key,
                        const struct crypto_key *signer)
{
    struct spec s = {subject, issuer, Y2020, Y2040, -1, -1, -1, NULL, 0, 0, key, signer, NULL, 0};
    return s;
}

static struct spec ca(const char *subject, const char *issuer, const struct crypto_key *key,
                      const struct crypto_key *signer)
{
    struct spec s = base(subject, issuer, key, signer);
    s.ca = 1;
    s.ku = 0x06; /* keyCertSign, cRLSign */
    return s;
}

static struct spec leaf(const char *san, const struct crypto_key *signer)
{
    struct spec s = base("leaf", "inter", &ec_leaf, signer);
    s.san = san;
    return s;
}

static void sig_alg(struct der_writer *w, const struct spec *s)
{
    static const uint8_t ecdsa_sha256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    static const uint8_t ecdsa_sha1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01};
    static const uint8_t rsa_sha256[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
    static const uint8_t rsa_sha1[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05};

    derw_begin(w, DER_SEQUENCE);
    if (key_is_ec(s->signer)) {
        if (s->sha1)
            derw_oid(w, ecdsa_sha1, sizeof ecdsa_sha1);
        else
            derw_oid(w, ecdsa_sha256, sizeof ecdsa_sha256);
    } else {
        if (s->sha1)
            derw_oid(w, rsa_sha1, sizeof rsa_sha1);
        else
            derw_oid(w, rsa_sha256, sizeof rsa_sha256);
        derw_null(w);
    }
    derw_end(w);
}

static void ext_begin(struct der_writer *w, uint8_t id, int critical)
{
    uint8_t oid[] = {0x55, 0x1d, id};

    derw_begin(w, DER_SEQUENCE);
    derw_oid(w, oid, sizeof oid);
    if (critical) derw_bool(w, 1);
    derw_begin(w, DER_OCTET_STRING);
}

static void ext_end(struct der_writer *w)
{
    derw_end(w);
    derw_end(w);
}

/* Signs the TBS at w->p[tbs_off..] with the spec's hash (SHA-1 or SHA-256). */
static void sign_close(struct der_writer *w, const struct spec *s, size_t tbs_off)
{
    const br_hash_class *h = s->sha1 ? &br_sha1_vtable : &br_sha256_vtable;
    br_hash_compat_context hc;
    uint8_t hash[64], sig[512];
    size_t siglen;

    h->init(&hc.vtable);
    h->update(&hc.vtable, w->p + tbs_off, w->len - tbs_off);
    h->out(&hc.vtable, hash);
    if (key_is_ec(s->signer)) {
        br_ec_private_key sk;
        key_ec_views(s->signer, &sk, NULL);
        siglen = br_ecdsa_i31_sign_asn1(&br_ec_prime_i31, h, hash, &sk, sig);
    } else {
        br_rsa_private_key sk;
        key_rsa_views(s->signer, &sk, NULL);
        siglen = (sk.n_bitlen + 7) / 8;
        assert_true(br_rsa_i31_pkcs1_sign(s->sha1 ? BR_HASH_OID_SHA1 : BR_HASH_OID_SHA256, hash,
                                          s->sha1 ? 20 : 32, &sk, sig));
    }
    assert_true(siglen > 0);
    sig_alg(w, s);
    derw_begin(w, DER_BIT_STRING);
    derw_raw(w, "", 1);
    derw_raw(w, sig, siglen);
    derw_end(w);
    derw_end(w);
}

static size_t make_cert(const struct spec *s, uint8_t *out, size_t cap)
{
    static long serial = 1;
    static const uint8_t unknown[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x01};
    struct der_writer w;
    size_t tbs_off, len;

    derw_init(&w, out, cap);
    derw_begin(&w, DER_SEQUENCE);
    tbs_off = w.len;
    derw_begin(&w, DER_SEQUENCE);
    derw_begin(&w, DER_CTX_CONS(0));
    derw_small_int(&w, 2);
    derw_end(&w);
    derw_small_int(&w, serial++);
    sig_alg(&w, s);
    xw_name_cn(&w, s->issuer);
    derw_begin(&w, DER_SEQUENCE);
    derw_time(&w, s->not_before);
    derw_time(&w, s->not_after);
    derw_end(&w);
    xw_name_cn(&w, s->subject);
    xw_spki(&w, s->key);
    derw_begin(&w, DER_CTX_CONS(3));
    derw_begin(&w, DER_SEQUENCE);
    if (s->ca >= 0) {
        ext_begin(&w, 0x13, 1);
        derw_begin(&w, DER_SEQUENCE);
        if (s->ca) derw_bool(&w, 1);
        if (s->path_len >= 0) derw_small_int(&w, s->path_len);
        derw_end(&w);
        ext_end(&w);
    }
    if (s->ku >= 0) {
        uint8_t bits[2] = {0, (uint8_t)s->ku};
        ext_begin(&w, 0x0f, 1);
        derw_tlv(&w, DER_BIT_STRING, bits, 2);
        ext_end(&w);
    }
    if (s->san != NULL) xw_ext_san(&w, &s->san, 1, 0);
    if (s->san_raw != NULL) {
        ext_begin(&w, 0x11, 0);
        derw_begin(&w, DER_SEQUENCE);
        derw_raw(&w, s->san_raw, s->san_raw_len);
        derw_end(&w);
        ext_end(&w);
    }
    if (s->unknown_critical) {
        derw_begin(&w, DER_SEQUENCE);
        derw_oid(&w, unknown, sizeof unknown);
        derw_bool(&w, 1);
        derw_begin(&w, DER_OCTET_STRING);
        derw_null(&w);
        ext_end(&w);
    }
    derw_end(&w);
    derw_end(&w);
    derw_end(&w); /* TBS */
    sign_close(&w, s, tbs_off);
    assert_int_equal(derw_finish(&w, &len), 0);
    return len;
}

/* ------------------------------------------------------------------------------------------ */
/* Trust anchors: the EC root "root" and the RSA root "rsaroot", as trust_store.c makes them. */

static uint8_t root_der[2048], rsaroot_der[2048];
static br_x509_trust_anchor anchors[3];
static struct chain_anchors ta = {anchors, 0};

static void add_anchor(const uint8_t *der, size_t len, int is_ca)
{
    struct x509_info x;
    struct x509_pubkey k;
    br_x509_trust_anchor *a = &anchors[ta.n++];

    assert_int_equal(x509_parse(der, len, &x), 0);
    assert_int_equal(x509_spki_key(x.spki, x.spki_len, &k), 0);
    a->dn.data = (unsigned char *)(uintptr_t)x.subject_name;
    a->dn.len = x.subject_name_len;
    a->flags = is_ca ? BR_X509_TA_CA : 0;
    chain_br_pkey(&k, &a->pkey);
}

static int setup(void **state)
{
    struct spec s;
    size_t n;

    (void)state;
    if (crypto_key_generate(&ec_root, KEY_EC256) != 0 ||
        crypto_key_generate(&ec_inter, KEY_EC256) != 0 ||
        crypto_key_generate(&ec_leaf, KEY_EC256) != 0 ||
        crypto_key_generate(&rsa_key, KEY_RSA2048) != 0)
        return -1;
    s = ca("root", "root", &ec_root, &ec_root);
    n = make_cert(&s, root_der, sizeof root_der);
    add_anchor(root_der, n, 1);
    s = ca("rsaroot", "rsaroot", &rsa_key, &rsa_key);
    n = make_cert(&s, rsaroot_der, sizeof rsaroot_der);
    add_anchor(rsaroot_der, n, 1);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */

static struct x509_chain chain;
static struct x509_pubkey ee_key;
static unsigned usages;

/* Feeds the certificates (each in two pieces, as TLS records may cut them) and validates. */
static int validate(const char *name, int64_t now, size_t n, ...)
{
    struct x509_chain_ops ops;
    va_list ap;
    size_t i;

    chain_verify_ops(&ops, &ta);
    x509_chain_start(&chain);
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        const uint8_t *der = va_arg(ap, const uint8_t *);
        size_t len = va_arg(ap, size_t);
        x509_chain_begin_cert(&chain, (uint32_t)len);
        x509_chain_append(&chain, der, len / 2);
        x509_chain_append(&chain, der + len / 2, len - len / 2);
        x509_chain_end_cert(&chain);
    }
    va_end(ap);
    return x509_chain_validate(&chain, name, now, &ops, &ee_key, &usages);
}

static uint8_t inter_der[2048], leaf_der[2048];
static size_t inter_len, leaf_len;

/* The good intermediate under the EC root. */
static void make_inter(void)
{
    struct spec s = ca("inter", "root", &ec_inter, &ec_root);
    inter_len = make_cert(&s, inter_der, sizeof inter_der);
}

static void make_leaf(const struct spec *s)
{
    leaf_len = make_cert(s, leaf_der, sizeof leaf_der);
}

/* Leaf (for "host.example") and intermediate, validated for `name`. */
static int leaf_chain(const struct spec *l, const char *name)
{
    make_inter();
    make_leaf(l);
    return validate(name, NOW, 2, leaf_der, leaf_len, inter_der, inter_len);
}

static void test_good_ec_chain(void **state)
{
    struct spec l = leaf("host.example", &ec_inter);
    struct x509_pubkey k;
    uint8_t spki[200];
    size_t n;

    (void)state;
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_OK);
    assert_int_equal(usages, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
    /* The key returned is the leaf's. */
    assert_int_equal(crypto_key_spki(&ec_leaf, spki, sizeof spki, &n), 0);
    assert_int_equal(x509_spki_key(spki, n, &k), 0);
    assert_int_equal(ee_key.type, X509_KEY_EC);
    assert_int_equal(ee_key.curve, KEY_EC256);
    assert_int_equal(ee_key.q_len, k.q_len);
    assert_memory_equal(ee_key.q, k.q, k.q_len);
    /* Case does not matter; no name (IP literals) is not checked here. */
    assert_int_equal(validate("HOST.Example", NOW, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_OK);
    assert_int_equal(validate(NULL, NOW, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_OK);
    /* Later certificates are ignored once the chain reached an anchor. */
    assert_int_equal(validate("host.example", NOW, 3, leaf_der, leaf_len, inter_der, inter_len,
                              leaf_der, leaf_len),
                     BR_ERR_X509_OK);
    /* The validity bounds are inclusive. */
    assert_int_equal(validate("host.example", Y2040, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_OK);
    assert_int_equal(validate("host.example", Y2020, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_OK);
}

static void test_good_rsa_chain(void **state)
{
    struct spec l = base("leaf", "rsaroot", &rsa_key, &rsa_key);

    (void)state;
    l.san = "rsa.example";
    l.ku = 0xa0; /* digitalSignature, keyEncipherment */
    make_leaf(&l);
    assert_int_equal(validate("rsa.example", NOW, 1, leaf_der, leaf_len), BR_ERR_X509_OK);
    assert_int_equal(ee_key.type, X509_KEY_RSA);
    assert_int_equal(ee_key.n_len, 256);
    assert_int_equal(usages, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
    /* An EC intermediate under the RSA root. */
    struct spec i = ca("inter", "rsaroot", &ec_inter, &rsa_key);
    inter_len = make_cert(&i, inter_der, sizeof inter_der);
    l = leaf("rsa.example", &ec_inter);
    make_leaf(&l);
    assert_int_equal(validate("rsa.example", NOW, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_OK);
}

static void test_key_usage(void **state)
{
    struct spec l = leaf("host.example", &ec_inter);

    (void)state;
    l.ku = 0x80; /* digitalSignature only: no key exchange */
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_OK);
    assert_int_equal(usages, BR_KEYTYPE_SIGN);
    l.ku = 0x08; /* keyAgreement */
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_OK);
    assert_int_equal(usages, BR_KEYTYPE_KEYX);
    l.ku = 0x04; /* keyCertSign only: no use for TLS */
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_FORBIDDEN_KEY_USAGE);
}

static void test_names(void **state)
{
    struct spec l = leaf("*.example.com", &ec_inter);

    (void)state;
    assert_int_equal(leaf_chain(&l, "www.example.com"), BR_ERR_X509_OK);
    assert_int_equal(leaf_chain(&l, "WWW.Example.COM"), BR_ERR_X509_OK);
    assert_int_equal(leaf_chain(&l, "example.com"), BR_ERR_X509_BAD_SERVER_NAME);
    assert_int_equal(leaf_chain(&l, "a.b.example.com"), BR_ERR_X509_BAD_SERVER_NAME);
    assert_int_equal(leaf_chain(&l, ".example.com"), BR_ERR_X509_BAD_SERVER_NAME);
    assert_int_equal(leaf_chain(&l, "www.example.org"), BR_ERR_X509_BAD_SERVER_NAME);
    l.san = "w*.example.com"; /* a wildcard only as the whole first label */
    assert_int_equal(leaf_chain(&l, "ww.example.com"), BR_ERR_X509_BAD_SERVER_NAME);
    l.san = "host.example";
    assert_int_equal(leaf_chain(&l, "other.example"), BR_ERR_X509_BAD_SERVER_NAME);
    assert_int_equal(leaf_chain(&l, "host.example."), BR_ERR_X509_BAD_SERVER_NAME);
    /* No SAN: the subject CN is not used. */
    l = base("host.example", "inter", &ec_leaf, &ec_inter);
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_BAD_SERVER_NAME);
}

/* SAN encodings BearSSL's decoder refuses in the end entity (so do we); others are fine. */
static void test_undecodable_names(void **state)
{
#define HOST 0x82, 0x0c, 'h', 'o', 's', 't', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'
    /* an rfc822Name ending inside a UTF-8 sequence: BearSSL reads it as no name */
    static const uint8_t truncated[] = {HOST, 0x81, 0x02, 'a', 0xc3};
    static const uint8_t constructed[] = {HOST, 0xa2, 0x00}; /* dNSName */
    static const uint8_t app_class[] = {HOST, 0x41, 0x00};
    /* otherName: OID 1.2.3, [0] { UTF8String "x" }; with two values; with a BMPString of an
     * odd length */
    static const uint8_t other[] = {HOST, 0xa0, 0x09, 0x06, 0x02, 0x2a,
                                    0x03, 0xa0, 0x03, 0x0c, 0x01, 'x'};
    static const uint8_t other2[] = {HOST, 0xa0, 0x0b, 0x06, 0x02, 0x2a, 0x03,
                                     0xa0, 0x05, 0x0c, 0x01, 'x',  0x05, 0x00};
    static const uint8_t bmp_odd[] = {HOST, 0xa0, 0x09, 0x06, 0x02, 0x2a,
                                      0x03, 0xa0, 0x03, 0x1e, 0x01, 'x'};
#undef HOST
    static const struct {
        const uint8_t *san;
        size_t len;
        int want;
    } cases[] = {
        {truncated, sizeof truncated, BR_ERR_X509_OK},
        {constructed, sizeof constructed, BR_ERR_X509_INVALID_VALUE},
        {app_class, sizeof app_class, BR_ERR_X509_INVALID_VALUE},
        {other, sizeof other, BR_ERR_X509_OK},
        {other2, sizeof other2, BR_ERR_X509_INVALID_VALUE},
        {bmp_odd, sizeof bmp_odd, BR_ERR_X509_INVALID_VALUE},
    };
    struct spec l = leaf(NULL, &ec_inter);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        l.san_raw = cases[i].san;
        l.san_raw_len = cases[i].len;
        if (leaf_chain(&l, "host.example") != cases[i].want) fail_msg("case %zu", i);
    }
}

static void test_validity(void **state)
{
    struct spec l = leaf("host.example", &ec_inter), i;

    (void)state;
    l.not_after = NOW - 1; /* expired leaf */
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_EXPIRED);
    l.not_after = Y2040;
    l.not_before = NOW + 1; /* not yet valid */
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_EXPIRED);
    l.not_before = Y2020;
    make_leaf(&l);
    i = ca("inter", "root", &ec_inter, &ec_root);
    i.not_after = NOW - DAY; /* expired intermediate */
    inter_len = make_cert(&i, inter_der, sizeof inter_der);
    assert_int_equal(validate("host.example", NOW, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_EXPIRED);
    i.not_after = Y2040;
    i.not_before = NOW + DAY; /* intermediate not yet valid */
    inter_len = make_cert(&i, inter_der, sizeof inter_der);
    assert_int_equal(validate("host.example", NOW, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_EXPIRED);
}

/* The leaf under an intermediate made from spec i. */
static int with_inter(const struct spec *i)
{
    struct spec l = leaf("host.example", &ec_inter);

    make_leaf(&l);
    inter_len = make_cert(i, inter_der, sizeof inter_der);
    return validate("host.example", NOW, 2, leaf_der, leaf_len, inter_der, inter_len);
}

static void test_ca_rules(void **state)
{
    struct spec i = ca("inter", "root", &ec_inter, &ec_root);

    (void)state;
    i.ca = 0; /* basicConstraints cA FALSE */
    assert_int_equal(with_inter(&i), BR_ERR_X509_NOT_CA);
    i.ca = -1; /* no basicConstraints */
    assert_int_equal(with_inter(&i), BR_ERR_X509_NOT_CA);
    i.ca = 1;
    i.ku = 0x80; /* keyUsage without keyCertSign */
    assert_int_equal(with_inter(&i), BR_ERR_X509_FORBIDDEN_KEY_USAGE);
    i.ku = -1; /* no keyUsage: allowed */
    assert_int_equal(with_inter(&i), BR_ERR_X509_OK);
    i.unknown_critical = 1;
    assert_int_equal(with_inter(&i), BR_ERR_X509_CRITICAL_EXTENSION);
}

static void test_path_len(void **state)
{
    struct spec l = leaf("host.example", &ec_inter), i1, i2;
    static uint8_t i2_der[2048];
    size_t i2_len;

    (void)state;
    /* leaf <- inter (pathLen 0) <- inter2 (pathLen 0 or 1) <- root */
    make_leaf(&l);
    i1 = ca("inter", "inter2", &ec_inter, &ec_leaf);
    i1.path_len = 0;
    inter_len = make_cert(&i1, inter_der, sizeof inter_der);
    i2 = ca("inter2", "root", &ec_leaf, &ec_root);
    i2.path_len = 1;
    i2_len = make_cert(&i2, i2_der, sizeof i2_der);
    assert_int_equal(
        validate("host.example", NOW, 3, leaf_der, leaf_len, inter_der, inter_len, i2_der, i2_len),
        BR_ERR_X509_OK);
    i2.path_len = 0;
    i2_len = make_cert(&i2, i2_der, sizeof i2_der);
    assert_int_equal(
        validate("host.example", NOW, 3, leaf_der, leaf_len, inter_der, inter_len, i2_der, i2_len),
        BR_ERR_X509_NOT_CA);
}

static void test_unknown_critical_leaf(void **state)
{
    struct spec l = leaf("host.example", &ec_inter);

    (void)state;
    l.unknown_critical = 1;
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_CRITICAL_EXTENSION);
}

static void test_bad_signature(void **state)
{
    struct spec l = leaf("host.example", &ec_inter);

    (void)state;
    make_inter();
    make_leaf(&l);
    leaf_der[leaf_len - 3] ^= 0x01; /* inside the signature's s */
    assert_int_equal(validate("host.example", NOW, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_BAD_SIGNATURE);
    leaf_der[leaf_len - 3] ^= 0x01;
    inter_der[inter_len - 3] ^= 0x01; /* the intermediate's, checked with the root's key */
    assert_int_equal(validate("host.example", NOW, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_NOT_TRUSTED);
    /* Signed by another key than the intermediate's. */
    l = leaf("host.example", &ec_leaf);
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_BAD_SIGNATURE);
    /* An ECDSA signature algorithm with an RSA issuer key. */
    struct spec i = ca("inter", "rsaroot", &rsa_key, &rsa_key);
    inter_len = make_cert(&i, inter_der, sizeof inter_der);
    l = leaf("host.example", &ec_inter);
    make_leaf(&l);
    assert_int_equal(validate("host.example", NOW, 2, leaf_der, leaf_len, inter_der, inter_len),
                     BR_ERR_X509_WRONG_KEY_TYPE);
}

static void test_dn_mismatch(void **state)
{
    struct spec l = leaf("host.example", &ec_inter);

    (void)state;
    l.issuer = "Inter"; /* not byte for byte the intermediate's subject */
    assert_int_equal(leaf_chain(&l, "host.example"), BR_ERR_X509_DN_MISMATCH);
}

static void test_unknown_root(void **state)
{
    struct spec i = ca("inter", "other root", &ec_inter, &ec_root);
    struct spec self = base("host", "host", &ec_leaf, &ec_leaf);

    (void)state;
    assert_int_equal(with_inter(&i), BR_ERR_X509_NOT_TRUSTED);
    /* The trust anchor's name with another key. */
    i = ca("inter", "root", &ec_inter, &ec_leaf);
    assert_int_equal(with_inter(&i), BR_ERR_X509_NOT_TRUSTED);
    /* A self-signed leaf, then the same as a non-CA anchor (direct trust). */
    self.san = "host.example";
    make_leaf(&self);
    assert_int_equal(validate("host.example", NOW, 1, leaf_der, leaf_len), BR_ERR_X509_NOT_TRUSTED);
    add_anchor(leaf_der, leaf_len, 0);
    assert_int_equal(validate("host.example", NOW, 1, leaf_der, leaf_len), BR_ERR_X509_OK);
    assert_int_equal(validate("other.example", NOW, 1, leaf_der, leaf_len),
                     BR_ERR_X509_BAD_SERVER_NAME);
    ta.n--;
}

static void test_sha1(void **state)
{
    struct spec i = ca("inter", "root", &ec_inter, &ec_root), l;

    (void)state;
    i.sha1 = 1; /* the intermediate, signed by the root with ECDSA-SHA1 */
    assert_int_equal(with_inter(&i), BR_ERR_X509_UNSUPPORTED);
    l = base("leaf", "rsaroot", &ec_leaf, &rsa_key);
    l.san = "host.example";
    l.sha1 = 1; /* RSA PKCS#1 SHA-1 */
    make_leaf(&l);
    assert_int_equal(validate("host.example", NOW, 1, leaf_der, leaf_len), BR_ERR_X509_UNSUPPORTED);
}

static void test_limits(void **state)
{
    static uint8_t der[6][2048];
    size_t len[6];
    struct spec s;
    const struct crypto_key *keys[2] = {&ec_inter, &ec_leaf};
    char subject[8], issuer[8];
    int k;

    (void)state;
    /* leaf <- i1 <- ... <- i5 <- root: six certificates before the anchor, one too many. */
    s = leaf("host.example", &ec_inter);
    s.issuer = "i1";
    len[0] = make_cert(&s, der[0], sizeof der[0]);
    for (k = 1; k <= 5; k++) {
        snprintf(subject, sizeof subject, "i%d", k);
        snprintf(issuer, sizeof issuer, k == 5 ? "root" : "i%d", k + 1);
        s = ca(subject, issuer, keys[(k + 1) & 1], k == 5 ? &ec_root : keys[k & 1]);
        len[k] = make_cert(&s, der[k], sizeof der[k]);
    }
    assert_int_equal(validate("host.example", NOW, 6, der[0], len[0], der[1], len[1], der[2],
                              len[2], der[3], len[3], der[4], len[4], der[5], len[5]),
                     BR_ERR_X509_LIMIT_EXCEEDED);
    /* Five: i4 signed by the root. */
    s = ca("i4", "root", keys[1], &ec_root);
    len[4] = make_cert(&s, der[4], sizeof der[4]);
    assert_int_equal(validate("host.example", NOW, 5, der[0], len[0], der[1], len[1], der[2],
                              len[2], der[3], len[3], der[4], len[4]),
                     BR_ERR_X509_OK);

    /* A certificate larger than the buffer is refused, not cut. */
    x509_chain_start(&chain);
    x509_chain_begin_cert(&chain, X509_CHAIN_BYTES + 1);
    x509_chain_append(&chain, der[0], len[0]);
    x509_chain_end_cert(&chain);
    struct x509_chain_ops ops;
    chain_verify_ops(&ops, &ta);
    assert_int_equal(x509_chain_validate(&chain, "host.example", NOW, &ops, &ee_key, &usages),
                     BR_ERR_X509_LIMIT_EXCEEDED);
    assert_null(x509_chain_leaf(&chain, &len[0]));

    /* Fewer bytes than announced; no certificate at all. */
    x509_chain_start(&chain);
    x509_chain_begin_cert(&chain, (uint32_t)len[1] + 1);
    x509_chain_append(&chain, der[1], len[1]);
    x509_chain_end_cert(&chain);
    assert_int_equal(x509_chain_validate(&chain, "host.example", NOW, &ops, &ee_key, &usages),
                     BR_ERR_X509_INVALID_VALUE);
    x509_chain_start(&chain);
    assert_int_equal(x509_chain_validate(&chain, "host.example", NOW, &ops, &ee_key, &usages),
                     BR_ERR_X509_EMPTY_CHAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_ec_chain),
        cmocka_unit_test(test_good_rsa_chain),
        cmocka_unit_test(test_key_usage),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_undecodable_names),
        cmocka_unit_test(test_validity),
        cmocka_unit_test(test_ca_rules),
        cmocka_unit_test(test_path_len),
        cmocka_unit_test(test_unknown_critical_leaf),
        cmocka_unit_test(test_bad_signature),
        cmocka_unit_test(test_dn_mismatch),
        cmocka_unit_test(test_unknown_root),
        cmocka_unit_test(test_sha1),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
