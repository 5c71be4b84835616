/* Decodes trust anchor certificates (see trust_store.h) with BearSSL's X.509 decoder: the
 * subject DN and the public key of each are copied into one static pool. */
#include "../core/build_config.h"

#ifndef CONFIG_TLS_MBEDTLS

#include "trust_store.h"

#include <stdio.h>
#include <string.h>

#include "../core/err.h"
#include "../core/log.h"
#include "../platform/tls_common.h"
#include "fmt.h"

static br_x509_trust_anchor anchors[CONFIG_TRUST_ANCHORS_MAX];
static unsigned char pool[CONFIG_TRUST_STORE_SIZE];

static struct {
    size_t n;       /* anchors */
    size_t used;    /* bytes of pool */
    size_t skipped; /* certificates BearSSL cannot use as anchors */
    int loaded;     /* for loaded_path */
    char loaded_path[512];
    char source[320];
    int dn_overflow;
    unsigned char *dn; /* the DN being copied */
    size_t dn_len;
} ts;

static br_x509_decoder_context dc;

static void *pool_take(size_t n)
{
    void *p;

    if (n > sizeof pool - ts.used) return NULL;
    p = pool + ts.used;
    ts.used += n;
    return p;
}

static void append_dn(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    if (ts.dn_overflow || len > sizeof pool - ts.used) {
        ts.dn_overflow = 1;
        return;
    }
    memcpy(pool + ts.used, buf, len);
    ts.used += len;
    ts.dn_len += len;
}

static int pool_full(void)
{
    return err_set(ACME_ELOCAL,
                   "the trust anchors do not fit in %d bytes (CONFIG_TRUST_STORE_SIZE); use a "
                   "smaller ca_file or raise the option",
                   CONFIG_TRUST_STORE_SIZE);
}

static int add_anchor(void *ctx, const uint8_t *der, size_t len)
{
    br_x509_trust_anchor *ta;
    br_x509_pkey *pk;
    size_t mark = ts.used;
    unsigned char *a, *b;

    (void)ctx;
    if (ts.n == CONFIG_TRUST_ANCHORS_MAX)
        return err_set(ACME_ELOCAL,
                       "more than %d trust anchors (CONFIG_TRUST_ANCHORS_MAX); use a smaller "
                       "ca_file or raise the option",
                       CONFIG_TRUST_ANCHORS_MAX);
    ts.dn_overflow = 0;
    ts.dn = pool + ts.used;
    ts.dn_len = 0;
    br_x509_decoder_init(&dc, append_dn, NULL);
    br_x509_decoder_push(&dc, der, len);
    if (ts.dn_overflow) return pool_full();
    pk = br_x509_decoder_get_pkey(&dc);
    if (pk == NULL) {
        /* e.g. an Ed25519 or DSA root: not usable by this client, not an error. */
        log_vv("skipping a trust anchor certificate BearSSL cannot use (X.509 error %d)",
               br_x509_decoder_last_error(&dc));
        ts.used = mark;
        ts.skipped++;
        return 0;
    }
    ta = &anchors[ts.n];
    memset(ta, 0, sizeof *ta);
    ta->dn.data = ts.dn;
    ta->dn.len = ts.dn_len;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey.key_type = pk->key_type;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        a = pool_take(pk->key.rsa.nlen);
        b = pool_take(pk->key.rsa.elen);
        if (a == NULL || b == NULL) return pool_full();
        memcpy(a, pk->key.rsa.n, pk->key.rsa.nlen);
        memcpy(b, pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.n = a;
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta->pkey.key.rsa.e = b;
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
    } else {
        a = pool_take(pk->key.ec.qlen);
        if (a == NULL) return pool_full();
        memcpy(a, pk->key.ec.q, pk->key.ec.qlen);
        ta->pkey.key.ec.curve = pk->key.ec.curve;
        ta->pkey.key.ec.q = a;
        ta->pkey.key.ec.qlen = pk->key.ec.qlen;
    }
    ts.n++;
    return 0;
}

int trust_store_load(const char *ca_file, const br_x509_trust_anchor **out, size_t *n,
                     const char **source)
{
    const char *path = ca_file != NULL && *ca_file != '\0' ? ca_file : TLS_DEFAULT_CA_FILE;
    const char *src = NULL;

    if (!ts.loaded || strcmp(ts.loaded_path, path) != 0) {
        ts.loaded = 0;
        ts.n = ts.used = ts.skipped = 0;
        if (tls_each_trust_cert(path, add_anchor, NULL, &src) < 0) {
            ts.n = ts.used = 0;
            return -1;
        }
        if (ts.n == 0)
            return err_set(ACME_ELOCAL, "%s: no certificate usable as a trust anchor", src);
        fmt_snprintf(ts.source, sizeof ts.source, "%s", src);
        log_vv("%zu trust anchors (%zu bytes) from %s%s", ts.n, ts.used, ts.source,
               ts.skipped ? ", some unusable certificates skipped" : "");
        if (strlen(path) < sizeof ts.loaded_path) { /* longer paths are simply reloaded */
            strcpy(ts.loaded_path, path);
            ts.loaded = 1;
        }
    }
    *out = anchors;
    *n = ts.n;
    *source = ts.source;
    return 0;
}

#endif
