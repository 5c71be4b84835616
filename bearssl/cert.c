/* X.509 v3 certificates (RFC 5280): self-signed ones for tls-alpn-01 and the fallback
 * certificate, and CA-signed ones for tests. */
#include <string.h>

#include "crypto_int.h"
#include "err.h"
#include "x509.h"

static const uint8_t OID_BASIC_CONSTRAINTS[] = {0x55, 0x1d, 0x13};
static const uint8_t OID_KEY_USAGE[] = {0x55, 0x1d, 0x0f};
static const uint8_t OID_EXT_KEY_USAGE[] = {0x55, 0x1d, 0x25};
static const uint8_t OID_SERVER_AUTH[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
static const uint8_t OID_SKI[] = {0x55, 0x1d, 0x0e};
static const uint8_t OID_AKI[] = {0x55, 0x1d, 0x23};

static void ext_begin(struct der_writer *w, const uint8_t *oid, size_t n, int critical)
{
    derw_begin(w, DER_SEQUENCE);
    derw_oid(w, oid, n);
    if (critical) derw_bool(w, 1);
    derw_begin(w, DER_OCTET_STRING);
}

static void ext_end(struct der_writer *w)
{
    derw_end(w);
    derw_end(w);
}

/* keyUsage bits (RFC 5280 4.2.1.3), as BIT STRING contents: unused bits, then the byte. */
static void key_usage(struct der_writer *w, const struct crypto_key *k, int is_ca)
{
    uint8_t ku[2];
    if (is_ca) {
        ku[0] = 1; /* digitalSignature, keyCertSign, cRLSign */
        ku[1] = 0x86;
    } else if (key_is_ec(k)) {
        ku[0] = 7; /* digitalSignature */
        ku[1] = 0x80;
    } else {
        ku[0] = 5; /* digitalSignature, keyEncipherment */
        ku[1] = 0xa0;
    }
    ext_begin(w, OID_KEY_USAGE, sizeof OID_KEY_USAGE, 1);
    derw_tlv(w, DER_BIT_STRING, ku, 2);
    ext_end(w);
}

int crypto_cert(const struct crypto_key *subject_key, const struct cert_opts *o, uint8_t *der,
                size_t cap, size_t *len)
{
    const struct crypto_key *signer = o->issuer_key ? o->issuer_key : subject_key;
    /* As in CSRs: a name that cannot be a CN (over 64 characters, an IP) stays SAN-only. */
    const char *cn = o->cn != NULL && xw_cn_ok(o->cn) ? o->cn : NULL;
    struct x509_info issuer = {0};
    struct der_writer w;
    uint8_t serial[16], ski[20], aki[X509_KEYID_MAX];
    size_t tbs, aki_len = 20;

    if (crypto_jws_alg(subject_key) == NULL || crypto_jws_alg(signer) == NULL)
        return err_set(ACME_ELOCAL, "certificate: no key");
    if (o->n > 0 && xw_check_names(o->names, o->n) != 0) return err_prefix("certificate");
    if (o->n == 0 && cn == NULL)
        return err_set(ACME_ECONFIG, "certificate: neither names nor a common name");
    if (o->issuer_key != NULL) {
        int m;
        if (o->issuer_der == NULL || x509_parse(o->issuer_der, o->issuer_len, &issuer) != 0)
            return err_set(ACME_ELOCAL, "certificate: the issuer certificate is missing or "
                                        "malformed");
        m = crypto_cert_matches_key(o->issuer_der, o->issuer_len, o->issuer_key);
        if (m <= 0)
            return m < 0 ? -1
                         : err_set(ACME_ELOCAL,
                                   "certificate: the issuer key does not match the issuer "
                                   "certificate");
    }
    if (xw_key_id(subject_key, ski) != 0) return err_prefix("certificate");
    if (o->issuer_key == NULL) {
        memcpy(aki, ski, 20);
    } else if (issuer.ski_len > 0) {
        memcpy(aki, issuer.ski, issuer.ski_len);
        aki_len = issuer.ski_len;
    } else if (xw_key_id(o->issuer_key, aki) != 0) {
        return err_prefix("certificate");
    }
    if (crypto_random(serial, sizeof serial) != 0) return err_prefix("certificate serial number");
    serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40); /* positive, 16 bytes, never zero */

    derw_init(&w, der, cap);
    derw_begin(&w, DER_SEQUENCE);
    tbs = w.len;
    derw_begin(&w, DER_SEQUENCE); /* TBSCertificate */
    derw_begin(&w, DER_CTX_CONS(0));
    derw_small_int(&w, 2); /* v3 */
    derw_end(&w);
    derw_uint(&w, serial, sizeof serial);
    xw_sig_alg(&w, signer);
    if (o->issuer_key != NULL)
        derw_raw(&w, issuer.subject_name, issuer.subject_name_len);
    else
        xw_name_cn(&w, cn);
    derw_begin(&w, DER_SEQUENCE);
    derw_time(&w, o->not_before);
    derw_time(&w, o->not_after);
    derw_end(&w);
    xw_name_cn(&w, cn);
    xw_spki(&w, subject_key);
    derw_begin(&w, DER_CTX_CONS(3));
    derw_begin(&w, DER_SEQUENCE);
    ext_begin(&w, OID_BASIC_CONSTRAINTS, sizeof OID_BASIC_CONSTRAINTS, 1);
    derw_begin(&w, DER_SEQUENCE);
    if (o->is_ca) derw_bool(&w, 1);
    derw_end(&w);
    ext_end(&w);
    key_usage(&w, subject_key, o->is_ca);
    if (!o->is_ca) {
        ext_begin(&w, OID_EXT_KEY_USAGE, sizeof OID_EXT_KEY_USAGE, 0);
        derw_begin(&w, DER_SEQUENCE);
        derw_oid(&w, OID_SERVER_AUTH, sizeof OID_SERVER_AUTH);
        derw_end(&w);
        ext_end(&w);
    }
    ext_begin(&w, OID_SKI, sizeof OID_SKI, 0);
    derw_tlv(&w, DER_OCTET_STRING, ski, sizeof ski);
    ext_end(&w);
    ext_begin(&w, OID_AKI, sizeof OID_AKI, 0);
    derw_begin(&w, DER_SEQUENCE);
    derw_tlv(&w, DER_CTX(0), aki, aki_len);
    derw_end(&w);
    ext_end(&w);
    if (o->n > 0) xw_ext_san(&w, o->names, o->n, cn == NULL);
    if (o->extra_ext_len > 0) derw_raw(&w, o->extra_ext, o->extra_ext_len);
    derw_end(&w);
    derw_end(&w);
    derw_end(&w); /* TBSCertificate */
    if (xw_sign_close(&w, signer, tbs) != 0 || derw_finish(&w, len) != 0)
        return err_prefix("certificate");
    return 0;
}

int crypto_cert_matches_key(const uint8_t *cert_der, size_t n, const struct crypto_key *k)
{
    struct x509_info info;
    struct x509_pubkey pk;

    if (x509_parse(cert_der, n, &info) != 0 || x509_spki_key(info.spki, info.spki_len, &pk) != 0)
        return -1;
    if (key_is_ec(k))
        return pk.type == X509_KEY_EC && pk.curve == (int)k->type &&
               pk.q_len == key_len(k, KE_ECQ) && memcmp(pk.q, key_elem(k, KE_ECQ), pk.q_len) == 0;
    return pk.type == X509_KEY_RSA && crypto_jws_alg(k) != NULL && pk.n_len == key_len(k, KE_N) &&
           memcmp(pk.n, key_elem(k, KE_N), pk.n_len) == 0 && pk.e_len == key_len(k, KE_E) &&
           memcmp(pk.e, key_elem(k, KE_E), pk.e_len) == 0;
}
