/* PKCS#10 certificate signing requests (RFC 2986) for ACME finalize. */
#include <string.h>

#include "crypto_int.h"
#include "err.h"

static const uint8_t OID_EXT_REQUEST[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e};
static const uint8_t OID_TLS_FEATURE[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18};

int crypto_csr(const struct crypto_key *k, const struct csr_opts *o, uint8_t *der, size_t cap,
               size_t *len)
{
    struct der_writer w;
    const char *cn;
    size_t tbs;

    if (crypto_jws_alg(k) == NULL) return err_set(ACME_ELOCAL, "CSR: no key");
    if (xw_check_names(o->names, o->n) != 0) return err_prefix("CSR");
    cn = !o->no_cn && xw_cn_ok(o->names[0]) ? o->names[0] : NULL;

    derw_init(&w, der, cap);
    derw_begin(&w, DER_SEQUENCE);
    tbs = w.len;
    derw_begin(&w, DER_SEQUENCE); /* CertificationRequestInfo */
    derw_small_int(&w, 0);
    xw_name_cn(&w, cn);
    xw_spki(&w, k);
    derw_begin(&w, DER_CTX_CONS(0)); /* attributes */
    derw_begin(&w, DER_SEQUENCE);
    derw_oid(&w, OID_EXT_REQUEST, sizeof OID_EXT_REQUEST);
    derw_begin(&w, DER_SET);
    derw_begin(&w, DER_SEQUENCE); /* Extensions */
    xw_ext_san(&w, o->names, o->n, cn == NULL);
    if (o->must_staple) {
        /* TLS Feature (RFC 7633): SEQUENCE { INTEGER 5 (status_request) } */
        derw_begin(&w, DER_SEQUENCE);
        derw_oid(&w, OID_TLS_FEATURE, sizeof OID_TLS_FEATURE);
        derw_begin(&w, DER_OCTET_STRING);
        derw_begin(&w, DER_SEQUENCE);
        derw_small_int(&w, 5);
        derw_end(&w);
        derw_end(&w);
        derw_end(&w);
    }
    derw_end(&w);
    derw_end(&w);
    derw_end(&w);
    derw_end(&w);
    derw_end(&w); /* CertificationRequestInfo */
    if (xw_sign_close(&w, k, tbs) != 0 || derw_finish(&w, len) != 0) return err_prefix("CSR");
    return 0;
}
