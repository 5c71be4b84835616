/* `acme account [update | deactivate --yes | rollover]` (RFC 8555 7.3): show (creating it
 * when needed), update the contacts, deactivate, or change the account key (7.3.5). */
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
#include "out.h"
#include "problem.h"
#include "session.h"
#include "state.h"
#include "sys.h"

#define KEY_PEM_MAX 8192
#define MAX_CAA 8

/* Prints the account object in c->doc: status and contacts. */
static void print_account(struct acme *c)
{
    char v[320];
    int t = json_get(&c->doc, 0, "contact"), e;
    size_t k;
    out_printf("account: %s\n", c->account_url);
    if (json_str(&c->doc, json_get(&c->doc, 0, "status"), v, sizeof v, NULL) == 0)
        out_printf("status: %s\n", v);
    for (k = 0; (e = json_index(&c->doc, t, k)) >= 0; k++)
        if (json_str(&c->doc, e, v, sizeof v, NULL) == 0) out_printf("contact: %s\n", v);
    if (k == 0) out_printf("contact: (none)\n");
    err_clear();
}

/* dns-persist-01 (draft-ietf-acme-dns-persist): the record authorizing this account at this
 * CA for a name: `_validation-persist.<domain> TXT "<issuer-domain-name>; accounturi=<URL>"`,
 * with "; policy=wildcard" for a wildcard (the record then sits at the base domain). */
static void print_persist(const struct acme_config *cfg, const char **caa, size_t ncaa,
                          const char *url)
{
    size_t i, j;
    if (ncaa == 0) {
        log_warn("the CA's directory lists no caaIdentities: replace <issuer-domain-name> with "
                 "the issuer domain name of its CAA records");
        caa[ncaa++] = "<issuer-domain-name>";
    }
    for (i = 0; i < cfg->n_domains; i++) {
        const char *d = cfg->domains[i];
        int wild = strncmp(d, "*.", 2) == 0;
        if (config_name_is_ip(d)) continue;
        for (j = 0; j < ncaa; j++)
            out_printf("_validation-persist.%s TXT \"%s; accounturi=%s%s\"\n", wild ? d + 2 : d,
                       caa[j], url, wild ? "; policy=wildcard" : "");
    }
}

/* `account`: the account (created when missing) and the dns-persist-01 records. */
static int show(struct session *s, const struct acme_config *cfg, struct arena *a)
{
    struct acme *c = &s->c;
    const char *caa[MAX_CAA];
    size_t ncaa = 0;
    int arr, t;
    /* c->doc still holds the directory: meta.caaIdentities */
    arr = json_get(&c->doc, json_get(&c->doc, 0, "meta"), "caaIdentities");
    while (ncaa < MAX_CAA && (t = json_index(&c->doc, arr, ncaa)) >= 0 &&
           json_type(&c->doc, t) == JSON_STRING && (caa[ncaa] = json_str_dup(&c->doc, t, a)))
        ncaa++;
    err_clear();
    if (session_connect(s, cfg, a, SESSION_ACCOUNT) < 0 ||
        acme_post(c, c->account_url, NULL, 0, "getting the account") < 0)
        return -1;
    print_account(c);
    print_persist(cfg, caa, ncaa, c->account_url);
    return 0;
}

/* Renames the account key to "<key_path>.<tag><date>"; the new name, or NULL. */
static const char *set_aside(const char *key_path, const char *tag, struct arena *a)
{
    char stamp[16];
    const char *aside;
    install_datestamp(sys_now(), stamp);
    if ((aside = arena_printf(a, "path", "%s.%s%s", key_path, tag, stamp)) == NULL ||
        file_rename(key_path, aside) < 0)
        return NULL;
    return aside;
}

/* Deactivates the account, then forgets it locally: its URL leaves the state and its key is
 * set aside as "account.key.deactivated-<date>", so the next run creates a new account. */
static int deactivate(struct session *s, const char *key_path, struct arena *a)
{
    const char *aside;
    if (acme_post(&s->c, s->c.account_url, "{\"status\":\"deactivated\"}", 0,
                  "deactivating the account") < 0)
        return -1;
    log_info("deactivated account %s", s->c.account_url);
    if (state_set(&s->st, STATE_ACCOUNT_URL, NULL, a) < 0 ||
        state_set(&s->st, STATE_ACCOUNT_DIR, NULL, a) < 0 || state_save(&s->st) < 0 ||
        (aside = set_aside(key_path, "deactivated-", a)) == NULL) {
        err_recode(ACME_ELOCAL);
        return err_prefix("the account is deactivated, but");
    }
    log_info("the account key is kept as %s", aside);
    return 0;
}

/* RFC 8555 7.3.5: the inner JWS (new key, "jwk", no nonce, url = keyChange) carries
 * {"account": URL, "oldKey": old JWK}; the outer one is an ordinary request signed by the
 * old key. The new key is written to "account.key.new" before the request (a crash after the
 * CA switched keys must not lose it) and moved into place after; the old key is kept as
 * "account.key.<date>". */
static int rollover(struct session *s, const struct acme_config *cfg, const char *key_path,
                    struct arena *a)
{
    static struct crypto_key nk;
    static unsigned char pem[KEY_PEM_MAX], payload[2048], inner[8192];
    struct acme *c = &s->c;
    struct buf b, j, p, in;
    struct json_writer w;
    struct held_error held;
    const char *new_path, *aside;
    char jwk[1200];
    int rc = -1;

    if (c->dir.key_change == NULL)
        return err_set(ACME_EREFUSED, "the CA's directory has no keyChange");
    if ((new_path = arena_printf(a, "path", "%s.new", key_path)) == NULL) return -1;
    buf_init(&b, pem, sizeof pem);
    if (crypto_key_generate(&nk, cfg->account_key_type) < 0 || crypto_key_write_pem(&nk, &b) < 0 ||
        buf_check(&b, "account key") < 0 || file_write_atomic(new_path, b.p, b.len, 0600) < 0) {
        err_recode(ACME_ELOCAL);
        goto out;
    }
    buf_init(&j, jwk, sizeof jwk);
    if (jws_jwk(&c->account_key, &j) < 0) goto out_new;
    buf_init(&p, payload, sizeof payload);
    jw_init(&w, &p);
    jw_obj_begin(&w);
    jw_key(&w, "account");
    jw_str(&w, c->account_url);
    jw_key(&w, "oldKey");
    jw_raw(&w, (const char *)j.p, j.len);
    jw_obj_end(&w);
    buf_init(&in, inner, sizeof inner);
    if (buf_check(&p, "keyChange payload") < 0 ||
        jws_sign(&nk, NULL, NULL, c->dir.key_change, (const char *)p.p, p.len, &in) < 0 ||
        buf_cstr(&in) == NULL) {
        buf_check(&in, "keyChange request");
        goto out_new;
    }
    if (acme_post(c, c->dir.key_change, (const char *)in.p, 0, "changing the account key") < 0)
        goto out_new;
    if ((aside = set_aside(key_path, "", a)) == NULL || file_rename(new_path, key_path) < 0) {
        err_recode(ACME_ELOCAL);
        err_prefix("the CA now knows the account by the key in %s, but", new_path);
        goto out;
    }
    log_info("account %s now uses a new %s key; the old key is kept as %s", c->account_url,
             key_type_name(cfg->account_key_type), aside);
    rc = 0;
    goto out;
out_new:
    error_hold(&held);
    file_remove(new_path);
    error_restore(&held);
out:
    memset(pem, 0, sizeof pem);
    crypto_key_wipe(&nk);
    return rc;
}

int cmd_account(const struct acme_config *cfg, const struct cli *cl)
{
    enum { SHOW, UPDATE, DEACTIVATE, ROLLOVER };
    static const char *const subs[] = {"update", "deactivate", "rollover"};
    static unsigned char body[4096];
    struct arena *a = run_arena();
    const char *sub = cl->n_args > 0 ? cl->args[0] : NULL;
    const char *key_path = acme_account_key_path(cfg, a);
    struct session *s;
    struct json_writer w;
    struct buf b;
    int cmd = SHOW, rc;
    size_t i;

    if (sub != NULL) {
        for (cmd = UPDATE; cmd <= ROLLOVER && strcmp(sub, subs[cmd - 1]) != 0; cmd++)
            ;
        if (cmd > ROLLOVER)
            return err_set(ACME_ECONFIG,
                           "account: unknown subcommand '%s' (update, deactivate --yes, rollover)",
                           sub);
    }
    for (i = 1; i < cl->n_args; i++)
        if (cmd != DEACTIVATE || strcmp(cl->args[i], "--yes") != 0)
            return err_set(ACME_ECONFIG, "account: unexpected argument '%s'", cl->args[i]);
    if (key_path == NULL) return -1;
    if (cmd == UPDATE) { /* {"contact":["mailto:..",..]} (an empty list removes every contact) */
        buf_init(&b, body, sizeof body);
        jw_init(&w, &b);
        jw_obj_begin(&w);
        if (acme_contacts(cfg, &w) < 0) return -1;
        jw_obj_end(&w);
        if (buf_check(&b, "account request") < 0) return -1;
    }
    if (cmd == DEACTIVATE) {
        if (cl->n_args < 2)
            return err_set(ACME_ECONFIG, "account deactivate is permanent: the CA will refuse "
                                         "this account for ever; add --yes to confirm");
        if (!file_exists(key_path))
            return err_set(ACME_ECONFIG, "no account key at %s: nothing to deactivate", key_path);
    }
    if ((s = session_open(cfg, a, cmd == SHOW ? SESSION_DIRECTORY : SESSION_ACCOUNT)) == NULL)
        return -1;
    if (cmd == SHOW) {
        rc = show(s, cfg, a);
    } else if (cmd == UPDATE) {
        rc = acme_post(&s->c, s->c.account_url, buf_cstr(&b), 0, "updating the account");
        if (rc == 0) {
            log_info("updated the contacts of account %s", s->c.account_url);
            print_account(&s->c);
        }
    } else if (cmd == DEACTIVATE) {
        rc = deactivate(s, key_path, a);
    } else {
        rc = rollover(s, cfg, key_path, a);
    }
    session_close(s);
    return rc;
}
