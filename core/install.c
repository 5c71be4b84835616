/* Certificate check and installation. Every file is written with file_write_atomic() (temp,
 * fsync, rename, directory fsync), so a power cut leaves either the old or the new file. */
#include "install.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "pem.h"
#include "sys.h"
#include "x509.h"

#define CERT_DER_MAX 8192
#define CERT_FILE_MAX (256 * 1024)

struct chain {
    uint8_t *der[INSTALL_MAX_CHAIN];
    size_t len[INSTALL_MAX_CHAIN];
    size_t n;
};

static int chain_split(const char *pem, size_t len, struct chain *ch, struct arena *a)
{
    size_t pos = 0;
    int r;
    ch->n = 0;
    for (;;) {
        uint8_t *der = arena_alloc(a, CERT_DER_MAX, "reading the certificate chain");
        if (der == NULL) return -1;
        r = pem_next(pem, len, &pos, "CERTIFICATE", NULL, der, CERT_DER_MAX, &ch->len[ch->n]);
        if (r < 0) return err_prefix("certificate chain");
        if (r == 0) break;
        ch->der[ch->n++] = der;
        if (ch->n == INSTALL_MAX_CHAIN)
            return err_set(ACME_EREFUSED,
                           "certificate chain: more than %d certificates "
                           "(INSTALL_MAX_CHAIN)",
                           INSTALL_MAX_CHAIN);
    }
    if (ch->n == 0) return err_set(ACME_EREFUSED, "certificate chain: no CERTIFICATE block");
    return 0;
}

int install_check(const char *pem, size_t len, const struct crypto_key *key,
                  const char *const *names, size_t n, struct arena *a)
{
    struct chain ch;
    struct x509_info leaf, x;
    size_t i, mark = arena_mark(a);
    int r;

    if (chain_split(pem, len, &ch, a) < 0) goto fail;
    for (i = 0; i < ch.n; i++) {
        if (x509_parse(ch.der[i], ch.len[i], i == 0 ? &leaf : &x) < 0) {
            err_prefix("certificate %zu of the chain", i + 1);
            goto fail;
        }
    }
    r = crypto_cert_matches_key(ch.der[0], ch.len[0], key);
    if (r < 0) goto fail;
    if (r == 0) {
        err_set(ACME_EREFUSED, "the issued certificate is not for our certificate key");
        goto fail;
    }
    for (i = 0; i < n; i++) {
        if (!x509_has_name(&leaf, names[i])) {
            err_set(ACME_EREFUSED, "the issued certificate does not cover %s", names[i]);
            goto fail;
        }
    }
    arena_release(a, mark);
    return 0;
fail:
    arena_release(a, mark);
    return err_recode(err_status() == ACME_ELOCAL ? ACME_ELOCAL : ACME_EREFUSED);
}

int install_chain_top_issuer(const char *pem, size_t len, char *out, size_t cap, struct arena *a)
{
    struct chain ch;
    struct x509_info x;
    size_t mark = arena_mark(a);
    int rc = -1;
    if (chain_split(pem, len, &ch, a) == 0 &&
        x509_parse(ch.der[ch.n - 1], ch.len[ch.n - 1], &x) == 0) {
        if (strlen(x.issuer_cn) < cap) {
            memcpy(out, x.issuer_cn, strlen(x.issuer_cn) + 1);
            rc = 0;
        } else {
            err_set(ACME_EREFUSED, "issuer CN longer than %zu bytes", cap - 1);
        }
    }
    arena_release(a, mark);
    return rc;
}

/* Writes path unless it already holds exactly these bytes: 1 written, 0 unchanged, -1. */
static int write_file(const char *path, const void *p, size_t n, unsigned mode, struct arena *a)
{
    size_t mark = arena_mark(a), old_len = 0;
    char *old = NULL;
    int same = 0;

    if (file_read(path, a, &old, &old_len, n + 1, NULL) == 0)
        same = old_len == n && memcmp(old, p, n) == 0;
    if (old_len > 0 && same) memset(old, 0, old_len); /* may be a key */
    arena_release(a, mark);
    err_clear();
    if (same) {
        log_vv("%s unchanged", path);
        return 0;
    }
    if (file_write_atomic(path, p, n, mode) < 0) return err_recode(ACME_ELOCAL);
    log_v("wrote %s (%zu bytes)", path, n);
    return 1;
}

int install_links(const struct acme_config *c)
{
    const char *link[3] = {c->link_cert, c->link_key, c->link_fullchain};
    const char *target[3] = {c->cert_file, c->key_file, c->fullchain_file};
    char have[SYS_PATH_MAX];
    int i, changed = 0, r;

    for (i = 0; i < 3; i++) {
        if (link[i] == NULL) continue;
        r = file_link_state(link[i], have, sizeof have);
        if (r < 0) return -1;
        if (r == 1 && strcmp(have, target[i]) == 0) continue;
        if (r == 2) {
            log_warn("%s exists and is not a symlink: not replaced (remove it to have it "
                     "linked to %s)",
                     link[i], target[i]);
            continue;
        }
        if (file_symlink_atomic(target[i], link[i]) < 0) return err_recode(ACME_ELOCAL);
        log_v("linked %s -> %s", link[i], target[i]);
        changed++;
    }
    return changed;
}

int install_files(const struct acme_config *c, const char *key_pem, size_t key_len, const char *pem,
                  size_t len, struct arena *a)
{
    struct chain ch;
    struct buf leaf, rest;
    size_t i, mark = arena_mark(a), old_len, cap = len + 1024;
    char *old, *prev;
    int missing = 0, changed = 0, r;

    if (chain_split(pem, len, &ch, a) < 0) goto fail;
    {
        unsigned char *s1 = arena_alloc(a, cap, "writing the certificate");
        unsigned char *s2 = arena_alloc(a, cap, "writing the certificate");
        if (s1 == NULL || s2 == NULL) goto fail;
        buf_init(&leaf, s1, cap);
        buf_init(&rest, s2, cap);
    }
    pem_write(&leaf, "CERTIFICATE", ch.der[0], ch.len[0]);
    for (i = 1; i < ch.n; i++)
        pem_write(&rest, "CERTIFICATE", ch.der[i], ch.len[i]);
    if (buf_check(&leaf, "certificate") < 0 || buf_check(&rest, "chain") < 0) goto fail;

    /* Keep the previous certificate: a user can go back by hand if the new one misbehaves. */
    if (file_read(c->cert_file, a, &old, &old_len, CERT_FILE_MAX, &missing) == 0) {
        if (old_len != leaf.len || memcmp(old, leaf.p, leaf.len) != 0) {
            prev = arena_printf(a, "certificate path", "%s.prev", c->cert_file);
            if (prev == NULL || write_file(prev, old, old_len, 0644, a) < 0) goto fail;
        }
    } else if (!missing) {
        log_warn("%s", err_msg());
    }
    err_clear();

    /* Key first: a cert without its key is worse than a key without its cert. */
    if (key_pem != NULL) {
        if ((r = write_file(c->key_file, key_pem, key_len, 0600, a)) < 0) goto fail;
        changed += r;
    }
    if ((r = write_file(c->cert_file, leaf.p, leaf.len, 0644, a)) < 0) goto fail;
    changed += r;
    if ((r = write_file(c->chain_file, rest.p, rest.len, 0644, a)) < 0) goto fail;
    changed += r;
    {
        /* fullchain = leaf + chain in our normalised PEM */
        unsigned char *s3 = arena_alloc(a, leaf.len + rest.len + 1, "writing the certificate");
        if (s3 == NULL) goto fail;
        memcpy(s3, leaf.p, leaf.len);
        memcpy(s3 + leaf.len, rest.p, rest.len);
        if ((r = write_file(c->fullchain_file, s3, leaf.len + rest.len, 0644, a)) < 0) goto fail;
        changed += r;
    }
    if ((r = install_links(c)) < 0) goto fail;
    changed += r;
    arena_release(a, mark);
    return changed;
fail:
    arena_release(a, mark);
    return -1;
}

int install_x509_selfsigned(const struct x509_info *x)
{
    if (x->issuer_name_len != x->subject_name_len ||
        memcmp(x->issuer_name, x->subject_name, x->subject_name_len) != 0)
        return 0;
    if (x->aki_len == 0) return 1;
    return x->aki_len == x->ski_len && memcmp(x->aki, x->ski, x->ski_len) == 0;
}

int install_is_selfsigned(const uint8_t *der, size_t len)
{
    struct x509_info x;
    if (x509_parse(der, len, &x) < 0) return -1;
    return install_x509_selfsigned(&x);
}

void install_datestamp(int64_t t, char out[16])
{
    /* civil date from days since the epoch (H. Hinnant's algorithm); core/ has no OS calls */
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - days * 86400;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, 16, "%04u%02u%02u-%02u%02u%02u", (unsigned)(y + (m <= 2)) % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u, (unsigned)(secs / 3600) % 100u,
             (unsigned)(secs / 60 % 60) % 100u, (unsigned)(secs % 60) % 100u);
}

#define SELFSIGN_DER_MAX 8192
#define KEY_PEM_MAX 8192

int install_selfsigned(const struct acme_config *cfg, struct arena *a)
{
    static struct crypto_key key;
    static unsigned char key_storage[KEY_PEM_MAX];
    static uint8_t der[SELFSIGN_DER_MAX];
    struct cert_opts o;
    struct buf kb, cb;
    size_t der_len, mark = arena_mark(a), cap = SELFSIGN_DER_MAX * 2;
    int64_t now = sys_now();
    unsigned char *pem;
    int r = -1;

    if (cfg->n_domains == 0) return err_set(ACME_ECONFIG, "selfsign: no domains configured");
    if (dir_make(cfg->state_dir, 0700) < 0) return err_recode(ACME_ELOCAL);
    memset(&o, 0, sizeof o);
    o.names = cfg->domains;
    o.n = cfg->n_domains;
    o.cn = cfg->domains[0];
    o.not_before = now - 3600; /* tolerate clients whose clock is a little behind */
    o.not_after = now + (int64_t)(cfg->selfsign_days > 0 ? cfg->selfsign_days : 30) * 86400;
    buf_init(&kb, key_storage, sizeof key_storage);
    if (crypto_key_generate(&key, cfg->key_type) < 0 || crypto_key_write_pem(&key, &kb) < 0 ||
        buf_check(&kb, "certificate key") < 0 ||
        crypto_cert(&key, &o, der, sizeof der, &der_len) < 0) {
        err_recode(err_status() == ACME_ECONFIG ? ACME_ECONFIG : ACME_ELOCAL);
        goto out;
    }
    if ((pem = arena_alloc(a, cap, "self-signed certificate")) == NULL) goto out;
    buf_init(&cb, pem, cap);
    pem_write(&cb, "CERTIFICATE", der, der_len);
    if (buf_check(&cb, "self-signed certificate") < 0) goto out;
    if (install_files(cfg, (const char *)kb.p, kb.len, (const char *)cb.p, cb.len, a) < 0) goto out;
    log_info("installed a self-signed certificate for %s%s, valid for %d days", cfg->domains[0],
             cfg->n_domains > 1 ? " and more" : "",
             cfg->selfsign_days > 0 ? cfg->selfsign_days : 30);
    r = 0;
out:
    memset(key_storage, 0, sizeof key_storage);
    crypto_key_wipe(&key);
    arena_release(a, mark);
    return r;
}
