/* DER building blocks shared by the CSR and certificate writers. */
#include <string.h>

#include "build_config.h"
#include "crypto_int.h"
#include "err.h"
#include "ipaddr.h"

static const uint8_t OID_EC_PUBKEY[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t OID_P256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t OID_P384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
static const uint8_t OID_P521[] = {0x2b, 0x81, 0x04, 0x00, 0x23};
static const uint8_t OID_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const uint8_t OID_SHA256_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
/* ecdsa-with-SHA256/384/512: 1.2.840.10045.4.3.{2,3,4} */
static const uint8_t OID_ECDSA_SHA[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};
static const uint8_t OID_SAN[] = {0x55, 0x1d, 0x11};

/* X.520 ub-common-name: longer names cannot be the CN (they still go into the SAN). */
#define CN_MAX 64

static void curve_oid(struct der_writer *w, int curve)
{
    switch (curve) {
    case BR_EC_secp384r1:
        derw_oid(w, OID_P384, sizeof OID_P384);
        break;
    case BR_EC_secp521r1:
        derw_oid(w, OID_P521, sizeof OID_P521);
        break;
    default:
        derw_oid(w, OID_P256, sizeof OID_P256);
        break;
    }
}

/* The subjectPublicKey BIT STRING contents after the unused-bits byte. */
static void pubkey_bits(struct der_writer *w, const struct crypto_key *k)
{
    if (key_is_ec(k)) {
        derw_raw(w, key_elem(k, KE_ECQ), key_len(k, KE_ECQ));
        return;
    }
    derw_begin(w, DER_SEQUENCE);
    derw_uint(w, key_elem(k, KE_N), key_len(k, KE_N));
    derw_uint(w, key_elem(k, KE_E), key_len(k, KE_E));
    derw_end(w);
}

void xw_spki(struct der_writer *w, const struct crypto_key *k)
{
    derw_begin(w, DER_SEQUENCE);
    derw_begin(w, DER_SEQUENCE);
    if (key_is_ec(k)) {
        derw_oid(w, OID_EC_PUBKEY, sizeof OID_EC_PUBKEY);
        curve_oid(w, key_curve(k));
    } else {
        derw_oid(w, OID_RSA, sizeof OID_RSA);
        derw_null(w);
    }
    derw_end(w);
    derw_begin(w, DER_BIT_STRING);
    derw_raw(w, "", 1);
    pubkey_bits(w, k);
    derw_end(w);
    derw_end(w);
}

int crypto_key_spki(const struct crypto_key *k, uint8_t *der, size_t cap, size_t *len)
{
    struct der_writer w;
    derw_init(&w, der, cap);
    xw_spki(&w, k);
    return derw_finish(&w, len);
}

int xw_key_id(const struct crypto_key *k, uint8_t id[20])
{
    uint8_t tmp[1100], hash[32]; /* RSA-4096 RSAPublicKey is about 530 bytes */
    struct der_writer w;
    size_t n;

    derw_init(&w, tmp, sizeof tmp);
    pubkey_bits(&w, k);
    if (derw_finish(&w, &n) != 0) return -1;
    crypto_sha256(tmp, n, hash);
    memcpy(id, hash, 20);
    return 0;
}

void xw_sig_alg(struct der_writer *w, const struct crypto_key *k)
{
    derw_begin(w, DER_SEQUENCE);
    if (key_is_ec(k)) {
        uint8_t oid[sizeof OID_ECDSA_SHA];
        memcpy(oid, OID_ECDSA_SHA, sizeof oid);
        oid[sizeof oid - 1] = k->type == KEY_EC384 ? 0x03 : k->type == KEY_EC521 ? 0x04 : 0x02;
        derw_oid(w, oid, sizeof oid);
    } else {
        derw_oid(w, OID_SHA256_RSA, sizeof OID_SHA256_RSA);
        derw_null(w);
    }
    derw_end(w);
}

void xw_name_cn(struct der_writer *w, const char *cn)
{
    derw_begin(w, DER_SEQUENCE);
    if (cn != NULL) {
        derw_begin(w, DER_SET);
        derw_begin(w, DER_SEQUENCE);
        derw_oid(w, OID_CN, sizeof OID_CN);
        derw_tlv(w, DER_UTF8STRING, cn, strlen(cn));
        derw_end(w);
        derw_end(w);
    }
    derw_end(w);
}

int xw_cn_ok(const char *name)
{
    uint8_t ip[16];
    return strlen(name) <= CN_MAX && ipaddr_parse(name, strlen(name), ip) == 0;
}

static int dns_char_ok(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '*' || c == '_';
}

int xw_check_names(const char *const *names, size_t n)
{
    size_t i, j;

    if (n == 0) return err_set(ACME_ECONFIG, "no names for the certificate");
    if (n > CONFIG_MAX_NAMES)
        return err_set(ACME_ECONFIG, "%zu names exceed the limit of CONFIG_MAX_NAMES (%d)", n,
                       CONFIG_MAX_NAMES);
    for (i = 0; i < n; i++) {
        const char *s = names[i];
        uint8_t ip[16];
        size_t len = strlen(s);
        if (len == 0) return err_set(ACME_ECONFIG, "empty name for the certificate");
        if (len > CONFIG_MAX_NAME_LEN)
            return err_set(ACME_ECONFIG,
                           "name of %zu characters exceeds CONFIG_MAX_NAME_LEN (%d): %.40s...", len,
                           CONFIG_MAX_NAME_LEN, s);
        if (ipaddr_parse(s, len, ip) != 0) continue;
        for (j = 0; j < len; j++)
            if (!dns_char_ok((unsigned char)s[j]))
                return err_set(ACME_ECONFIG, "invalid character in DNS name '%s'", s);
    }
    return 0;
}

void xw_ext_san(struct der_writer *w, const char *const *names, size_t n, int critical)
{
    size_t i;

    derw_begin(w, DER_SEQUENCE);
    derw_oid(w, OID_SAN, sizeof OID_SAN);
    if (critical) derw_bool(w, 1);
    derw_begin(w, DER_OCTET_STRING);
    derw_begin(w, DER_SEQUENCE);
    for (i = 0; i < n; i++) {
        uint8_t ip[16];
        int iplen = ipaddr_parse(names[i], strlen(names[i]), ip);
        if (iplen != 0)
            derw_tlv(w, DER_CTX(7), ip, (size_t)iplen);
        else
            derw_tlv(w, DER_CTX(2), names[i], strlen(names[i]));
    }
    derw_end(w);
    derw_end(w);
    derw_end(w);
}

int xw_sign_close(struct der_writer *w, const struct crypto_key *k, size_t tbs_off)
{
    uint8_t sig[SIG_MAX];
    size_t siglen;

    if (w->overflow || w->invalid != NULL || w->unbalanced || w->depth != 1) {
        derw_finish(w, &siglen); /* sets the error that says what went wrong */
        return -1;
    }
    if (x509_sign(k, w->p + tbs_off, w->len - tbs_off, sig, sizeof sig, &siglen) != 0) return -1;
    xw_sig_alg(w, k);
    derw_begin(w, DER_BIT_STRING);
    derw_raw(w, "", 1);
    derw_raw(w, sig, siglen);
    derw_end(w);
    derw_end(w);
    return 0;
}
