/* The certificate key and CSR of an issuance (see cert_key.h). */
#include "cert_key.h"

#include <string.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "sys.h"

static unsigned char storage[CERT_KEY_PEM_MAX];

int cert_key_new(struct crypto_key *k, enum key_type type, const char **pem, size_t *pem_len)
{
    struct buf b;
    log_v("generating a %s certificate key", key_type_name(type));
    buf_init(&b, storage, sizeof storage);
    if (crypto_key_generate(k, type) < 0 || crypto_key_write_pem(k, &b) < 0 ||
        buf_check(&b, "certificate key") < 0)
        return err_recode(ACME_ELOCAL);
    *pem = (const char *)storage;
    *pem_len = b.len;
    return 0;
}

int cert_key_csr(const struct acme_config *cfg, struct arena *a, struct crypto_key *k,
                 const char **pem, size_t *pem_len, uint8_t *csr, size_t *csr_len)
{
    struct csr_opts o;
    char *text;
    size_t len;
    int missing = 0, rc;

    *pem = NULL;
    *pem_len = 0;
    if (cfg->reuse_key &&
        file_read(cfg->key_file, a, &text, &len, CERT_KEY_PEM_MAX, &missing) == 0) {
        rc = crypto_key_load_pem(k, text, len, cfg->key_file);
        memset(text, 0, len);
        if (rc < 0) return err_recode(ACME_ELOCAL);
        log_v("reusing the certificate key %s (reuse_key)", cfg->key_file);
    } else {
        if (cfg->reuse_key && !missing) return err_recode(ACME_ELOCAL);
        err_clear();
        if (cert_key_new(k, cfg->key_type, pem, pem_len) < 0) return -1;
    }
    memset(&o, 0, sizeof o);
    o.names = cfg->domains;
    o.n = cfg->n_domains;
    o.no_cn = !cfg->csr_cn;
    o.must_staple = cfg->must_staple;
    return crypto_csr(k, &o, csr, CERT_CSR_MAX, csr_len);
}

void cert_key_wipe(struct crypto_key *k)
{
    memset(storage, 0, sizeof storage);
    crypto_key_wipe(k);
}
