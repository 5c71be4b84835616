/* Unit tests: keys, signatures, HMAC/SHA vectors, CSRs and certificates (bearssl/).
 * Signatures are checked with BearSSL's verifiers, structures with core/der.h and
 * core/x509.h; tests/integration/test_crypto_openssl.sh does the same against openssl. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include <bearssl.h>

#include "build_config.h"
#include "buf.h"
#include "crypto.h"
#include "der.h"
#include "err.h"
#include "pem.h"
#include "sys.h"
#include "x509.h"
#include "../../bearssl/trust_store.h"
#include "../../platform/tls_common.h"

/* platform/entropy.c calls getrandom through syscall(2); this definition replaces libc's so
 * the tests can simulate a kernel whose pool is not ready yet (EAGAIN) or that has no
 * getrandom (ENOSYS). Normally it serves /dev/urandom, at most 100 bytes per call so that
 * partial results are exercised too. */
static int fake_eagain, fake_enosys, fake_calls;

long syscall(long nr, ...)
{
    va_list ap;
    void *buf;
    size_t n;

    va_start(ap, nr);
    buf = va_arg(ap, void *);
    n = va_arg(ap, size_t);
    va_end(ap);
#ifdef SYS_getrandom
    if (nr == SYS_getrandom) {
        int fd;
        ssize_t r;
        fake_calls++;
        if (fake_enosys) {
            errno = ENOSYS;
            return -1;
        }
        if (fake_eagain > 0) {
            fake_eagain--;
            errno = EAGAIN;
            return -1;
        }
        fd = open("/dev/urandom", O_RDONLY);
        if (fd < 0) return -1;
        r = read(fd, buf, n > 100 ? 100 : n);
        close(fd);
        return r;
    }
#endif
    (void)buf;
    (void)n;
    errno = ENOSYS;
    return -1;
}

/* A P-256 key made by `openssl ecparam -genkey`, in SEC1 and PKCS#8 form, and its public
 * point from `openssl ec -pubout`. */
static const char EC_SEC1[] = "-----BEGIN EC PRIVATE KEY-----\n"
                              "MHcCAQEEIA+F8LU3I75lJrO5Ja2Go/S3Blyxs3/iQjCSuCFmt1bxoAoGCCqGSM49\n"
                              "AwEHoUQDQgAE+r9XsG2hpR3Q6K8v+KBDGdIQRJxEf92ub/JqobLsKZYuQ552Lpqf\n"
                              "qWhADCtQMTszlOoXNRFSuoCh3yQ0NduD6A==\n"
                              "-----END EC PRIVATE KEY-----\n";
static const char EC_PKCS8[] =
    "-----BEGIN PRIVATE KEY-----\r\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgD4XwtTcjvmUms7kl\r\n"
    "rYaj9LcGXLGzf+JCMJK4IWa3VvGhRANCAAT6v1ewbaGlHdDory/4oEMZ0hBEnER/\r\n"
    "3a5v8mqhsuwpli5DnnYump+paEAMK1AxOzOU6hc1EVK6gKHfJDQ124Po\r\n"
    "-----END PRIVATE KEY-----\r\n";
static const char EC_PUB_HEX[] = "fabf57b06da1a51dd0e8af2ff8a04319d210449c447fddae6ff26aa1b2ec2996"
                                 "2e439e762e9a9fa968400c2b50313b3394ea17351152ba80a1df243435db83e8";

static size_t unhex(const char *s, uint8_t *out)
{
    size_t n = 0;
    unsigned v;
    while (s[0] && s[1] && sscanf(s, "%2x", &v) == 1) {
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

static int curve_for(enum key_type t)
{
    return t == KEY_EC384 ? BR_EC_secp384r1 : t == KEY_EC521 ? BR_EC_secp521r1 : BR_EC_secp256r1;
}

static const br_hash_class *hash_for(enum key_type t)
{
    return t == KEY_EC384   ? &br_sha384_vtable
           : t == KEY_EC521 ? &br_sha512_vtable
                            : &br_sha256_vtable;
}

static void hash(const br_hash_class *h, const void *m, size_t n, uint8_t *out)
{
    br_hash_compat_context c;
    h->init(&c.vtable);
    h->update(&c.vtable, m, n);
    h->out(&c.vtable, out);
}

/* Verifies a JWS (raw) or X.509 (DER) signature with BearSSL's generic verifiers. */
static int verify(const struct crypto_key *k, int asn1, const void *msg, size_t n,
                  const uint8_t *sig, size_t siglen)
{
    struct crypto_pub pub;
    uint8_t h[64], q[200];
    assert_int_equal(crypto_key_public(k, &pub), 0);
    if (pub.crv != NULL) {
        br_ec_public_key pk;
        const br_hash_class *hc = hash_for(k->type);
        size_t hl = (hc->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
        hash(hc, msg, n, h);
        q[0] = 4;
        memcpy(q + 1, pub.x, pub.coord_len);
        memcpy(q + 1 + pub.coord_len, pub.y, pub.coord_len);
        pk.curve = curve_for(k->type);
        pk.q = q;
        pk.qlen = 1 + 2 * pub.coord_len;
        if (asn1) return (int)br_ecdsa_i31_vrfy_asn1(&br_ec_prime_i31, h, hl, &pk, sig, siglen);
        return (int)br_ecdsa_i31_vrfy_raw(&br_ec_prime_i31, h, hl, &pk, sig, siglen);
    } else {
        br_rsa_public_key pk;
        uint8_t out[32];
        pk.n = (unsigned char *)pub.n;
        pk.nlen = pub.n_len;
        pk.e = (unsigned char *)pub.e;
        pk.elen = pub.e_len;
        hash(&br_sha256_vtable, msg, n, h);
        if (!br_rsa_i31_pkcs1_vrfy(sig, siglen, BR_HASH_OID_SHA256, 32, &pk, out)) return 0;
        return memcmp(out, h, 32) == 0;
    }
}

static void same_public(const struct crypto_key *a, const struct crypto_key *b)
{
    struct crypto_pub pa, pb;
    assert_int_equal(crypto_key_public(a, &pa), 0);
    assert_int_equal(crypto_key_public(b, &pb), 0);
    assert_int_equal(pa.type, pb.type);
    if (pa.crv != NULL) {
        assert_string_equal(pa.crv, pb.crv);
        assert_int_equal(pa.coord_len, pb.coord_len);
        assert_memory_equal(pa.x, pb.x, pa.coord_len);
        assert_memory_equal(pa.y, pb.y, pa.coord_len);
    } else {
        assert_int_equal(pa.n_len, pb.n_len);
        assert_memory_equal(pa.n, pb.n, pa.n_len);
        assert_int_equal(pa.e_len, pb.e_len);
        assert_memory_equal(pa.e, pb.e, pa.e_len);
    }
}

static void sign_roundtrip(enum key_type t, const char *alg, size_t coord)
{
    static struct crypto_key k, k2, copy;
    static char pem[8192];
    uint8_t sig[512];
    size_t siglen;
    struct buf b;
    const char msg[] = "eyJhbGciOiJFUzI1NiJ9.e30";

    assert_int_equal(crypto_key_generate(&k, t), 0);
    assert_int_equal(k.type, t);
    assert_string_equal(crypto_jws_alg(&k), alg);
    assert_int_equal(crypto_sign_jws(&k, msg, strlen(msg), sig, sizeof sig, &siglen), 0);
    if (coord != 0) assert_int_equal(siglen, 2 * coord);
    assert_true(verify(&k, 0, msg, strlen(msg), sig, siglen));
    /* A flipped message bit must not verify. */
    assert_false(verify(&k, 0, "eyJhbGciOiJFUzI1NiJ9.e31", strlen(msg), sig, siglen));
    /* Too small a signature buffer is an error, not a truncation. */
    assert_int_equal(crypto_sign_jws(&k, msg, strlen(msg), sig, siglen - 1, &siglen), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);

    /* PKCS#8 PEM round trip gives the same key. */
    buf_init(&b, pem, sizeof pem);
    assert_int_equal(crypto_key_write_pem(&k, &b), 0);
    assert_non_null(strstr(buf_cstr(&b), "-----BEGIN PRIVATE KEY-----\n"));
    assert_int_equal(crypto_key_load_pem(&k2, pem, b.len, "mem"), 0);
    same_public(&k, &k2);

    /* Keys hold no pointers: a copy signs as well. */
    memcpy(&copy, &k, sizeof copy);
    crypto_key_wipe(&k);
    assert_int_equal(k.type, KEY_NONE);
    assert_null(crypto_jws_alg(&k));
    assert_int_equal(crypto_sign_jws(&copy, msg, strlen(msg), sig, sizeof sig, &siglen), 0);
    assert_true(verify(&k2, 0, msg, strlen(msg), sig, siglen));
}

static void test_ec256(void **state)
{
    (void)state;
    sign_roundtrip(KEY_EC256, "ES256", 32);
}

static void test_ec384(void **state)
{
    (void)state;
    sign_roundtrip(KEY_EC384, "ES384", 48);
}

static void test_ec521(void **state)
{
    (void)state;
    sign_roundtrip(KEY_EC521, "ES512", 66);
}

static void test_rsa2048(void **state)
{
    (void)state;
#ifdef CONFIG_RSA
    struct crypto_key k;
    struct crypto_pub pub;
    sign_roundtrip(KEY_RSA2048, "RS256", 0);
    assert_int_equal(crypto_key_generate(&k, KEY_RSA2048), 0);
    assert_int_equal(crypto_key_public(&k, &pub), 0);
    assert_int_equal(pub.n_len, 256);
    assert_true(pub.n[0] & 0x80);
    assert_int_equal(pub.e_len, 3);
    assert_memory_equal(pub.e, "\x01\x00\x01", 3);
#else
    skip();
#endif
}

static void test_load_openssl_ec(void **state)
{
    (void)state;
    struct crypto_key a, b;
    struct crypto_pub pub;
    uint8_t want[64];
    char text[1024];

    assert_int_equal(unhex(EC_PUB_HEX, want), 64);
    assert_int_equal(crypto_key_load_pem(&a, EC_SEC1, strlen(EC_SEC1), "sec1.pem"), 0);
    assert_int_equal(a.type, KEY_EC256);
    assert_int_equal(crypto_key_public(&a, &pub), 0);
    assert_string_equal(pub.crv, "P-256");
    assert_int_equal(pub.coord_len, 32);
    assert_memory_equal(pub.x, want, 32);
    assert_memory_equal(pub.y, want + 32, 32);
    /* PKCS#8 with CRLF line ends, after unrelated text and another PEM block. */
    snprintf(
        text, sizeof text,
        "junk\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n%s",
        EC_PKCS8);
    assert_int_equal(crypto_key_load_pem(&b, text, strlen(text), "p8.pem"), 0);
    same_public(&a, &b);
    /* A large certificate block first (bigger than any key) is skipped, not decoded. */
    {
        static char big[12000];
        size_t i, n = 0;
        n += (size_t)snprintf(big, sizeof big, "-----BEGIN CERTIFICATE-----\n");
        for (i = 0; i < 120; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "%064d\n", 0);
        n += (size_t)snprintf(big + n, sizeof big - n, "-----END CERTIFICATE-----\n%s", EC_SEC1);
        assert_int_equal(crypto_key_load_pem(&b, big, n, "combined.pem"), 0);
        same_public(&a, &b);
    }
}

static void test_load_errors(void **state)
{
    (void)state;
    struct crypto_key k;
    static const char enc[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n"
                              "-----END ENCRYPTED PRIVATE KEY-----\n";
    static const char proc[] = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                               "DEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    static const char cert_only[] =
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
    static const char garbage[] = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
    /* The SEC1 key above with its scalar set to zero: out of range. */
    static const char *zero_b64 = "MHcCAQEEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAoAoGCCqGSM49"
                                  "AwEHoUQDQgAE+r9XsG2hpR3Q6K8v+KBDGdIQRJxEf92ub/JqobLsKZYuQ552Lpqf"
                                  "qWhADCtQMTszlOoXNRFSuoCh3yQ0NduD6A==";
    char bad_scalar[600];

    assert_int_equal(crypto_key_load_pem(&k, enc, strlen(enc), "/etc/acme/enc.key"), -1);
    assert_non_null(strstr(err_msg(), "/etc/acme/enc.key"));
    assert_non_null(strstr(err_msg(), "encrypted"));
    assert_int_equal(k.type, KEY_NONE);
    assert_int_equal(crypto_key_load_pem(&k, proc, strlen(proc), "/k/proc.key"), -1);
    assert_non_null(strstr(err_msg(), "/k/proc.key"));
    assert_non_null(strstr(err_msg(), "encrypted"));
    assert_int_equal(crypto_key_load_pem(&k, cert_only, strlen(cert_only), "c.pem"), -1);
    assert_non_null(strstr(err_msg(), "c.pem"));
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(crypto_key_load_pem(&k, garbage, strlen(garbage), "g.pem"), -1);
    assert_non_null(strstr(err_msg(), "g.pem"));
    assert_int_equal(crypto_key_load_pem(&k, "", 0, "empty.pem"), -1);

    snprintf(bad_scalar, sizeof bad_scalar,
             "-----BEGIN EC PRIVATE KEY-----\n%.64s\n%.64s\n%s\n-----END EC PRIVATE KEY-----\n",
             zero_b64, zero_b64 + 64, zero_b64 + 128);
    assert_int_equal(crypto_key_load_pem(&k, bad_scalar, strlen(bad_scalar), "zero.pem"), -1);
    assert_non_null(strstr(err_msg(), "zero.pem"));
    assert_non_null(strstr(err_msg(), "out of range"));
}

static void test_sec1_and_pkcs1_written_by_bearssl(void **state)
{
    (void)state;
    static struct crypto_key k, k2;
    static char pem[8192];
    uint8_t der[4096];
    size_t n;
    struct buf b;
    br_skey_decoder_context dc;

    /* Our PKCS#8 decoded by BearSSL, re-encoded as SEC1 "EC PRIVATE KEY", must load back. */
    assert_int_equal(crypto_key_generate(&k, KEY_EC384), 0);
    buf_init(&b, pem, sizeof pem);
    assert_int_equal(crypto_key_write_pem(&k, &b), 0);
    {
        size_t pos = 0;
        assert_int_equal(pem_next(pem, b.len, &pos, "PRIVATE KEY", NULL, der, sizeof der, &n), 1);
    }
    br_skey_decoder_init(&dc);
    br_skey_decoder_push(&dc, der, n);
    assert_int_equal(br_skey_decoder_last_error(&dc), 0);
    assert_int_equal(br_skey_decoder_key_type(&dc), BR_KEYTYPE_EC);
    n = br_encode_ec_raw_der(der, br_skey_decoder_get_ec(&dc), NULL);
    assert_true(n > 0);
    buf_init(&b, pem, sizeof pem);
    pem_write(&b, "EC PRIVATE KEY", der, n);
    assert_int_equal(crypto_key_load_pem(&k2, pem, b.len, "sec1"), 0);
    same_public(&k, &k2);
#ifdef CONFIG_RSA
    {
        uint8_t kp[BR_RSA_KBUF_PRIV_SIZE(2048)], kq[BR_RSA_KBUF_PUB_SIZE(2048)], d[256];
        br_rsa_private_key sk;
        br_rsa_public_key pk;
        br_hmac_drbg_context rng;
        size_t dl;
        struct crypto_pub pub;
        br_hmac_drbg_init(&rng, &br_sha256_vtable, "fixed seed for a test key", 25);
        assert_true(br_rsa_i31_keygen(&rng.vtable, &sk, kp, &pk, kq, 2048, 3));
        dl = br_rsa_i31_compute_privexp(d, &sk, 3);
        assert_true(dl > 0);
        n = br_encode_rsa_raw_der(der, &sk, &pk, d, dl);
        buf_init(&b, pem, sizeof pem);
        pem_write(&b, "RSA PRIVATE KEY", der, n);
        assert_int_equal(crypto_key_load_pem(&k2, pem, b.len, "pkcs1"), 0);
        assert_int_equal(k2.type, KEY_RSA2048);
        assert_int_equal(crypto_key_public(&k2, &pub), 0);
        assert_int_equal(pub.n_len, pk.nlen);
        assert_memory_equal(pub.n, pk.n, pk.nlen);
        assert_int_equal(pub.e_len, 1);
        assert_int_equal(pub.e[0], 3);
        /* A modulus that is not p*q is refused. */
        pk.n[10] ^= 0x40;
        n = br_encode_rsa_raw_der(der, &sk, &pk, d, dl);
        buf_init(&b, pem, sizeof pem);
        pem_write(&b, "RSA PRIVATE KEY", der, n);
        assert_int_equal(crypto_key_load_pem(&k2, pem, b.len, "bad-n.key"), -1);
        assert_non_null(strstr(err_msg(), "bad-n.key"));
        assert_non_null(strstr(err_msg(), "modulus"));
        /* 1024-bit keys are refused with the supported sizes named. */
        assert_true(br_rsa_i31_keygen(&rng.vtable, &sk, kp, &pk, kq, 1024, 65537));
        dl = br_rsa_i31_compute_privexp(d, &sk, 65537);
        n = br_encode_rsa_raw_der(der, &sk, &pk, d, dl);
        buf_init(&b, pem, sizeof pem);
        pem_write(&b, "RSA PRIVATE KEY", der, n);
        assert_int_equal(crypto_key_load_pem(&k2, pem, b.len, "small.key"), -1);
        assert_non_null(strstr(err_msg(), "small.key"));
        assert_non_null(strstr(err_msg(), "1024"));
    }
#endif
}

static void test_write_pem_overflow(void **state)
{
    (void)state;
    struct crypto_key k;
    char small[100];
    struct buf b;
    assert_int_equal(crypto_key_load_pem(&k, EC_SEC1, strlen(EC_SEC1), "k"), 0);
    buf_init(&b, small, sizeof small);
    assert_int_equal(crypto_key_write_pem(&k, &b), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
}

struct hmac_vec {
    const char *key, *data, *h256, *h384, *h512;
};

static void test_hmac_rfc4231(void **state)
{
    (void)state;
    /* RFC 4231 test cases 1, 2 and 6 (key and data in hex). */
    static const struct hmac_vec v[] = {
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
         "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
         "faea9ea9076ede7f4af152e8b2fa9cb6",
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
         "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
        {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
         "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
         "8e2240ca5e69e2c78b3239ecfab21649",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
         "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
        {NULL, /* 131 bytes of 0xaa */
         "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
         "65204b6579202d2048617368204b6579204669727374",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
         "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
         "0c2ef6ab4030fe8296248df163f44952",
         "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
         "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t key[200], data[200], want[64], out[64];
        size_t kl, dl = unhex(v[i].data, data), ol;
        const char *hx[3] = {v[i].h256, v[i].h384, v[i].h512};
        int bits[3] = {256, 384, 512}, j;
        if (v[i].key != NULL) {
            kl = unhex(v[i].key, key);
        } else {
            kl = 131;
            memset(key, 0xaa, kl);
        }
        for (j = 0; j < 3; j++) {
            size_t wl = unhex(hx[j], want);
            assert_int_equal(crypto_hmac(bits[j], key, kl, data, dl, out, sizeof out, &ol), 0);
            assert_int_equal(ol, wl);
            assert_memory_equal(out, want, wl);
        }
    }
    {
        uint8_t out[64];
        size_t ol;
        assert_int_equal(crypto_hmac(256, "k", 1, "m", 1, out, 31, &ol), -1);
        assert_int_equal(crypto_hmac(160, "k", 1, "m", 1, out, sizeof out, &ol), -1);
    }
}

static void test_sha256_and_random(void **state)
{
    (void)state;
    uint8_t h[32], want[32], a[32], b[32], zero[32] = {0};
    unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
    crypto_sha256("abc", 3, h);
    assert_memory_equal(h, want, 32);
    assert_int_equal(crypto_random(a, sizeof a), 0);
    assert_int_equal(crypto_random(b, sizeof b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
}

/* Runs sys_entropy() with stderr captured into err (NUL-terminated). */
static int entropy_captured(void *buf, size_t n, char *err, size_t cap)
{
    FILE *tmp = tmpfile();
    int saved = dup(2), r;
    size_t got;
    assert_non_null(tmp);
    fflush(stderr);
    dup2(fileno(tmp), 2);
    r = sys_entropy(buf, n);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    got = fread(err, 1, cap - 1, tmp);
    err[got] = '\0';
    fclose(tmp);
    return r;
}

static void test_entropy(void **state)
{
    (void)state;
    uint8_t a[300], zero[300] = {0};
    char err[512];
    const char *w;

    /* Partial results are collected up to the full length. */
    memset(a, 0, sizeof a);
    fake_calls = 0;
    assert_int_equal(entropy_captured(a, sizeof a, err, sizeof err), 0);
    assert_true(fake_calls >= 3);
    assert_memory_not_equal(a + 200, zero, 100);
    assert_string_equal(err, "");
    /* Pool not ready at first: one line on stderr, then the bytes. */
    fake_eagain = 2;
    memset(a, 0, sizeof a);
    assert_int_equal(entropy_captured(a, 32, err, sizeof err), 0);
    assert_int_equal(fake_eagain, 0);
    assert_memory_not_equal(a, zero, 32);
    w = strstr(err, "waiting for the kernel entropy pool");
    assert_non_null(w);
    assert_null(strstr(w + 1, "waiting for the kernel entropy pool"));
    /* No getrandom (old kernel): /dev/urandom once /dev/random is readable, no message. */
    fake_enosys = 1;
    memset(a, 0, sizeof a);
    assert_int_equal(entropy_captured(a, sizeof a, err, sizeof err), 0);
    fake_enosys = 0;
    assert_memory_not_equal(a + 268, zero, 32);
    assert_string_equal(err, "");
}

/* Walks a DER CSR: returns the SAN GeneralNames contents and checks the signature. */
struct csr_parts {
    char cn[300];
    struct der_tlv san;
    int san_critical;
    int has_tls_feature;
};

static void parse_csr(const struct crypto_key *k, const uint8_t *der, size_t n,
                      struct csr_parts *out)
{
    static const uint8_t SAN[] = {0x55, 0x1d, 0x11};
    static const uint8_t TLSF[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18};
    struct der_reader r, csr, info, name, attrs, attr, set, exts, ext;
    struct der_tlv t, tinfo, tsig, x;

    memset(out, 0, sizeof *out);
    der_init(&r, der, n);
    assert_int_equal(der_expect(&r, DER_SEQUENCE, &t), 0);
    assert_true(der_at_end(&r));
    der_enter(&t, &csr);
    assert_int_equal(der_expect(&csr, DER_SEQUENCE, &tinfo), 0);
    assert_int_equal(der_expect(&csr, DER_SEQUENCE, &t), 0); /* signatureAlgorithm */
    assert_int_equal(der_expect(&csr, DER_BIT_STRING, &tsig), 0);
    assert_true(der_at_end(&csr));
    assert_int_equal(tsig.val[0], 0);
    assert_true(verify(k, 1, tinfo.raw, tinfo.rawlen, tsig.val + 1, tsig.len - 1));

    der_enter(&tinfo, &info);
    assert_int_equal(der_expect(&info, DER_INTEGER, &t), 0);
    assert_int_equal(t.len, 1);
    assert_int_equal(t.val[0], 0);
    assert_int_equal(der_expect(&info, DER_SEQUENCE, &t), 0); /* subject */
    der_enter(&t, &name);
    if (!der_at_end(&name)) {
        struct der_reader rdn, atv;
        assert_int_equal(der_expect(&name, DER_SET, &t), 0);
        der_enter(&t, &rdn);
        assert_int_equal(der_expect(&rdn, DER_SEQUENCE, &t), 0);
        der_enter(&t, &atv);
        assert_int_equal(der_expect(&atv, DER_OID, &t), 0);
        assert_true(der_oid_eq(&t, (const uint8_t *)"\x55\x04\x03", 3));
        assert_int_equal(der_expect(&atv, DER_UTF8STRING, &t), 0);
        memcpy(out->cn, t.val, t.len);
    }
    assert_int_equal(der_expect(&info, DER_SEQUENCE, &t), 0); /* SPKI */
    assert_int_equal(der_expect(&info, DER_CTX_CONS(0), &t), 0);
    assert_true(der_at_end(&info));
    der_enter(&t, &attrs);
    assert_int_equal(der_expect(&attrs, DER_SEQUENCE, &t), 0);
    der_enter(&t, &attr);
    assert_int_equal(der_expect(&attr, DER_OID, &t), 0);
    assert_int_equal(der_expect(&attr, DER_SET, &t), 0);
    der_enter(&t, &set);
    assert_int_equal(der_expect(&set, DER_SEQUENCE, &t), 0);
    der_enter(&t, &exts);
    while (!der_at_end(&exts)) {
        struct der_tlv oid, val;
        int crit = 0;
        assert_int_equal(der_expect(&exts, DER_SEQUENCE, &t), 0);
        der_enter(&t, &ext);
        assert_int_equal(der_expect(&ext, DER_OID, &oid), 0);
        if (der_optional(&ext, DER_BOOLEAN, &x) == 1) crit = x.val[0] != 0;
        assert_int_equal(der_expect(&ext, DER_OCTET_STRING, &val), 0);
        if (der_oid_eq(&oid, SAN, sizeof SAN)) {
            struct der_reader v;
            der_init(&v, val.val, val.len);
            assert_int_equal(der_expect(&v, DER_SEQUENCE, &out->san), 0);
            out->san_critical = crit;
        } else if (der_oid_eq(&oid, TLSF, sizeof TLSF)) {
            assert_int_equal(val.len, 5);
            assert_memory_equal(val.val, "\x30\x03\x02\x01\x05", 5);
            out->has_tls_feature = 1;
        }
    }
}

static void test_csr(void **state)
{
    (void)state;
    static struct crypto_key k;
    static const char *const names[] = {"example.com", "*.example.com", "192.0.2.1", "2001:db8::1"};
    struct csr_opts o = {names, 4, 0, 1};
    struct csr_parts p;
    struct der_reader san;
    struct der_tlv t;
    uint8_t der[4096];
    size_t n;

    assert_int_equal(crypto_key_generate(&k, KEY_EC256), 0);
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), 0);
    parse_csr(&k, der, n, &p);
    assert_string_equal(p.cn, "example.com");
    assert_int_equal(p.san_critical, 0);
    assert_true(p.has_tls_feature);
    der_enter(&p.san, &san);
    assert_int_equal(der_expect(&san, DER_CTX(2), &t), 0);
    assert_int_equal(t.len, 11);
    assert_memory_equal(t.val, "example.com", 11);
    assert_int_equal(der_expect(&san, DER_CTX(2), &t), 0);
    assert_memory_equal(t.val, "*.example.com", 13);
    assert_int_equal(der_expect(&san, DER_CTX(7), &t), 0);
    assert_int_equal(t.len, 4);
    assert_memory_equal(t.val, "\xc0\x00\x02\x01", 4);
    assert_int_equal(der_expect(&san, DER_CTX(7), &t), 0);
    assert_int_equal(t.len, 16);
    assert_memory_equal(t.val, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    assert_true(der_at_end(&san));

    /* An IP first: no CN, SAN critical; no_cn likewise; no must-staple extension. */
    o.names = names + 2;
    o.n = 2;
    o.must_staple = 0;
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), 0);
    parse_csr(&k, der, n, &p);
    assert_string_equal(p.cn, "");
    assert_int_equal(p.san_critical, 1);
    assert_false(p.has_tls_feature);
    o.names = names;
    o.no_cn = 1;
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), 0);
    parse_csr(&k, der, n, &p);
    assert_string_equal(p.cn, "");

    /* Output buffer too small: an error. */
    assert_int_equal(crypto_csr(&k, &o, der, 100, &n), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
}

static void test_csr_rsa_and_ec521(void **state)
{
    (void)state;
    static struct crypto_key k;
    static const char *const names[] = {"a.example"};
    struct csr_opts o = {names, 1, 0, 0};
    struct csr_parts p;
    uint8_t der[4096];
    size_t n;

    assert_int_equal(crypto_key_generate(&k, KEY_EC521), 0);
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), 0);
    parse_csr(&k, der, n, &p);
    assert_string_equal(p.cn, "a.example");
#ifdef CONFIG_RSA
    assert_int_equal(crypto_key_generate(&k, KEY_RSA2048), 0);
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), 0);
    parse_csr(&k, der, n, &p);
    assert_string_equal(p.cn, "a.example");
#endif
}

static void test_csr_limits(void **state)
{
    (void)state;
    static struct crypto_key k;
    static const char *names[CONFIG_MAX_NAMES + 1];
    static char longname[CONFIG_MAX_NAME_LEN + 2];
    static uint8_t der[65536];
    struct csr_opts o = {names, 0, 0, 0};
    size_t i, n;

    assert_int_equal(crypto_key_load_pem(&k, EC_SEC1, strlen(EC_SEC1), "k"), 0);
    for (i = 0; i <= CONFIG_MAX_NAMES; i++)
        names[i] = "x.example";
    o.n = CONFIG_MAX_NAMES;
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), 0);
    o.n = CONFIG_MAX_NAMES + 1;
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "CONFIG_MAX_NAMES"));
    o.n = 0;
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);

    memset(longname, 'a', CONFIG_MAX_NAME_LEN + 1);
    names[0] = longname;
    o.n = 1;
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_non_null(strstr(err_msg(), "CONFIG_MAX_NAME_LEN"));
    /* At the limit it works; longer than 64 characters it is not the CN. */
    longname[CONFIG_MAX_NAME_LEN] = '\0';
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), 0);
    {
        struct csr_parts p;
        parse_csr(&k, der, n, &p);
        assert_string_equal(p.cn, "");
        assert_int_equal(p.san_critical, 1);
    }
    names[0] = "bad name.example";
    assert_int_equal(crypto_csr(&k, &o, der, sizeof der, &n), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
}

static void test_cert_selfsigned_and_ca(void **state)
{
    (void)state;
    static struct crypto_key ca, leaf, other;
    static uint8_t ca_der[4096], der[4096];
    static const char *const names[] = {"leaf.example", "10.0.0.1"};
    struct cert_opts o;
    struct x509_info ci, li;
    struct der_reader r, c;
    struct der_tlv t, tbs, sig;
    size_t ca_len, n;

    assert_int_equal(crypto_key_generate(&ca, KEY_EC384), 0);
    assert_int_equal(crypto_key_generate(&leaf, KEY_EC256), 0);
    assert_int_equal(crypto_key_generate(&other, KEY_EC256), 0);

    memset(&o, 0, sizeof o);
    o.cn = "Test CA";
    o.not_before = 1700000000;
    o.not_after = 2600000000; /* after 2050: GeneralizedTime */
    o.is_ca = 1;
    assert_int_equal(crypto_cert(&ca, &o, ca_der, sizeof ca_der, &ca_len), 0);
    assert_int_equal(x509_parse(ca_der, ca_len, &ci), 0);
    assert_string_equal(ci.subject_cn, "Test CA");
    assert_string_equal(ci.issuer_cn, "Test CA");
    assert_true(ci.is_ca);
    assert_int_equal(ci.not_before, 1700000000);
    assert_int_equal(ci.not_after, 2600000000);
    assert_int_equal(ci.serial_len, 16);
    assert_int_equal(ci.ski_len, 20);
    assert_int_equal(ci.aki_len, 20);
    assert_memory_equal(ci.ski, ci.aki, 20);
    assert_int_equal(crypto_cert_matches_key(ca_der, ca_len, &ca), 1);
    assert_int_equal(crypto_cert_matches_key(ca_der, ca_len, &leaf), 0);
    assert_int_equal(crypto_cert_matches_key(ca_der, 10, &ca), -1);

    memset(&o, 0, sizeof o);
    o.names = names;
    o.n = 2;
    o.cn = "leaf.example";
    o.not_before = 1700000000;
    o.not_after = 1800000000;
    o.issuer_key = &ca;
    o.issuer_der = ca_der;
    o.issuer_len = ca_len;
    o.extra_ext = (const uint8_t *)"\x30\x0b\x06\x03\x2a\x03\x04\x01\x01\xff\x04\x01\x00";
    o.extra_ext_len = 13;
    assert_int_equal(crypto_cert(&leaf, &o, der, sizeof der, &n), 0);
    assert_int_equal(x509_parse(der, n, &li), 0);
    assert_string_equal(li.subject_cn, "leaf.example");
    assert_string_equal(li.issuer_cn, "Test CA");
    assert_false(li.is_ca);
    assert_int_equal(li.issuer_name_len, ci.subject_name_len);
    assert_memory_equal(li.issuer_name, ci.subject_name, ci.subject_name_len);
    assert_memory_equal(li.aki, ci.ski, 20);
    assert_memory_not_equal(li.ski, ci.ski, 20);
    assert_memory_not_equal(li.serial, ci.serial, 16);
    assert_true(x509_has_name(&li, "leaf.example"));
    assert_true(x509_has_name(&li, "10.0.0.1"));
    assert_false(x509_has_name(&li, "other.example"));
    assert_int_equal(crypto_cert_matches_key(der, n, &leaf), 1);
    assert_int_equal(crypto_cert_matches_key(der, n, &other), 0);
    /* The signature is the CA's (ECDSA P-384, DER). */
    der_init(&r, der, n);
    assert_int_equal(der_expect(&r, DER_SEQUENCE, &t), 0);
    der_enter(&t, &c);
    assert_int_equal(der_expect(&c, DER_SEQUENCE, &tbs), 0);
    assert_int_equal(der_expect(&c, DER_SEQUENCE, &t), 0);
    assert_int_equal(der_expect(&c, DER_BIT_STRING, &sig), 0);
    assert_true(verify(&ca, 1, tbs.raw, tbs.rawlen, sig.val + 1, sig.len - 1));
    assert_false(verify(&leaf, 1, tbs.raw, tbs.rawlen, sig.val + 1, sig.len - 1));
    /* The extra extension is there verbatim. */
    {
        size_t i;
        int found = 0;
        for (i = 0; i + 13 <= n; i++)
            if (memcmp(der + i, o.extra_ext, 13) == 0) found = 1;
        assert_true(found);
    }

    /* A mismatching issuer key is refused. */
    o.issuer_key = &other;
    assert_int_equal(crypto_cert(&leaf, &o, der, sizeof der, &n), -1);
    /* Self-signed leaf without CN: SAN only. */
    memset(&o, 0, sizeof o);
    o.names = names;
    o.n = 1;
    o.not_before = 0;
    o.not_after = 86400;
    assert_int_equal(crypto_cert(&leaf, &o, der, sizeof der, &n), 0);
    assert_int_equal(x509_parse(der, n, &li), 0);
    assert_string_equal(li.subject_cn, "");
    assert_true(x509_has_name(&li, "leaf.example"));
    assert_int_equal(crypto_cert(&leaf, &o, der, 200, &n), -1);
}

#ifndef CONFIG_TLS_MBEDTLS
/* The trust anchors bearssl/trust_store.c builds with core/x509.c are those BearSSL's own
 * br_x509_decoder makes of the same certificates: the system bundle plus made-up EC and RSA
 * certificates (CA and not). */
struct want_anchors {
    size_t n;
    br_x509_trust_anchor ta[400];
    unsigned char pool[400000];
    size_t used;
};

static void dn_append(void *ctx, const void *buf, size_t len)
{
    struct want_anchors *w = ctx;
    assert_true(len <= sizeof w->pool - w->used);
    memcpy(w->pool + w->used, buf, len);
    w->used += len;
}

static unsigned char *keep(struct want_anchors *w, const void *p, size_t n)
{
    unsigned char *q = w->pool + w->used;
    assert_true(n <= sizeof w->pool - w->used);
    memcpy(q, p, n);
    w->used += n;
    return q;
}

static int decode_with_bearssl(void *ctx, const uint8_t *der, size_t len)
{
    static br_x509_decoder_context dc;
    struct want_anchors *w = ctx;
    br_x509_trust_anchor *ta = &w->ta[w->n];
    size_t mark = w->used;
    br_x509_pkey *pk;

    br_x509_decoder_init(&dc, dn_append, w);
    br_x509_decoder_push(&dc, der, len);
    pk = br_x509_decoder_get_pkey(&dc);
    if (pk == NULL) {
        w->used = mark;
        return 0;
    }
    assert_true(w->n < sizeof w->ta / sizeof w->ta[0]);
    memset(ta, 0, sizeof *ta);
    ta->dn.data = w->pool + mark;
    ta->dn.len = w->used - mark;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey = *pk;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        ta->pkey.key.rsa.n = keep(w, pk->key.rsa.n, pk->key.rsa.nlen);
        ta->pkey.key.rsa.e = keep(w, pk->key.rsa.e, pk->key.rsa.elen);
    } else {
        ta->pkey.key.ec.q = keep(w, pk->key.ec.q, pk->key.ec.qlen);
    }
    w->n++;
    return 0;
}

static void append_pem(FILE *f, const uint8_t *der, size_t n)
{
    static char text[8192];
    struct buf b;
    buf_init(&b, text, sizeof text);
    pem_write(&b, "CERTIFICATE", der, n);
    assert_false(b.overflow);
    assert_int_equal(fwrite(text, 1, b.len, f), b.len);
}

static void test_trust_anchors_as_bearssl(void **state)
{
    (void)state;
    static struct want_anchors want;
    static struct crypto_key ec, rsa;
    static uint8_t der[4096];
    static char line[4096];
    static const char *const names[] = {"leaf.example"};
    char path[] = "/tmp/acme-test-anchors-XXXXXX";
    const br_x509_trust_anchor *got;
    const char *source;
    struct cert_opts o;
    size_t n, i, certs = 0;
    int fd, is_ca;
    FILE *f, *sys;

    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    sys = fopen(TLS_DEFAULT_CA_FILE, "r");
    if (sys != NULL) {
        while ((n = fread(line, 1, sizeof line, sys)) > 0)
            assert_int_equal(fwrite(line, 1, n, f), n);
        fclose(sys);
    }
    assert_int_equal(crypto_key_generate(&ec, KEY_EC521), 0);
#ifdef CONFIG_RSA
    assert_int_equal(crypto_key_generate(&rsa, KEY_RSA2048), 0);
#endif
    for (is_ca = 0; is_ca < 2; is_ca++) {
        memset(&o, 0, sizeof o);
        o.names = names;
        o.n = 1;
        o.cn = is_ca ? "Test CA" : NULL;
        o.not_after = 86400;
        o.is_ca = is_ca;
        assert_int_equal(crypto_cert(&ec, &o, der, sizeof der, &n), 0);
        append_pem(f, der, n);
#ifdef CONFIG_RSA
        assert_int_equal(crypto_cert(&rsa, &o, der, sizeof der, &n), 0);
        append_pem(f, der, n);
#endif
    }
    /* A truncated certificate is skipped by both. */
    append_pem(f, der, n - 1);
    assert_int_equal(fclose(f), 0);

    assert_true(tls_each_trust_cert(path, decode_with_bearssl, &want, NULL) > 0);
    assert_int_equal(trust_store_load(path, &got, &n, &source), 0);
    assert_int_equal(n, want.n);
    for (i = 0; i < n; i++) {
        const br_x509_trust_anchor *a = &got[i], *b = &want.ta[i];
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
            assert_int_equal(a->pkey.key.ec.curve, b->pkey.key.ec.curve);
            assert_int_equal(a->pkey.key.ec.qlen, b->pkey.key.ec.qlen);
            assert_memory_equal(a->pkey.key.ec.q, b->pkey.key.ec.q, a->pkey.key.ec.qlen);
        }
        certs += (a->flags & BR_X509_TA_CA) != 0;
    }
    assert_true(certs >= 1 && certs < n); /* both kinds were compared */
    unlink(path);
}
#endif

/* Loads DER as a PEM block with this label; 0 or -1 (the error then names the origin). */
static int load_der(struct crypto_key *k, const char *label, const uint8_t *der, size_t n)
{
    static char pem[8192];
    struct buf b;
    buf_init(&b, pem, sizeof pem);
    pem_write(&b, label, der, n);
    if (crypto_key_load_pem(k, pem, b.len, "t.key") == 0) return 0;
    assert_non_null(strstr(err_msg(), "t.key"));
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_int_equal(k->type, KEY_NONE);
    return -1;
}

/* PKCS#8 around a SEC1 key: algorithm id-ecPublicKey with curve OID oid (NULL: none). */
static size_t pkcs8_ec(uint8_t *out, size_t cap, const uint8_t *oid, size_t oidlen,
                       const uint8_t *sec1, size_t n)
{
    static const uint8_t EC[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
    struct der_writer w;
    size_t len;
    derw_init(&w, out, cap);
    derw_begin(&w, DER_SEQUENCE);
    derw_small_int(&w, 0);
    derw_begin(&w, DER_SEQUENCE);
    derw_oid(&w, EC, sizeof EC);
    if (oid != NULL) derw_oid(&w, oid, oidlen);
    derw_end(&w);
    derw_tlv(&w, DER_OCTET_STRING, sec1, n);
    derw_end(&w);
    assert_int_equal(derw_finish(&w, &len), 0);
    return len;
}

/* The own DER key decoder (bearssl/key.c) on the structures around a valid key. */
static void test_key_der_variants(void **state)
{
    (void)state;
    static const uint8_t P256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const uint8_t P384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
    static const uint8_t K1[] = {0x2b, 0x81, 0x04, 0x00, 0x0a};
    static const uint8_t ED25519[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                      0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    static struct crypto_key k;
    static uint8_t sec1[256], der[512], tmp[512];
    unsigned char kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
    br_hmac_drbg_context rng;
    br_ec_private_key sk;
    size_t n, len;

    br_hmac_drbg_init(&rng, &br_sha256_vtable, "key der variants", 16);
    assert_int_equal(br_ec_keygen(&rng.vtable, &br_ec_p256_m31, &sk, kbuf, BR_EC_secp256r1), 32);
    assert_int_equal(load_der(&k, "EC PRIVATE KEY", sec1, 0), -1);
    n = br_encode_ec_raw_der(sec1, &sk, NULL); /* SEC1 with [0] P-256, no public key */
    assert_true(n > 0 && n < sizeof sec1);
    assert_int_equal(load_der(&k, "EC PRIVATE KEY", sec1, n), 0);
    assert_int_equal(k.type, KEY_EC256);
    /* PKCS#8 naming the curve, the inner key naming it too: fine; naming another: refused. */
    len = pkcs8_ec(der, sizeof der, P256, sizeof P256, sec1, n);
    assert_int_equal(load_der(&k, "PRIVATE KEY", der, len), 0);
    len = pkcs8_ec(der, sizeof der, P384, sizeof P384, sec1, n);
    assert_int_equal(load_der(&k, "PRIVATE KEY", der, len), -1);
    assert_non_null(strstr(err_msg(), "inconsistent curve"));
    len = pkcs8_ec(der, sizeof der, K1, sizeof K1, sec1, n);
    assert_int_equal(load_der(&k, "PRIVATE KEY", der, len), -1);
    assert_non_null(strstr(err_msg(), "unsupported elliptic curve"));
    /* Neither names it (the [0] of the SEC1 key dropped, with the outer length fixed). */
    memcpy(tmp, sec1, n);
    assert_int_equal(tmp[1] & 0x80, 0);
    assert_int_equal(tmp[n - 12], DER_CTX_CONS(0)); /* [0] { OID P-256 }: the last 12 bytes */
    tmp[1] = (uint8_t)(tmp[1] - 12);
    len = pkcs8_ec(der, sizeof der, NULL, 0, tmp, n - 12);
    assert_int_equal(load_der(&k, "PRIVATE KEY", der, len), -1);
    assert_non_null(strstr(err_msg(), "without its curve"));
    len = pkcs8_ec(der, sizeof der, P256, sizeof P256, tmp, n - 12);
    assert_int_equal(load_der(&k, "PRIVATE KEY", der, len), 0);
    assert_int_equal(k.type, KEY_EC256);
    /* SEC1 version 2, trailing data, and an Ed25519 PKCS#8 key. */
    memcpy(tmp, sec1, n);
    tmp[4] = 2;
    assert_int_equal(load_der(&k, "EC PRIVATE KEY", tmp, n), -1);
    assert_non_null(strstr(err_msg(), "unsupported version"));
    memcpy(tmp, sec1, n);
    tmp[n] = 0;
    assert_int_equal(load_der(&k, "EC PRIVATE KEY", tmp, n + 1), -1);
    assert_non_null(strstr(err_msg(), "data after the key"));
    memset(tmp, 0x11, sizeof tmp);
    memcpy(tmp, ED25519, sizeof ED25519);
    assert_int_equal(load_der(&k, "PRIVATE KEY", tmp, 48), -1);
    assert_non_null(strstr(err_msg(), "unsupported key algorithm"));
    /* Truncated: a DER error, named as such. */
    assert_int_equal(load_der(&k, "EC PRIVATE KEY", sec1, n - 1), -1);
    assert_non_null(strstr(err_msg(), "not a valid private key: DER:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ec256),
        cmocka_unit_test(test_ec384),
        cmocka_unit_test(test_ec521),
        cmocka_unit_test(test_rsa2048),
        cmocka_unit_test(test_load_openssl_ec),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_sec1_and_pkcs1_written_by_bearssl),
        cmocka_unit_test(test_write_pem_overflow),
        cmocka_unit_test(test_key_der_variants),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_sha256_and_random),
        cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_csr),
        cmocka_unit_test(test_csr_rsa_and_ec521),
        cmocka_unit_test(test_csr_limits),
        cmocka_unit_test(test_cert_selfsigned_and_ca),
#ifndef CONFIG_TLS_MBEDTLS
        cmocka_unit_test(test_trust_anchors_as_bearssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
