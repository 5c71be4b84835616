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
#include "session.h"
#include "state.h"
#include "sys.h"

#define KEY_PEM_MAX 8192
#define MAX_CAA 8

/* {"contact":["mailto:..",..]} from cfg->email (an empty list removes every contact). */
static int contact_payload(const struct acme_config *cfg, struct buf *b)
{
    struct json_writer w;
    size_t i;
    jw_init(&w, b);
    jw_obj_begin(&w);
    jw_key(&w, "contact");
    jw_arr_begin(&w);
    for (i = 0; i < cfg->n_email; i++) {
        char m[320];
        size_t n = strlen(cfg->email[i]);
        if (n + 8 > sizeof m) return err_set(ACME_ECONFIG, "email '%s' is too long", cfg->email[i]);
        memcpy(m, "mailto:", 7);
        memcpy(m + 7, cfg->email[i], n + 1);
        jw_str(&w, m);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    return buf_check(b, "account request");
}

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
static void print_persist(const struct acme_config *cfg, const char *const *caa, size_t ncaa,
                          const char *url)
{
    size_t i, j;
    if (ncaa == 0)
        log_warn("the CA's directory lists no caaIdentities: replace <issuer-domain-name> with "
                 "the issuer domain name of its CAA records");
    for (i = 0; i < cfg->n_domains; i++) {
        const char *d = cfg->domains[i];
        int wild = strncmp(d, "*.", 2) == 0;
        if (config_name_is_ip(d)) continue;
        for (j = 0; j < (ncaa > 0 ? ncaa : 1); j++)
            out_printf("_validation-persist.%s TXT \"%s; accounturi=%s%s\"\n", wild ? d + 2 : d,
                       ncaa > 0 ? caa[j] : "<issuer-domain-name>", url,
                       wild ? "; policy=wildcard" : "");
    }
}

static int show(const struct acme_config *cfg, struct arena *a)
{
    const char *caa[MAX_CAA];
    size_t ncaa = 0;
    struct session *s = session_open(cfg, a, SESSION_DIRECTORY);
    int meta, arr, t;
    if (s == NULL) return -1;
    /* c->doc still holds the directory: meta.caaIdentities */
    meta = json_get(&s->c.doc, 0, "meta");
    arr = json_get(&s->c.doc, meta, "caaIdentities");
    while (ncaa < MAX_CAA && (t = json_index(&s->c.doc, arr, ncaa)) >= 0 &&
           json_type(&s->c.doc, t) == JSON_STRING && (caa[ncaa] = json_str_dup(&s->c.doc, t, a)))
        ncaa++;
    err_clear();
    if (acme_account_key(&s->c) < 0 || acme_account(&s->c) < 0 ||
        acme_post(&s->c, s->c.account_url, NULL, 0, "getting the account") < 0) {
        session_close(s);
        return -1;
    }
    print_account(&s->c);
    print_persist(cfg, caa, ncaa, s->c.account_url);
    session_close(s);
    return 0;
}

static int update(const struct acme_config *cfg, struct arena *a)
{
    static unsigned char body[4096];
    struct buf b;
    struct session *s;
    buf_init(&b, body, sizeof body);
    if (contact_payload(cfg, &b) < 0) return -1;
    if ((s = session_open(cfg, a, SESSION_ACCOUNT)) == NULL) return -1;
    if (acme_post(&s->c, s->c.account_url, buf_cstr(&b), 0, "updating the account") < 0) {
        session_close(s);
        return -1;
    }
    log_info("updated the contacts of account %s", s->c.account_url);
    print_account(&s->c);
    session_close(s);
    return 0;
}

/* Forgets the account locally: its URL leaves the state and its key is renamed to
 * "account.key.<what>-<date>", so the next run creates a new account. */
static int retire_key(struct session *s, const char *key_path, const char *what, struct arena *a)
{
    char stamp[16];
    const char *aside;
    install_datestamp(sys_now(), stamp);
    if ((aside = arena_printf(a, "path", "%s.%s-%s", key_path, what, stamp)) == NULL) return -1;
    if (state_set(&s->st, STATE_ACCOUNT_URL, NULL, a) < 0 ||
        state_set(&s->st, STATE_ACCOUNT_DIR, NULL, a) < 0 || state_save(&s->st) < 0 ||
        file_rename(key_path, aside) < 0)
        return err_recode(ACME_ELOCAL);
    log_info("the account key is kept as %s", aside);
    return 0;
}

static int deactivate(const struct acme_config *cfg, struct arena *a, int yes)
{
    struct session *s;
    const char *key_path;
    if (!yes)
        return err_set(ACME_ECONFIG, "account deactivate is permanent: the CA will refuse this "
                                     "account for ever; add --yes to confirm");
    key_path = arena_printf(a, "path", "%s/%s", cfg->state_dir, ACME_ACCOUNT_KEY_FILE);
    if (key_path == NULL) return -1;
    if (!file_exists(key_path))
        return err_set(ACME_ECONFIG, "no account key at %s: nothing to deactivate", key_path);
    if ((s = session_open(cfg, a, SESSION_ACCOUNT)) == NULL) return -1;
    if (acme_post(&s->c, s->c.account_url, "{\"status\":\"deactivated\"}", 0,
                  "deactivating the account") < 0)
        goto fail;
    log_info("deactivated account %s", s->c.account_url);
    if (retire_key(s, key_path, "deactivated", a) < 0) {
        err_prefix("the account is deactivated, but");
        goto fail;
    }
    session_close(s);
    return 0;
fail:
    session_close(s);
    return -1;
}

/* RFC 8555 7.3.5: the inner JWS (new key, "jwk", no nonce, url = keyChange) carries
 * {"account": URL, "oldKey": old JWK}; the outer one is an ordinary request signed by the
 * old key. The new key is written to "account.key.new" before the request (a crash after the
 * CA switched keys must not lose it) and moved into place after; the old key is kept as
 * "account.key.<date>". */
static int rollover(const struct acme_config *cfg, struct arena *a)
{
    static struct crypto_key nk;
    static unsigned char pem[KEY_PEM_MAX], payload[2048], inner[8192];
    struct session *s;
    struct buf b, p, in;
    struct json_writer w;
    const char *key_path, *new_path, *aside;
    char stamp[16];
    int rc = -1;

    if ((s = session_open(cfg, a, SESSION_ACCOUNT)) == NULL) return -1;
    if (s->c.dir.key_change == NULL) {
        err_set(ACME_EREFUSED, "the CA's directory has no keyChange");
        goto out;
    }
    key_path = arena_printf(a, "path", "%s/%s", cfg->state_dir, ACME_ACCOUNT_KEY_FILE);
    new_path = arena_printf(a, "path", "%s/%s.new", cfg->state_dir, ACME_ACCOUNT_KEY_FILE);
    if (key_path == NULL || new_path == NULL) goto out;
    buf_init(&b, pem, sizeof pem);
    if (crypto_key_generate(&nk, cfg->account_key_type) < 0 || crypto_key_write_pem(&nk, &b) < 0 ||
        buf_check(&b, "account key") < 0 || file_write_atomic(new_path, b.p, b.len, 0600) < 0) {
        err_recode(ACME_ELOCAL);
        goto out;
    }
    buf_init(&p, payload, sizeof payload);
    jw_init(&w, &p);
    jw_obj_begin(&w);
    jw_key(&w, "account");
    jw_str(&w, s->c.account_url);
    jw_key(&w, "oldKey");
    {
        char jwk[1200];
        struct buf j;
        buf_init(&j, jwk, sizeof jwk);
        if (jws_jwk(&s->c.account_key, &j) < 0) goto out_new;
        jw_raw(&w, (const char *)j.p, j.len);
    }
    jw_obj_end(&w);
    buf_init(&in, inner, sizeof inner);
    if (buf_check(&p, "keyChange payload") < 0 ||
        jws_sign(&nk, NULL, NULL, s->c.dir.key_change, (const char *)p.p, p.len, &in) < 0 ||
        buf_cstr(&in) == NULL) {
        buf_check(&in, "keyChange request");
        goto out_new;
    }
    if (acme_post(&s->c, s->c.dir.key_change, (const char *)in.p, 0, "changing the account key") <
        0)
        goto out_new;
    install_datestamp(sys_now(), stamp);
    if ((aside = arena_printf(a, "path", "%s.%s", key_path, stamp)) == NULL ||
        file_rename(key_path, aside) < 0 || file_rename(new_path, key_path) < 0) {
        err_recode(ACME_ELOCAL);
        err_prefix("the CA now knows the account by the key in %s, but", new_path);
        goto out;
    }
    log_info("account %s now uses a new %s key; the old key is kept as %s", s->c.account_url,
             key_type_name(cfg->account_key_type), aside);
    rc = 0;
    goto out;
out_new : {
    int st = err_status();
    char msg[512];
    strncpy(msg, err_msg(), sizeof msg - 1);
    msg[sizeof msg - 1] = '\0';
    file_remove(new_path);
    err_set(st, "%s", msg);
}
out:
    memset(pem, 0, sizeof pem);
    crypto_key_wipe(&nk);
    session_close(s);
    return rc;
}

int cmd_account(const struct acme_config *cfg, const struct cli *cl)
{
    struct arena *a = run_arena();
    const char *sub = cl->n_args > 0 ? cl->args[0] : NULL;
    int yes = 0;
    size_t i;

    for (i = 1; i < cl->n_args; i++) {
        if (strcmp(cl->args[i], "--yes") == 0 && sub != NULL && strcmp(sub, "deactivate") == 0)
            yes = 1;
        else
            return err_set(ACME_ECONFIG, "account: unexpected argument '%s'", cl->args[i]);
    }
    if (sub == NULL) return show(cfg, a);
    if (strcmp(sub, "update") == 0) return update(cfg, a);
    if (strcmp(sub, "deactivate") == 0) return deactivate(cfg, a, yes);
    if (strcmp(sub, "rollover") == 0) return rollover(cfg, a);
    return err_set(ACME_ECONFIG,
                   "account: unknown subcommand '%s' (update, deactivate --yes, rollover)", sub);
}
