/* `acme revoke [--reason N] [--cert FILE] [--key FILE]` (RFC 8555 7.6): signed with the
 * account key, or, with --key, with the certificate's own key (a JWS carrying that key's
 * "jwk"), which works without the account. The revoked certificate file is then renamed to
 * "<file>.revoked-YYYYMMDD-HHMMSS": kept for the record, and the next run issues a new one. */
#include <stdlib.h>
#include <string.h>

#include "acme.h"
#include "arena.h"
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

/* CRLReason codes a subscriber may use, bit n for code n (RFC 5280 5.3.1: 0, 1, 3, 4, 5, 9,
 * 10; 2, 6 and 7 are for CAs, 8 is gone). */
#define REASONS_ALLOWED 0x63Bu

int cmd_revoke(const struct acme_config *cfg, const struct cli *cl)
{
    static uint8_t der[CERT_DER_MAX];
    static unsigned char body[CERT_DER_MAX * 2];
    static struct crypto_key cert_key;
    struct arena *a = run_arena();
    const char *cert = cfg->cert_file, *key = NULL, *reason = NULL, *aside;
    struct session *s = NULL;
    struct buf b;
    char *text, stamp[16];
    size_t i, len, pos = 0, der_len;
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
        if (*reason == '\0' || *end != '\0' || rcode > 10 || !(REASONS_ALLOWED >> rcode & 1))
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
        if (acme_key_load(key, KEY_PEM_MAX, &cert_key, a, NULL) < 0)
            return err_recode(ACME_ECONFIG);
        r = crypto_cert_matches_key(der, der_len, &cert_key);
        if (r <= 0) {
            crypto_key_wipe(&cert_key);
            return r < 0 ? err_recode(ACME_ECONFIG)
                         : err_set(ACME_ECONFIG, "revoke: %s is not the key of %s", key, cert);
        }
    }

    /* {"certificate":"<base64url DER>","reason":N} */
    buf_init(&b, body, sizeof body);
    buf_puts(&b, "{\"certificate\":\"");
    jws_b64url(&b, der, der_len);
    buf_putc(&b, '"');
    if (rcode >= 0) buf_printf(&b, ",\"reason\":%ld", rcode);
    buf_put(&b, "}", 2); /* with the NUL */
    if (buf_check(&b, "revocation request") < 0) goto fail;

    if (key == NULL) {
        /* Revoking must not create an account as a side effect. */
        const char *ak = acme_account_key_path(cfg, a);
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
    if (acme_post(&s->c, s->c.dir.revoke_cert, (const char *)body, key != NULL, "revoking") < 0)
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
