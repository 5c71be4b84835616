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
    int id = json_get(&c->doc, 0, "identifier"), chs = json_get(&c->doc, 0, "challenges"), ch;
    size_t k;

    memset(&p, 0, sizeof p);
    p.authz_url = url;
    if ((p.id_value = acme_json_str(c, id, "value", "authorization")) == NULL) return -1;
    p.wildcard = json_type(&c->doc, json_get(&c->doc, 0, "wildcard")) == JSON_TRUE;
    acme_status(c, st, sizeof st);
    out_printf("%s%s: %s\n", p.wildcard ? "*." : "", p.id_value, st);
    if (strcmp(st, "pending") != 0) return 0;
    for (k = 0; (ch = json_index(&c->doc, chs, k)) >= 0; k++) {
        if (json_str(&c->doc, json_get(&c->doc, ch, "type"), type, sizeof type, NULL) < 0 ||
            (p.token = acme_json_str(c, ch, "token", "challenge")) == NULL) {
            err_clear();
            continue;
        }
        if (acme_pending_answer(c, &p, strcmp(type, "dns-01") == 0) < 0) return -1;
        out_printf("  %s\n    token: %s\n    key authorization: %s\n", type, p.token, p.key_auth);
        if (strcmp(type, "http-01") == 0)
            out_printf("    serve at: http://%s/.well-known/acme-challenge/%s\n", p.id_value,
                       p.token);
        else if (strcmp(type, "dns-01") == 0)
            out_printf("    TXT record: %s. \"%s\"\n", p.dns_name, p.dns_value);
        p.dns_name = NULL;
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

static int forget(struct session *s)
{
    if (state_set(&s->st, STATE_STAGED_ORDER, NULL, s->c.a) < 0 ||
        state_set(&s->st, STATE_STAGED_DIR, NULL, s->c.a) < 0)
        return -1;
    return state_save(&s->st);
}

static int finish(const struct acme_config *cfg, struct arena *a, int publish)
{
    static struct crypto_key key;
    static uint8_t csr[CERT_CSR_MAX];
    struct session *s = session_open(cfg, a, SESSION_ACCOUNT);
    struct acme *c;
    struct acme_order o;
    const char *url;
    size_t csr_len = 0, chain_len, key_len = 0;
    const char *key_pem = NULL;
    char *chain;
    int rc = -1, changed;

    if (s == NULL) return -1;
    c = &s->c;
    if ((url = staged(s)) == NULL) {
        err_set(ACME_ECONFIG, "no staged order for %s: run `acme challenges` first", c->dir.url);
        goto out;
    }
    log_v("finishing order %s", url);
    if (acme_post(c, url, NULL, 0, "getting the staged order") < 0) goto out;
    if (acme_status_is(c, "invalid")) {
        err_set(ACME_EREFUSED,
                "the staged order %s is invalid (expired or failed): run `acme "
                "challenges` again for a new one",
                url);
        forget(s);
        goto out;
    }
    if (acme_order_read(c, url, &o) < 0) goto out;
    if (acme_status_is(c, "pending") && acme_authorize(c, &o, publish) < 0) goto out;
    if (acme_poll(c, url, "waiting for the order") < 0) goto out;
    if (acme_status_is(c, "valid")) {
        err_set(ACME_EREFUSED, "the staged order %s was already finalized elsewhere", url);
        forget(s);
        goto out;
    }
    /* the key is made only for an order that can be finalized */
    if (acme_status_is(c, "ready") &&
        cert_key_csr(cfg, a, &key, &key_pem, &key_len, csr, &csr_len) < 0)
        goto out;
    if (acme_finalize_and_download(c, &o, csr, csr_len, &chain, &chain_len) < 0 ||
        install_check(chain, chain_len, &key, cfg->domains, cfg->n_domains, a) < 0)
        goto out;
    changed = install_files(cfg, key_pem, key_len, chain, chain_len, a);
    if (changed < 0) goto out;
    forget(s);
    err_clear();
    log_info("installed the certificate of the staged order for %s%s", cfg->domains[0],
             cfg->n_domains > 1 ? " and more" : "");
    session_close(s);
    s = NULL;
    rc = 0;
    if (changed > 0 && cfg->reload != NULL && hook_shell("reload", cfg->reload, 0) < 0)
        rc = err_prefix("the new certificate is installed, but");
out:
    cert_key_wipe(&key);
    session_close(s);
    return rc;
}

static int stage(const struct acme_config *cfg, struct arena *a)
{
    struct session *s = session_open(cfg, a, SESSION_ACCOUNT);
    struct acme *c;
    struct acme_order o;
    const char *url;
    size_t i;
    char st[ACME_STATUS_MAX];
    int rc = -1;

    if (s == NULL) return -1;
    c = &s->c;
    /* resume while the CA still considers the order usable */
    if ((url = staged(s)) != NULL && (acme_post(c, url, NULL, 0, "getting the staged order") < 0 ||
                                      acme_status_is(c, "invalid") || acme_status_is(c, "valid"))) {
        log_v("staged order %s is no longer usable: creating a new one", url);
        err_clear();
        url = NULL;
    }
    if (url != NULL) {
        if (acme_order_read(c, url, &o) < 0) goto out;
    } else {
        if (acme_order_create(c, NULL, &o) < 0) goto out;
        url = o.url;
        if (state_set(&s->st, STATE_STAGED_ORDER, url, a) < 0 ||
            state_set(&s->st, STATE_STAGED_DIR, c->dir.url, a) < 0 || state_save(&s->st) < 0)
            goto out;
    }
    acme_status(c, st, sizeof st);
    out_printf("order: %s (%s)\n", url, st);
    for (i = 0; i < o.n_authz; i++)
        if (acme_post(c, o.authz[i], NULL, 0, "getting an authorization") < 0 ||
            print_authz(c, o.authz[i]) < 0)
            goto out;
    log_info("answer one challenge per name, then run `acme challenges --finish` (add "
             "--published when you put the answers in place yourself)");
    rc = 0;
out:
    session_close(s);
    return rc;
}

int cmd_challenges(const struct acme_config *cfg, const struct cli *cl)
{
    int fin = 0, published = 0;
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
    return fin ? finish(cfg, run_arena(), !published) : stage(cfg, run_arena());
}
