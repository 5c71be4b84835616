/* Unit tests: JWK, RFC 7638 thumbprint, key authorization, flattened JWS and EAB. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bearssl.h>

#include "base64.h"
#include "buf.h"
#include "crypto.h"
#include "err.h"
#include "json.h"
#include "jws.h"

/* RFC 7638 section 3.1: the RSA key of the example and its thumbprint. */
static const char RFC7638_N[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
    "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
    "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM"
    "4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
static const char RFC7638_TP[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

static const char EC_SEC1[] = "-----BEGIN EC PRIVATE KEY-----\n"
                              "MHcCAQEEIA+F8LU3I75lJrO5Ja2Go/S3Blyxs3/iQjCSuCFmt1bxoAoGCCqGSM49\n"
                              "AwEHoUQDQgAE+r9XsG2hpR3Q6K8v+KBDGdIQRJxEf92ub/JqobLsKZYuQ552Lpqf\n"
                              "qWhADCtQMTszlOoXNRFSuoCh3yQ0NduD6A==\n"
                              "-----END EC PRIVATE KEY-----\n";

static void test_rfc7638_thumbprint(void **state)
{
    (void)state;
    uint8_t n[512];
    long nlen = b64_decode(n, sizeof n, RFC7638_N, strlen(RFC7638_N), B64_URL);
    struct crypto_pub pub;
    char tp[JWS_THUMBPRINT_LEN + 1], mem[1024];
    struct buf b;

    assert_int_equal(nlen, 256);
    memset(&pub, 0, sizeof pub);
    pub.type = KEY_RSA2048;
    pub.n = n;
    pub.n_len = (size_t)nlen;
    pub.e = (const uint8_t *)"\x01\x00\x01";
    pub.e_len = 3;
    assert_int_equal(jws_thumbprint_pub(&pub, tp), 0);
    assert_string_equal(tp, RFC7638_TP);
    buf_init(&b, mem, sizeof mem);
    assert_int_equal(jws_jwk_pub(&pub, &b), 0);
    assert_int_equal(strncmp(buf_cstr(&b), "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"0vx7", 33), 0);
}

static void test_ec_jwk(void **state)
{
    (void)state;
    struct crypto_key k;
    char mem[512], tp[JWS_THUMBPRINT_LEN + 1];
    struct buf b;
    uint8_t hash[32];
    char want[64];

    assert_int_equal(crypto_key_load_pem(&k, EC_SEC1, strlen(EC_SEC1), "k"), 0);
    buf_init(&b, mem, sizeof mem);
    assert_int_equal(jws_jwk(&k, &b), 0);
    /* x and y of the key (from `openssl ec -pubout`), base64url. */
    assert_string_equal(buf_cstr(&b), "{\"crv\":\"P-256\",\"kty\":\"EC\","
                                      "\"x\":\"-r9XsG2hpR3Q6K8v-KBDGdIQRJxEf92ub_JqobLsKZY\","
                                      "\"y\":\"LkOedi6an6loQAwrUDE7M5TqFzURUrqAod8kNDXbg-g\"}");
    assert_int_equal(jws_thumbprint(&k, tp), 0);
    crypto_sha256(b.p, b.len, hash);
    b64_encode(want, sizeof want, hash, 32, B64_URL);
    assert_string_equal(tp, want);
    assert_int_equal(strlen(tp), 43);

    buf_init(&b, mem, 50);
    assert_int_equal(jws_jwk(&k, &b), -1);
    assert_int_equal(err_status(), ACME_ELOCAL);
}

static void test_key_authorization(void **state)
{
    (void)state;
    char mem[128];
    struct buf b;
    buf_init(&b, mem, sizeof mem);
    assert_int_equal(jws_key_authorization("tok-EN_1", RFC7638_TP, &b), 0);
    assert_string_equal(buf_cstr(&b), "tok-EN_1.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    buf_init(&b, mem, sizeof mem);
    assert_int_equal(jws_key_authorization("../etc", RFC7638_TP, &b), -1);
    assert_int_equal(jws_key_authorization("", RFC7638_TP, &b), -1);
    buf_init(&b, mem, 20);
    assert_int_equal(jws_key_authorization("token", RFC7638_TP, &b), -1);
}

/* Splits a flattened JWS into its decoded parts and the signing input. */
struct parsed_jws {
    char prot[4096];
    char payload[4096];
    size_t payload_len;
    uint8_t sig[600];
    size_t sig_len;
    char input[8192];
    size_t input_len;
    char payload_b64[4096];
};

static void get_str(struct json_doc *d, int obj, const char *key, char *out, size_t cap)
{
    int t = json_get(d, obj, key);
    assert_true(t >= 0);
    assert_int_equal(json_str(d, t, out, cap, NULL), 0);
}

static void parse_jws(const char *text, size_t len, struct parsed_jws *p)
{
    struct json_tok toks[64];
    struct json_doc d;
    char prot_b64[4096], sig_b64[1024];
    long r;

    assert_int_equal(json_parse(&d, text, len, toks, 64), 0);
    assert_int_equal(json_type(&d, 0), JSON_OBJECT);
    assert_int_equal(toks[0].size, 3);
    get_str(&d, 0, "protected", prot_b64, sizeof prot_b64);
    get_str(&d, 0, "payload", p->payload_b64, sizeof p->payload_b64);
    get_str(&d, 0, "signature", sig_b64, sizeof sig_b64);
    r = b64_decode(p->prot, sizeof p->prot - 1, prot_b64, strlen(prot_b64), B64_URL);
    assert_true(r > 0);
    p->prot[r] = '\0';
    r = b64_decode(p->payload, sizeof p->payload - 1, p->payload_b64, strlen(p->payload_b64),
                   B64_URL);
    assert_true(r >= 0);
    p->payload[r] = '\0';
    p->payload_len = (size_t)r;
    r = b64_decode(p->sig, sizeof p->sig, sig_b64, strlen(sig_b64), B64_URL);
    assert_true(r > 0);
    p->sig_len = (size_t)r;
    p->input_len = (size_t)snprintf(p->input, sizeof p->input, "%s.%s", prot_b64, p->payload_b64);
}

static int verify_es256(const struct crypto_key *k, const struct parsed_jws *p)
{
    struct crypto_pub pub;
    br_ec_public_key pk;
    uint8_t q[65], h[32];
    assert_int_equal(crypto_key_public(k, &pub), 0);
    q[0] = 4;
    memcpy(q + 1, pub.x, 32);
    memcpy(q + 33, pub.y, 32);
    pk.curve = BR_EC_secp256r1;
    pk.q = q;
    pk.qlen = 65;
    crypto_sha256(p->input, p->input_len, h);
    return (int)br_ecdsa_i31_vrfy_raw(&br_ec_prime_i31, h, 32, &pk, p->sig, p->sig_len);
}

static void test_jws_jwk_and_kid(void **state)
{
    (void)state;
    static struct parsed_jws p;
    static char mem[8192], jwk[512];
    struct crypto_key k;
    struct json_tok toks[32];
    struct json_doc d;
    struct buf b, jb;
    char s[256];
    int t;

    assert_int_equal(crypto_key_load_pem(&k, EC_SEC1, strlen(EC_SEC1), "k"), 0);
    buf_init(&b, mem, sizeof mem);
    assert_int_equal(jws_sign(&k, NULL, "nonce-1", "https://ca.example/acme/new-acct",
                              "{\"termsOfServiceAgreed\":true}", 29, &b),
                     0);
    parse_jws((const char *)b.p, b.len, &p);
    assert_true(verify_es256(&k, &p));
    assert_string_equal(p.payload, "{\"termsOfServiceAgreed\":true}");
    assert_int_equal(json_parse(&d, p.prot, strlen(p.prot), toks, 32), 0);
    assert_int_equal(toks[0].size, 4);
    get_str(&d, 0, "alg", s, sizeof s);
    assert_string_equal(s, "ES256");
    get_str(&d, 0, "nonce", s, sizeof s);
    assert_string_equal(s, "nonce-1");
    get_str(&d, 0, "url", s, sizeof s);
    assert_string_equal(s, "https://ca.example/acme/new-acct");
    assert_int_equal(json_get(&d, 0, "kid"), -1);
    t = json_get(&d, 0, "jwk");
    assert_int_equal(json_type(&d, t), JSON_OBJECT);
    buf_init(&jb, jwk, sizeof jwk);
    assert_int_equal(jws_jwk(&k, &jb), 0);
    assert_int_equal(toks[t].end - toks[t].start, jb.len);
    assert_memory_equal(p.prot + toks[t].start, jb.p, jb.len);

    /* kid form, POST-as-GET (empty payload), a URL that needs escaping. */
    buf_init(&b, mem, sizeof mem);
    assert_int_equal(
        jws_sign(&k, "https://ca.example/acct/1", "n2", "https://ca.example/o\"1", "", 0, &b), 0);
    assert_non_null(strstr(buf_cstr(&b), "\"payload\":\"\""));
    parse_jws((const char *)b.p, b.len, &p);
    assert_int_equal(p.payload_len, 0);
    assert_true(verify_es256(&k, &p));
    assert_int_equal(json_parse(&d, p.prot, strlen(p.prot), toks, 32), 0);
    get_str(&d, 0, "kid", s, sizeof s);
    assert_string_equal(s, "https://ca.example/acct/1");
    get_str(&d, 0, "url", s, sizeof s);
    assert_string_equal(s, "https://ca.example/o\"1");
    assert_int_equal(json_get(&d, 0, "jwk"), -1);

    /* Appends after existing content; a signature of the wrong input does not verify. */
    buf_init(&b, mem, sizeof mem);
    buf_puts(&b, "X");
    assert_int_equal(jws_sign(&k, "kid", "n", "u", "{}", 2, &b), 0);
    assert_int_equal(mem[0], 'X');
    parse_jws((const char *)b.p + 1, b.len - 1, &p);
    assert_string_equal(p.payload_b64, "e30");
    assert_true(verify_es256(&k, &p));
    p.input[0] ^= 1;
    assert_false(verify_es256(&k, &p));
}

static void test_jws_overflow(void **state)
{
    (void)state;
    struct crypto_key k;
    char mem[400];
    struct buf b;
    size_t cap;
    int ok = 0;

    assert_int_equal(crypto_key_load_pem(&k, EC_SEC1, strlen(EC_SEC1), "k"), 0);
    /* Every capacity below the needed size fails cleanly, the exact one succeeds. */
    for (cap = 1; cap <= sizeof mem; cap++) {
        buf_init(&b, mem, cap);
        if (jws_sign(&k, "https://ca.example/acct/1", "nonce", "https://ca.example/x", "{}", 2,
                     &b) == 0) {
            ok = 1;
            assert_true(b.len <= cap);
            break;
        }
        assert_int_equal(err_status(), ACME_ELOCAL);
        assert_non_null(strstr(err_msg(), "too small"));
    }
    assert_true(ok);
}

static void test_eab(void **state)
{
    (void)state;
    static struct parsed_jws p;
    static char mem[4096], jwk[512];
    struct crypto_key k;
    struct json_tok toks[32];
    struct json_doc d;
    struct buf b, jb;
    char s[256];
    uint8_t key[64], mac[32];
    size_t maclen;
    /* base64url of the 32 bytes 0x00..0x1f */
    const char *key_b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    assert_int_equal(crypto_key_load_pem(&k, EC_SEC1, strlen(EC_SEC1), "k"), 0);
    buf_init(&b, mem, sizeof mem);
    assert_int_equal(jws_eab(&k, "kid-123", key_b64, "https://ca.example/new-acct", &b), 0);
    parse_jws((const char *)b.p, b.len, &p);
    assert_int_equal(json_parse(&d, p.prot, strlen(p.prot), toks, 32), 0);
    assert_int_equal(toks[0].size, 3);
    get_str(&d, 0, "alg", s, sizeof s);
    assert_string_equal(s, "HS256");
    get_str(&d, 0, "kid", s, sizeof s);
    assert_string_equal(s, "kid-123");
    get_str(&d, 0, "url", s, sizeof s);
    assert_string_equal(s, "https://ca.example/new-acct");
    assert_int_equal(json_get(&d, 0, "nonce"), -1);
    buf_init(&jb, jwk, sizeof jwk);
    assert_int_equal(jws_jwk(&k, &jb), 0);
    assert_int_equal(p.payload_len, jb.len);
    assert_memory_equal(p.payload, jb.p, jb.len);
    /* HMAC-SHA-256 over the signing input with the decoded key, computed independently. */
    {
        br_hmac_key_context kc;
        br_hmac_context hc;
        int i;
        for (i = 0; i < 32; i++)
            key[i] = (uint8_t)i;
        br_hmac_key_init(&kc, &br_sha256_vtable, key, 32);
        br_hmac_init(&hc, &kc, 0);
        br_hmac_update(&hc, p.input, p.input_len);
        maclen = br_hmac_out(&hc, mac);
    }
    assert_int_equal(p.sig_len, maclen);
    assert_memory_equal(p.sig, mac, 32);

    /* Padding and the standard alphabet are tolerated: same result. */
    {
        static char mem2[4096];
        struct buf b2;
        buf_init(&b2, mem2, sizeof mem2);
        assert_int_equal(jws_eab(&k, "kid-123", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                                 "https://ca.example/new-acct", &b2),
                         0);
        assert_int_equal(b2.len, b.len);
        assert_memory_equal(mem2, mem, b.len);
    }
    /* Bad keys: an error that does not quote the key. */
    buf_init(&b, mem, sizeof mem);
    assert_int_equal(jws_eab(&k, "kid", "secret!!key", "https://ca.example/n", &b), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
    assert_null(strstr(err_msg(), "secret"));
    assert_int_equal(jws_eab(&k, "kid", "", "https://ca.example/n", &b), -1);
    assert_int_equal(err_status(), ACME_ECONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7638_thumbprint), cmocka_unit_test(test_ec_jwk),
        cmocka_unit_test(test_key_authorization),  cmocka_unit_test(test_jws_jwk_and_kid),
        cmocka_unit_test(test_jws_overflow),       cmocka_unit_test(test_eab),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
