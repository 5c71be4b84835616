/* `acme revoke [--reason N] [--cert FILE] [--key FILE]` (RFC 8555 7.6): signed with the
 * account key, or, with --key, with the certificate's own key (a JWS carrying that key's
 * "jwk"), which works without the account. The revoked certificate file is then renamed to
 * "<file>.revoked-YYYYMMDD-HHMMSS": kept for the record, and the next run issues a new one. */
#include <stdlib.h>
#include <string.h>

#include "acme.h"
#include "arena.h"
#include "base64.h"
#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "install.h"
#include "log.h"
#include "pem.h"
#include "session.h"
#include "sys.h"

#define CERT_FILE_MAX (256 * 1024)
#define CERT_DER_MAX 8192
#define KEY_PEM_MAX 16384

/* CRLReason codes a subscriber may use (RFC 5280 5.3.1; 2, 3 and 7 are for CAs, 8 is gone). */
static int reason_ok(long r)
{
    return r == 0 || r == 1 || r == 3 || r == 4 || r == 5 || r == 9 || r == 10;
}

static int load_key(const char *path, struct crypto_key *k, struct arena *a)
{
    char *text;
    size_t len;
    int rc;
    if (file_read(path, a, &text, &len, KEY_PEM_MAX, NULL) < 0) return err_recode(ACME_ECONFIG);
    rc = crypto_key_load_pem(k, text, len, path);
    memset(text, 0, len);
    return rc < 0 ? err_recode(ACME_ECONFIG) : 0;
}

int cmd_revoke(const struct acme_config *cfg, const struct cli *cl)
{
    static uint8_t der[CERT_DER_MAX];
    static unsigned char body[CERT_DER_MAX * 2];
    static struct crypto_key cert_key;
    struct arena *a = run_arena();
    const char *cert = cfg->cert_file, *key = NULL, *reason = NULL, *aside;
    struct session *s;
    struct json_writer w;
    struct buf b;
    char *text, *b64, stamp[16];
    size_t i, len, pos = 0, der_len, cap;
    long rcode = -1;
    int r;

    for (i = 0; i < cl->n_args; i++) {
        if ((r = cmd_opt_value(cl, &i, "--reason", &reason)) != 0 ||
            (r = cmd_opt_value(cl, &i, "--cert", &cert)) != 0 ||
            (r = cmd_opt_value(cl, &i, "--key", &key)) != 0) {
            if (r < 0) return -1;
            continue;
        }
        return err_set(ACME_ECONFIG, "revoke: unknown argument '%s'", cl->args[i]);
    }
    if (reason != NULL) {
        const char *end = reason; /* digits only (no libc strtol: it links musl's intscan) */
        for (rcode = 0; *end >= '0' && *end <= '9' && rcode < 100; end++)
            rcode = rcode * 10 + (*end - '0');
        if (*reason == '\0' || *end != '\0' || !reason_ok(rcode))
            return err_set(ACME_ECONFIG,
                           "revoke: --reason %s: use 0 (unspecified), 1 (keyCompromise), 3 "
                           "(affiliationChanged), 4 (superseded), 5 (cessationOfOperation), 9 "
                           "(privilegeWithdrawn) or 10 (aACompromise)",
                           reason);
    }
    if (file_read(cert, a, &text, &len, CERT_FILE_MAX, NULL) < 0) return err_recode(ACME_ECONFIG);
    r = pem_next(text, len, &pos, "CERTIFICATE", NULL, der, sizeof der, &der_len);
    if (r <= 0)
        return r == 0 ? err_set(ACME_ECONFIG, "revoke: %s holds no certificate", cert)
                      : err_recode(ACME_ECONFIG);
    if (key != NULL) {
        if (load_key(key, &cert_key, a) < 0) return -1;
        r = crypto_cert_matches_key(der, der_len, &cert_key);
        if (r <= 0) {
            crypto_key_wipe(&cert_key);
            return r < 0 ? err_recode(ACME_ECONFIG)
                         : err_set(ACME_ECONFIG, "revoke: %s is not the key of %s", key, cert);
        }
    }

    cap = b64_encoded_len(der_len, B64_URL) + 1;
    if ((b64 = arena_alloc(a, cap, "revocation request")) == NULL ||
        b64_encode(b64, cap, der, der_len, B64_URL) < 0)
        return -1;
    buf_init(&b, body, sizeof body);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_key(&w, "certificate");
    jw_str(&w, b64);
    if (rcode >= 0) {
        jw_key(&w, "reason");
        jw_int(&w, rcode);
    }
    jw_obj_end(&w);
    if (buf_check(&b, "revocation request") < 0) return -1;

    if (key == NULL) {
        /* Revoking must not create an account as a side effect. */
        const char *ak = arena_printf(a, "path", "%s/" ACME_ACCOUNT_KEY_FILE, cfg->state_dir);
        if (ak == NULL) return -1;
        if (!file_exists(ak))
            return err_set(ACME_ECONFIG,
                           "revoke: no account key at %s; the certificate's own key can "
                           "revoke it: --key FILE",
                           ak);
    }
    s = session_open(cfg, a, key != NULL ? SESSION_DIRECTORY : SESSION_ACCOUNT);
    if (s == NULL) goto fail;
    if (s->c.dir.revoke_cert == NULL) {
        err_set(ACME_EREFUSED, "the CA's directory has no revokeCert");
        goto fail;
    }
    if (key != NULL) {
        /* Sign with the certificate key: acme_post signs with c->account_key, "jwk" header. */
        memcpy(&s->c.account_key, &cert_key, sizeof cert_key);
        crypto_key_wipe(&cert_key);
    }
    if (acme_post(&s->c, s->c.dir.revoke_cert, buf_cstr(&b), key != NULL, "revoking") < 0)
        goto fail;
    session_close(s);

    install_datestamp(sys_now(), stamp);
    if ((aside = arena_printf(a, "path", "%s.revoked-%s", cert, stamp)) == NULL) return -1;
    /* The configured path is usually a symlink into the live version (core/install.c):
     * keep a copy of the revoked certificate's content, then drop the path, so the next run
     * issues a new certificate and the aside copy keeps showing the revoked one. */
    if (file_write_atomic(aside, text, len, 0644) < 0 || file_remove(cert) < 0) {
        err_prefix("the certificate is revoked, but");
        return err_recode(ACME_ELOCAL);
    }
    log_info("revoked the certificate in %s (moved to %s)", cert, aside);
    return 0;
fail:
    crypto_key_wipe(&cert_key);
    session_close(s);
    return -1;
}
