/* The account: its key in state_dir, and its URL (the JWS "kid") cached in the state file. */
#include "acme.h"

#include <string.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "fmt.h"
#include "jws.h"
#include "log.h"
#include "problem.h"
#include "state.h"
#include "sys.h"

#define KEY_PEM_MAX 8192

const char *acme_account_key_path(const struct acme_config *cfg, struct arena *a)
{
    return arena_printf(a, "account key path", "%s/" ACME_ACCOUNT_KEY_FILE, cfg->state_dir);
}

int acme_key_load(const char *path, size_t max, struct crypto_key *k, struct arena *a, int *missing)
{
    char *text;
    size_t len;
    int rc;
    if (file_read(path, a, &text, &len, max, missing) < 0) return -1;
    rc = crypto_key_load_pem(k, text, len, path);
    memset(text, 0, len);
    return rc;
}

int acme_account_key(struct acme *c)
{
    static unsigned char pem[KEY_PEM_MAX];
    const char *path = acme_account_key_path(c->cfg, c->a);
    int missing = 0, rc;
    struct buf b;

    if (path == NULL) return -1;
    if ((rc = acme_key_load(path, KEY_PEM_MAX, &c->account_key, c->a, &missing)) < 0 && missing) {
        err_clear();
        log_v("creating the %s account key %s", key_type_name(c->cfg->account_key_type), path);
        buf_init(&b, pem, sizeof pem);
        if (dir_make(c->cfg->state_dir, 0700) < 0 ||
            crypto_key_generate(&c->account_key, c->cfg->account_key_type) < 0 ||
            crypto_key_write_pem(&c->account_key, &b) < 0 || buf_check(&b, "account key") < 0 ||
            file_write_atomic(path, b.p, b.len, 0600) < 0)
            rc = -1;
        else
            rc = 0;
        memset(pem, 0, sizeof pem);
        c->account_key_new = 1;
    }
    if (rc < 0 || jws_thumbprint(&c->account_key, c->thumbprint) < 0)
        return err_recode(ACME_ELOCAL);
    return 0;
}

int acme_contacts(const struct acme_config *cfg, struct json_writer *w)
{
    char m[320];
    size_t i;
    jw_key(w, "contact");
    jw_arr_begin(w);
    for (i = 0; i < cfg->n_email; i++) {
        if ((unsigned)fmt_snprintf(m, sizeof m, "mailto:%s", cfg->email[i]) >= sizeof m)
            return err_set(ACME_ECONFIG, "email '%s' is too long", cfg->email[i]);
        jw_str(w, m);
    }
    jw_arr_end(w);
    return 0;
}

/* The newAccount payload. */
static int account_payload(struct acme *c, struct buf *b)
{
    static unsigned char eab[4096];
    struct json_writer w;
    struct buf e;

    jw_init(&w, b);
    jw_obj_begin(&w);
    if (c->cfg->n_email > 0 && acme_contacts(c->cfg, &w) < 0) return -1;
    if (c->dir.terms_of_service != NULL) {
        jw_key(&w, "termsOfServiceAgreed");
        jw_bool(&w, 1);
    }
    if (c->cfg->eab_kid != NULL) {
        buf_init(&e, eab, sizeof eab);
        if (jws_eab(&c->account_key, c->cfg->eab_kid, c->cfg->eab_hmac_key, c->dir.new_account,
                    &e) < 0 ||
            buf_check(&e, "external account binding") < 0)
            return err_recode(err_status() == ACME_ELOCAL ? ACME_ELOCAL : ACME_ECONFIG);
        jw_key(&w, "externalAccountBinding");
        jw_raw(&w, (const char *)e.p, e.len);
    }
    jw_obj_end(&w);
    return buf_check(b, "newAccount request");
}

int acme_account(struct acme *c)
{
    static unsigned char body[8192];
    const char *what = "looking up the account";
    int created = 0;
    struct buf b;
    char type[256];

    if (c->state != NULL) {
        const char *url = state_get(c->state, STATE_ACCOUNT_URL);
        const char *dir = state_get(c->state, STATE_ACCOUNT_DIR);
        if (url != NULL && dir != NULL && strcmp(dir, c->dir.url) == 0) {
            c->account_url = url;
            log_vv("account %s (cached)", url);
            return 0;
        }
    }

    /* Re-find an account this key already has (the cache was lost or the CA changed). */
    if (acme_post(c, c->dir.new_account, "{\"onlyReturnExisting\":true}", 1, what) < 0) {
        /* Only the CA's "no such account" answer leads on to newAccount; any other failure
         * (network, a malformed or oversized answer, 5xx) is reported as it is. */
        if (err_status() != ACME_EREFUSED || c->r.status < 400) return -1;
        problem_type(c->r.body, c->r.body_len, type, sizeof type);
        if (!problem_is(type, "accountDoesNotExist")) return -1;
        err_clear();

        if (c->dir.terms_of_service != NULL && !c->cfg->agree_tos)
            return err_set(ACME_ECONFIG,
                           "the CA's terms of service (%s) must be agreed first: set agree_tos = "
                           "yes",
                           c->dir.terms_of_service);
        if (c->dir.eab_required && (c->cfg->eab_kid == NULL || c->cfg->eab_hmac_key == NULL))
            return err_set(ACME_ECONFIG,
                           "the CA %s requires external account binding: set eab_kid and "
                           "eab_hmac_key",
                           c->dir.url);
        what = "creating the account";
        created = 1;
        buf_init(&b, body, sizeof body);
        if (account_payload(c, &b) < 0 ||
            acme_post(c, c->dir.new_account, buf_cstr(&b), 1, what) < 0)
            return -1;
    }
    /* the account URL from Location, saved in the state */
    if ((c->account_url = acme_location(c, what)) == NULL) return -1;
    log_msg(created ? LOG_INFO : LOG_V, "%s account %s", created ? "created" : "found",
            c->account_url);
    if (c->state == NULL) return 0;
    if (state_set(c->state, STATE_ACCOUNT_URL, c->account_url, c->a) < 0 ||
        state_set(c->state, STATE_ACCOUNT_DIR, c->dir.url, c->a) < 0)
        return -1;
    return state_save(c->state);
}
