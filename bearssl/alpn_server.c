/* The TLS side of the TLS-ALPN-01 responder (core/alpn.h): one BearSSL server handshake per
 * connection, TLS 1.2 with ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 only (as br_ssl_server_init_minf2g
 * but with our algorithm choices; the responder key is P-256). A policy wrapped around BearSSL's
 * single-EC policy picks the certificate by SNI and refuses ClientHellos without the acme-tls/1
 * protocol. */
#include "../core/build_config.h"

#if defined(CONFIG_TLSALPN01_RESPONDER)

#include <bearssl.h>
#include <stdint.h>
#include <string.h>

#include "../core/alpn.h"
#include "../core/err.h"
#include "crypto_int.h"

struct alpn_policy {
    const br_ssl_server_policy_class *vtable;
    br_ssl_server_policy_ec_context *inner; /* BearSSL's, inside the server context */
    const struct alpn_cert *certs;
    size_t n;
    br_x509_certificate chain;
    const char *chosen;
};

static struct alpn_policy *policy_of(const br_ssl_server_policy_class **pctx)
{
    return (struct alpn_policy *)(void *)(uintptr_t)pctx;
}

static int name_eq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        int x = *a >= 'A' && *a <= 'Z' ? *a - 'A' + 'a' : *a;
        int y = *b >= 'A' && *b <= 'Z' ? *b - 'A' + 'a' : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

static int pol_choose(const br_ssl_server_policy_class **pctx, const br_ssl_server_context *cc,
                      br_ssl_server_choices *choices)
{
    struct alpn_policy *p = policy_of(pctx);
    const char *sni = br_ssl_engine_get_server_name(&cc->eng);
    unsigned proto = cc->eng.selected_protocol;
    size_t i;

    /* 0: the client sent no ALPN; 0xFFFF: no common protocol */
    if (proto == 0 || proto == 0xFFFF) return 0;
    for (i = 0; i < p->n; i++) {
        if (!name_eq(sni, p->certs[i].sni)) continue;
        p->chain.data = (unsigned char *)(uintptr_t)p->certs[i].der;
        p->chain.data_len = p->certs[i].der_len;
        p->inner->chain = &p->chain;
        p->inner->chain_len = 1;
        p->chosen = p->certs[i].sni;
        return p->inner->vtable->choose(&p->inner->vtable, cc, choices);
    }
    return 0;
}

static uint32_t pol_keyx(const br_ssl_server_policy_class **pctx, unsigned char *data, size_t *len)
{
    struct alpn_policy *p = policy_of(pctx);
    return p->inner->vtable->do_keyx(&p->inner->vtable, data, len);
}

static size_t pol_sign(const br_ssl_server_policy_class **pctx, unsigned algo_id,
                       unsigned char *data, size_t hv_len, size_t len)
{
    struct alpn_policy *p = policy_of(pctx);
    return p->inner->vtable->do_sign(&p->inner->vtable, algo_id, data, hv_len, len);
}

static const br_ssl_server_policy_class policy_class = {
    sizeof(struct alpn_policy),
    pol_choose,
    pol_keyx,
    pol_sign,
};

int alpn_serve(const struct alpn_io *io, const struct alpn_cert *certs, size_t n,
               const struct crypto_key *key, const uint8_t seed[32], const char **chosen)
{
    static br_ssl_server_context sc;
    static unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
    static const char *protos[] = {ALPN_PROTOCOL};
    static const uint16_t suites[] = {BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    static struct alpn_policy pol;
    br_ec_private_key sk;
    br_ec_public_key pk;
    br_x509_certificate first;
    int done = 0, closing = 0;

    *chosen = NULL;
    if (n == 0 || key->type != KEY_EC256) return err_set(ACME_ELOCAL, "tls-alpn-01: no P-256 key");
    key_ec_views(key, &sk, &pk);
    first.data = (unsigned char *)(uintptr_t)certs[0].der;
    first.data_len = certs[0].der_len;
    /* br_ssl_server_init_minf2g() with our EC and AES choices (crypto_int.h) */
    br_ssl_server_zero(&sc);
    br_ssl_engine_set_versions(&sc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(&sc.eng, suites, 1);
    br_ssl_engine_set_ec(&sc.eng, &ec_acme);
    br_ssl_server_set_single_ec(&sc, &first, 1, &sk, BR_KEYTYPE_SIGN, 0, &ec_acme,
                                br_ecdsa_i31_sign_asn1);
    br_ssl_engine_set_hash(&sc.eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_prf_sha256(&sc.eng, &br_tls12_sha256_prf);
    tls_set_aes_gcm(&sc.eng);
    br_ssl_engine_set_protocol_names(&sc.eng, protos, 1);
    br_ssl_engine_add_flags(&sc.eng, BR_OPT_FAIL_ON_ALPN_MISMATCH);
    memset(&pol, 0, sizeof pol);
    pol.vtable = &policy_class;
    pol.inner = &sc.chain_handler.single_ec;
    pol.certs = certs;
    pol.n = n;
    br_ssl_server_set_policy(&sc, &pol.vtable);
    br_ssl_engine_set_buffer(&sc.eng, iobuf, sizeof iobuf, 0);
    br_ssl_engine_inject_entropy(&sc.eng, seed, 32);
    if (!br_ssl_server_reset(&sc)) return err_set(ACME_ELOCAL, "tls-alpn-01: TLS server reset");

    for (;;) {
        unsigned st = br_ssl_engine_current_state(&sc.eng);
        unsigned char *b;
        size_t len;
        long r;
        if (st & BR_SSL_CLOSED) break;
        if (st & BR_SSL_SENDREC) {
            b = br_ssl_engine_sendrec_buf(&sc.eng, &len);
            if ((r = io->write(io->ctx, b, len)) <= 0) break;
            br_ssl_engine_sendrec_ack(&sc.eng, (size_t)r);
            continue;
        }
        if ((st & BR_SSL_SENDAPP) && !closing) {
            /* handshake complete: the validation only looks at the certificate */
            done = 1;
            closing = 1;
            br_ssl_engine_close(&sc.eng);
            continue;
        }
        if (st & BR_SSL_RECVAPP) {
            b = br_ssl_engine_recvapp_buf(&sc.eng, &len);
            br_ssl_engine_recvapp_ack(&sc.eng, len); /* nothing is served: discarded */
            continue;
        }
        if (st & BR_SSL_RECVREC) {
            b = br_ssl_engine_recvrec_buf(&sc.eng, &len);
            if ((r = io->read(io->ctx, b, len)) <= 0) break;
            br_ssl_engine_recvrec_ack(&sc.eng, (size_t)r);
            continue;
        }
        break;
    }
    if (done) *chosen = pol.chosen;
    return done;
}

#endif /* CONFIG_TLSALPN01_RESPONDER */
