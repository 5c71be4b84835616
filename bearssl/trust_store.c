/* Decodes the trust anchor certificates of ca_file (see trust_store.h) with core/x509.c: the
 * subject DN and the public key of each are copied into one static pool. The built-in anchors
 * need none of that: ci/gen/trust_anchors.sh decoded them at build time. */
#include "../core/build_config.h"

#ifndef CONFIG_TLS_MBEDTLS

#include "trust_store.h"

#include <stdio.h>
#include <string.h>

#include "../core/err.h"
#include "../core/log.h"
#include "../core/x509.h"
#include "../platform/tls_common.h"
#include "chain_verify.h"
#include "fmt.h"

static br_x509_trust_anchor anchors[CONFIG_TRUST_ANCHORS_MAX];
static unsigned char pool[CONFIG_TRUST_STORE_SIZE];

static struct {
    const br_x509_trust_anchor *table; /* anchors[] or acme_builtin_anchors */
    size_t n;                          /* anchors */
    size_t used;                       /* bytes of names and keys (of pool for ca_file) */
    size_t skipped;                    /* certificates BearSSL cannot use as anchors */
    int loaded;                        /* for loaded_path */
    char loaded_path[512];
    char source[320];
} ts;

/* The error for a full anchor table or pool. */
static int too_many(int limit, const char *what, const char *option)
{
    return err_set(ACME_ELOCAL, "more than %d %s (%s); use a smaller ca_file or raise the option",
                   limit, what, option);
}

static int add_anchor(void *ctx, const uint8_t *der, size_t len)
{
    br_x509_trust_anchor *ta = &anchors[ts.n];
    struct x509_info x;
    struct x509_pubkey pk;
    const char *why = NULL;
    size_t keylen = 0, need;
    unsigned char *p;

    (void)ctx;
    if (ts.n == CONFIG_TRUST_ANCHORS_MAX)
        return too_many(CONFIG_TRUST_ANCHORS_MAX, "trust anchors", "CONFIG_TRUST_ANCHORS_MAX");
    if (x509_parse(der, len, &x) != 0 || x509_spki_key(x.spki, x.spki_len, &pk) != 0)
        why = err_msg();
    else if (pk.type == 0)
        why = "its key is neither RSA nor EC on P-256/384/521";
    else if ((keylen = pk.n_len + pk.e_len + pk.q_len) > BR_X509_BUFSIZE_KEY)
        why = "its key is too large";
    if (why != NULL) {
        /* e.g. an Ed25519 or DSA root: not usable by this client, not an error. */
        log_vv("skipping a trust anchor certificate BearSSL cannot use: %s", why);
        err_clear();
        ts.skipped++;
        return 0;
    }
    need = x.subject_name_len + keylen;
    if (need > sizeof pool - ts.used)
        return too_many(CONFIG_TRUST_STORE_SIZE, "bytes of trust anchors",
                        "CONFIG_TRUST_STORE_SIZE");
    /* The pool holds the DN (the whole Name TLV, as BearSSL compares it), then the key. */
    p = pool + ts.used;
    ts.used += need;
    ta->dn.data = memcpy(p, x.subject_name, x.subject_name_len);
    ta->dn.len = x.subject_name_len;
    ta->flags = x.is_ca ? BR_X509_TA_CA : 0;
    p += x.subject_name_len;
    if (pk.type == X509_KEY_RSA) {
        pk.n = memcpy(p, pk.n, pk.n_len);
        pk.e = memcpy(p + pk.n_len, pk.e, pk.e_len);
    } else {
        pk.q = memcpy(p, pk.q, pk.q_len);
    }
    chain_br_pkey(&pk, &ta->pkey); /* pointing into the pool */
    ts.n++;
    return 0;
}

int trust_store_load(const char *ca_file, const br_x509_trust_anchor **out, size_t *n,
                     const char **source)
{
    const char *path = ca_file != NULL && *ca_file != '\0' ? ca_file : TLS_DEFAULT_CA_FILE;
    const char *src = NULL;
    int certs;

    if (!ts.loaded || strcmp(ts.loaded_path, path) != 0) {
        ts.loaded = 0;
        ts.n = ts.used = ts.skipped = 0;
        ts.table = anchors;
        certs = tls_each_trust_cert(path, add_anchor, NULL, &src);
        if (certs < 0) return -1;
        if (certs == 0) { /* ca_file does not exist: the built-in anchors */
            ts.table = acme_builtin_anchors;
            ts.n = acme_builtin_anchor_count;
            ts.used = acme_builtin_anchor_bytes;
        }
        if (ts.n == 0)
            return err_set(ACME_ELOCAL, "%s: no certificate usable as a trust anchor", src);
        fmt_snprintf(ts.source, sizeof ts.source, "%s", src);
        log_vv("%zu trust anchors (%zu bytes; %zu unusable certificates skipped) from %s", ts.n,
               ts.used, ts.skipped, ts.source);
        if (strlen(path) < sizeof ts.loaded_path) { /* longer paths are simply reloaded */
            strcpy(ts.loaded_path, path);
            ts.loaded = 1;
        }
    }
    *out = ts.table;
    *n = ts.n;
    *source = ts.source;
    return 0;
}

#endif
