/* `acme challenges [--finish [--published]]`: staged issuance (issue 6).
 *
 * `acme challenges` creates an order (or resumes the one saved in state while it is still
 * usable), prints for every name each challenge the CA offers with its token and key
 * authorization (the user asked for them: printed on stdout, never in the log), the TXT record
 * for dns-01, saves the order URL in state (STATE_STAGED_ORDER) and exits.
 * `acme challenges --finish` answers the configured challenge type of that same order, waits
 * for validation, finalizes and installs the certificate like a normal run (reload included).
 * It publishes the answers the configured way (built-in HTTP-01 responder, webroot files,
 * dns_hook) unless --published says that the user has already put them in place by hand. */
#include <string.h>

#include "acme.h"
#include "arena.h"
#include "buf.h"
#include "cert_key.h"
#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "hook.h"
#include "install.h"
#include "log.h"
#include "out.h"
#include "session.h"
#include "state.h"
#include "sys.h"

/* Prints one authorization (in c->doc) with all its challenges. */
static int print_authz(struct acme *c, const char *url)
{
    struct acme_pending p;
    char st[ACME_STATUS_MAX], type[32];
    int ch, dns;
    size_t k;

    memset(&p, 0, sizeof p);
    p.authz_url = url;
    if (acme_authz_identifier(c, &p) < 0) return -1;
    acme_status(c, st, sizeof st);
    out_printf("%s: %s\n", p.name, st);
    if (strcmp(st, "pending") != 0) return 0;
    for (k = 0; (ch = json_index(&c->doc, json_get(&c->doc, 0, "challenges"), k)) >= 0; k++) {
        if (json_str(&c->doc, json_get(&c->doc, ch, "type"), type, sizeof type, NULL) < 0 ||
            (p.token = acme_json_str(c, ch, "token", "challenge")) == NULL) {
            err_clear();
            continue;
        }
        dns = strcmp(type, "dns-01") == 0;
        if (acme_pending_answer(c, &p, dns) < 0) return -1;
        out_printf("  %s\n    token: %s\n    key authorization: %s\n", type, p.token, p.key_auth);
        if (dns)
            out_printf("    TXT record: %s. \"%s\"\n", p.dns_name, p.dns_value);
        else if (strcmp(type, "http-01") == 0)
            out_printf("    serve at: http://%s/.well-known/acme-challenge/%s\n", p.id_value,
                       p.token);
    }
    return 0;
}

/* The staged order's URL when one is saved for this CA's directory, else NULL. */
static const char *staged(struct session *s)
{
    const char *url = state_get(&s->st, STATE_STAGED_ORDER);
    const char *dir = state_get(&s->st, STATE_STAGED_DIR);
    return url != NULL && dir != NULL && strcmp(dir, s->c.dir.url) == 0 ? url : NULL;
}

/* Saves url as the staged order of this CA's directory; NULL forgets it. */
static int save_staged(struct session *s, const char *url)
{
    if (state_set(&s->st, STATE_STAGED_ORDER, url, s->c.a) < 0 ||
        state_set(&s->st, STATE_STAGED_DIR, url != NULL ? s->c.dir.url : NULL, s->c.a) < 0)
        return -1;
    return state_save(&s->st);
}

/* --finish, with the staged order at url in c->doc: the number of files changed by the
 * installation, or -1. */
static int finish(struct session *s, const struct acme_config *cfg, struct arena *a,
                  const char *url, int publish)
{
    static struct crypto_key key;
    static uint8_t csr[CERT_CSR_MAX];
    struct acme *c = &s->c;
    struct acme_order o;
    size_t csr_len = 0, chain_len, key_len = 0;
    const char *key_pem = NULL;
    char *chain;
    int rc = -1;

    log_v("finishing order %s", url);
    if (!acme_status_is(c, "invalid")) {
        if (acme_order_read(c, url, &o) < 0 ||
            (acme_status_is(c, "pending") && acme_authorize(c, &o, publish) < 0) ||
            acme_poll(c, url, "waiting for the order") < 0)
            return -1;
        if (!acme_status_is(c, "valid")) {
            /* the key is made only for an order that can be finalized */
            if ((!acme_status_is(c, "ready") ||
                 cert_key_csr(cfg, a, &key, &key_pem, &key_len, csr, &csr_len) == 0) &&
                acme_finalize_and_download(c, &o, csr, csr_len, &chain, &chain_len) == 0 &&
                (rc = acme_install(cfg, a, &key, key_pem, key_len, chain, chain_len)) >= 0) {
                save_staged(s, NULL);
                err_clear();
                log_info("installed the certificate of the staged order for %s%s", cfg->domains[0],
                         cfg->n_domains > 1 ? " and more" : "");
            }
            cert_key_wipe(&key);
            return rc;
        }
    }
    err_set(ACME_EREFUSED, "the staged order %s %s", url,
            acme_status_is(c, "valid") ? "was already finalized elsewhere"
                                       : "is invalid (expired or failed): run `acme "
                                         "challenges` again for a new one");
    save_staged(s, NULL);
    return -1;
}

/* Without --finish: the order to stage (url, in c->doc; NULL: a new one) printed. */
static int stage(struct session *s, const char *url)
{
    struct acme *c = &s->c;
    struct acme_order o;
    size_t i;
    char st[ACME_STATUS_MAX];

    if (url != NULL) {
        if (acme_order_read(c, url, &o) < 0) return -1;
    } else if (acme_order_create(c, NULL, &o) < 0 || save_staged(s, o.url) < 0) {
        return -1;
    }
    acme_status(c, st, sizeof st);
    out_printf("order: %s (%s)\n", o.url, st);
    for (i = 0; i < o.n_authz; i++)
        if (acme_post(c, o.authz[i], NULL, 0, "getting an authorization") < 0 ||
            print_authz(c, o.authz[i]) < 0)
            return -1;
    log_info("answer one challenge per name, then run `acme challenges --finish` (add "
             "--published when you put the answers in place yourself)");
    return 0;
}

int cmd_challenges(const struct acme_config *cfg, const struct cli *cl)
{
    struct session *s;
    const char *url;
    int fin = 0, published = 0, got, rc = -1;
    size_t i;

    for (i = 0; i < cl->n_args; i++) {
        if (strcmp(cl->args[i], "--finish") == 0)
            fin = 1;
        else if (strcmp(cl->args[i], "--published") == 0)
            published = 1;
        else
            return err_set(ACME_ECONFIG, "challenges: unknown argument '%s'", cl->args[i]);
    }
    if (published && !fin) return err_set(ACME_ECONFIG, "challenges: --published needs --finish");
    if ((s = session_open(cfg, run_arena(), SESSION_ACCOUNT)) == NULL) return -1;
    url = staged(s);
    got = url != NULL && acme_post(&s->c, url, NULL, 0, "getting the staged order") == 0;
    if (!fin) {
        /* resume while the CA still considers the order usable */
        if (url != NULL &&
            (!got || acme_status_is(&s->c, "invalid") || acme_status_is(&s->c, "valid"))) {
            log_v("staged order %s is no longer usable: creating a new one", url);
            err_clear();
            url = NULL;
        }
        rc = stage(s, url);
    } else if (url == NULL) {
        err_set(ACME_ECONFIG, "no staged order for %s: run `acme challenges` first", s->c.dir.url);
    } else if (got) {
        rc = finish(s, cfg, run_arena(), url, !published);
    }
    session_close(s);
    return fin && rc >= 0 ? acme_reload(cfg, rc) : rc;
}
