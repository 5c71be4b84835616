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
#include "base64.h"
#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "hook.h"
#include "install.h"
#include "log.h"
#include "out.h"
#include "problem.h"
#include "session.h"
#include "state.h"
#include "sys.h"

#define KEY_PEM_MAX 8192
#define CSR_MAX 8192

static const char *const challenge_names[] = {"http-01", "dns-01", "tls-alpn-01"};

static int status_is(struct acme *c, int obj, const char *s)
{
    return json_str_eq(&c->doc, json_get(&c->doc, obj, "status"), s);
}

static void status_of(struct acme *c, char *out, size_t cap)
{
    if (json_str(&c->doc, json_get(&c->doc, 0, "status"), out, cap, NULL) < 0) {
        memcpy(out, "?", 2);
        err_clear();
    }
}

/* POST-as-GET url until its status is no longer pending/processing (Retry-After honoured,
 * else 1 s doubling to ACME_POLL_MAX_SLEEP), bounded by c->poll_limit. */
static int poll(struct acme *c, const char *url, const char *what)
{
    int64_t start = sys_now();
    unsigned backoff = 1;
    for (;;) {
        long delay;
        if (acme_post(c, url, NULL, 0, what) < 0) return -1;
        if (!status_is(c, 0, "pending") && !status_is(c, 0, "processing")) return 0;
        delay = c->r.retry_after >= 0 ? c->r.retry_after : (long)backoff;
        if (backoff < ACME_POLL_MAX_SLEEP) backoff *= 2;
        if (sys_now() + delay - start > c->poll_limit)
            return err_set(ACME_ETEMP, "%s: still not done after %ld s", what,
                           (long)(sys_now() - start));
        sys_sleep((unsigned)delay);
    }
}

/* The newOrder for cfg->domains; c->doc holds the order, *url its URL. */
static int order_create(struct acme *c, const char **url)
{
    static unsigned char body[16384];
    struct json_writer w;
    struct buf b;
    size_t i;
    buf_init(&b, body, sizeof body);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_key(&w, "identifiers");
    jw_arr_begin(&w);
    for (i = 0; i < c->cfg->n_domains; i++) {
        jw_obj_begin(&w);
        jw_key(&w, "type");
        jw_str(&w, acme_identifier_kind(c->cfg->domains[i]) == ACME_ID_IP ? "ip" : "dns");
        jw_key(&w, "value");
        jw_str(&w, c->cfg->domains[i]);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    if (c->cfg->profile != NULL) {
        jw_key(&w, "profile");
        jw_str(&w, c->cfg->profile);
    }
    jw_obj_end(&w);
    if (buf_check(&b, "newOrder request") < 0) return -1;
    if (acme_post(c, c->dir.new_order, buf_cstr(&b), 0, "creating the order") < 0) return -1;
    if (c->r.location[0] == '\0')
        return err_set(ACME_EREFUSED, "creating the order: the CA sent no order URL");
    *url = arena_strdup(c->a, c->r.location, "order URL");
    return *url == NULL ? -1 : 0;
}

/* The order's authorization URLs (from c->doc) into the arena. */
static int order_authz(struct acme *c, const char ***authz, size_t *n)
{
    int arr = json_get(&c->doc, 0, "authorizations"), t;
    size_t i;
    if (json_type(&c->doc, arr) != JSON_ARRAY)
        return err_set(ACME_EREFUSED, "the order has no authorizations");
    *n = c->doc.toks[arr].size;
    if (*n > CONFIG_MAX_NAMES)
        return err_set(ACME_EREFUSED, "the order has %zu authorizations (CONFIG_MAX_NAMES)", *n);
    if ((*authz = arena_alloc(c->a, (*n + 1) * sizeof **authz, "authorizations")) == NULL)
        return -1;
    for (i = 0; i < *n; i++) {
        t = json_index(&c->doc, arr, i);
        if (json_type(&c->doc, t) != JSON_STRING ||
            ((*authz)[i] = json_str_dup(&c->doc, t, c->a)) == NULL)
            return err_set(ACME_EREFUSED, "the order's authorization %zu is not a URL", i);
    }
    return 0;
}

/* Key authorization and, for dns-01, the TXT name and value. */
static int answer_of(struct acme *c, struct acme_pending *p, int dns)
{
    size_t cap = strlen(p->token) + JWS_THUMBPRINT_LEN + 2;
    char *ka = arena_alloc(c->a, cap, "key authorization");
    struct buf b;
    uint8_t h[32];
    if (ka == NULL) return -1;
    buf_init(&b, ka, cap);
    if (jws_key_authorization(p->token, c->thumbprint, &b) < 0 || buf_cstr(&b) == NULL)
        return buf_check(&b, "key authorization");
    p->key_auth = ka;
    if (!dns) return 0;
    crypto_sha256(ka, b.len, h);
    if (b64_encode(p->dns_value, sizeof p->dns_value, h, sizeof h, B64_URL) < 0) return -1;
    p->dns_name = arena_printf(c->a, "DNS name", "_acme-challenge.%s", p->id_value);
    return p->dns_name == NULL ? -1 : 0;
}

/* Prints one authorization (in c->doc) with all its challenges. */
static int print_authz(struct acme *c, const char *url)
{
    struct acme_pending p;
    char st[32], type[32];
    int id = json_get(&c->doc, 0, "identifier"), chs = json_get(&c->doc, 0, "challenges"), ch;
    size_t k;

    memset(&p, 0, sizeof p);
    p.authz_url = url;
    if ((p.id_value = acme_json_str(c, id, "value", "authorization")) == NULL) return -1;
    p.wildcard = json_type(&c->doc, json_get(&c->doc, 0, "wildcard")) == JSON_TRUE;
    status_of(c, st, sizeof st);
    out_printf("%s%s: %s\n", p.wildcard ? "*." : "", p.id_value, st);
    if (strcmp(st, "pending") != 0) return 0;
    for (k = 0; (ch = json_index(&c->doc, chs, k)) >= 0; k++) {
        if (json_str(&c->doc, json_get(&c->doc, ch, "type"), type, sizeof type, NULL) < 0 ||
            (p.token = acme_json_str(c, ch, "token", "challenge")) == NULL) {
            err_clear();
            continue;
        }
        if (answer_of(c, &p, strcmp(type, "dns-01") == 0) < 0) return -1;
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

/* Reads the pending authorization in c->doc for the configured challenge type: 1 when it
 * needs answering, 0 when valid. */
static int pending_of(struct acme *c, const char *url, struct acme_pending *p)
{
    const char *want = challenge_names[c->cfg->challenge];
    int chs, ch;
    size_t k;
    memset(p, 0, sizeof *p);
    p->authz_url = url;
    if ((p->id_value = acme_json_str(c, json_get(&c->doc, 0, "identifier"), "value",
                                     "authorization")) == NULL)
        return -1;
    p->wildcard = json_type(&c->doc, json_get(&c->doc, 0, "wildcard")) == JSON_TRUE;
    if (status_is(c, 0, "valid")) return 0;
    if (!status_is(c, 0, "pending")) {
        char st[32];
        status_of(c, st, sizeof st);
        return err_set(ACME_EREFUSED, "authorization of %s is %s", p->id_value, st);
    }
    chs = json_get(&c->doc, 0, "challenges");
    for (k = 0; (ch = json_index(&c->doc, chs, k)) >= 0; k++) {
        if (!json_str_eq(&c->doc, json_get(&c->doc, ch, "type"), want)) continue;
        if ((p->chall_url = acme_json_str(c, ch, "url", "challenge")) == NULL ||
            (p->token = acme_json_str(c, ch, "token", "challenge")) == NULL ||
            answer_of(c, p, c->cfg->challenge == CHALLENGE_DNS01) < 0)
            return -1;
        return 1;
    }
    return err_set(ACME_EREFUSED, "the CA offers no %s challenge for %s", want, p->id_value);
}

static int validation_failed(struct acme *c, const struct acme_pending *p)
{
    int chs = json_get(&c->doc, 0, "challenges"), ch, e;
    size_t k;
    for (k = 0; (ch = json_index(&c->doc, chs, k)) >= 0; k++) {
        e = json_get(&c->doc, ch, "error");
        if (json_type(&c->doc, e) == JSON_OBJECT) {
            char msg[800];
            const struct json_tok *t = &c->doc.toks[e];
            problem_format(c->doc.text + t->start, t->end - t->start, 0, msg, sizeof msg);
            return err_set(ACME_EVALID, "validation of %s failed: %s", p->id_value, msg);
        }
    }
    return err_set(ACME_EVALID, "validation of %s failed", p->id_value);
}

/* Answers the pending authorizations of the order and waits for each. */
static int validate(struct acme *c, const char **authz, size_t n_authz, int publish)
{
    struct acme_pending *p = arena_alloc(c->a, (n_authz + 1) * sizeof *p, "authorizations");
    size_t i, n = 0;
    int r, rc = 0;
    if (p == NULL) return -1;
    for (i = 0; i < n_authz; i++) {
        if (acme_post(c, authz[i], NULL, 0, "getting an authorization") < 0) return -1;
        if ((r = pending_of(c, authz[i], &p[n])) < 0) return -1;
        n += (size_t)r;
    }
    if (n == 0) return 0;
    if (publish) rc = acme_challenges_publish(c, p, n);
    for (i = 0; rc == 0 && i < n; i++) {
        log_v("answering %s for %s", challenge_names[c->cfg->challenge], p[i].id_value);
        rc = acme_post(c, p[i].chall_url, "{}", 0, "answering a challenge");
    }
    for (i = 0; rc == 0 && i < n; i++) {
        rc = poll(c, p[i].authz_url, "waiting for validation");
        if (rc == 0 && !status_is(c, 0, "valid")) rc = validation_failed(c, &p[i]);
    }
    if (publish) {
        int st = err_status();
        char msg[1024];
        strncpy(msg, err_msg(), sizeof msg - 1);
        msg[sizeof msg - 1] = '\0';
        acme_challenges_withdraw(c, p, n);
        if (rc < 0) err_set(st, "%s", msg);
    }
    return rc;
}

/* New certificate key (cfg->key_type; reuse_key keeps the installed one) and its CSR. */
static int key_and_csr(const struct acme_config *cfg, struct arena *a, struct crypto_key *k,
                       struct buf *pem, uint8_t *csr, size_t *csr_len, int *keep)
{
    struct csr_opts o;
    char *text;
    size_t len;
    *keep = 0;
    if (cfg->reuse_key && file_read(cfg->key_file, a, &text, &len, KEY_PEM_MAX, NULL) == 0) {
        int rc = crypto_key_load_pem(k, text, len, cfg->key_file);
        memset(text, 0, len);
        if (rc < 0) return err_recode(ACME_ELOCAL);
        *keep = 1;
    } else {
        err_clear();
        if (crypto_key_generate(k, cfg->key_type) < 0 || crypto_key_write_pem(k, pem) < 0 ||
            buf_check(pem, "certificate key") < 0)
            return err_recode(ACME_ELOCAL);
    }
    memset(&o, 0, sizeof o);
    o.names = cfg->domains;
    o.n = cfg->n_domains;
    o.no_cn = !cfg->csr_cn;
    o.must_staple = cfg->must_staple;
    return crypto_csr(k, &o, csr, CSR_MAX, csr_len);
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
    static unsigned char key_mem[KEY_PEM_MAX], body[CSR_MAX * 2];
    static uint8_t csr[CSR_MAX];
    struct session *s = session_open(cfg, a, SESSION_ACCOUNT);
    struct acme *c;
    const char *url, *dir, **authz, *finalize, *cert_url;
    size_t n_authz, csr_len, cap;
    struct buf kp, b;
    char *csr64, *chain;
    int keep = 0, rc = -1, changed;

    if (s == NULL) return -1;
    c = &s->c;
    url = state_get(&s->st, STATE_STAGED_ORDER);
    dir = state_get(&s->st, STATE_STAGED_DIR);
    if (url == NULL || dir == NULL || strcmp(dir, c->dir.url) != 0) {
        err_set(ACME_ECONFIG, "no staged order for %s: run `acme challenges` first", c->dir.url);
        goto out;
    }
    log_v("finishing order %s", url);
    if (acme_post(c, url, NULL, 0, "getting the staged order") < 0) goto out;
    if (status_is(c, 0, "invalid")) {
        err_set(ACME_EREFUSED,
                "the staged order %s is invalid (expired or failed): run `acme "
                "challenges` again for a new one",
                url);
        forget(s);
        goto out;
    }
    if ((finalize = acme_json_str(c, 0, "finalize", "order")) == NULL ||
        order_authz(c, &authz, &n_authz) < 0)
        goto out;
    if (status_is(c, 0, "pending") && validate(c, authz, n_authz, publish) < 0) goto out;
    if (poll(c, url, "waiting for the order") < 0) goto out;
    if (status_is(c, 0, "ready")) {
        buf_init(&kp, key_mem, sizeof key_mem);
        if (key_and_csr(cfg, a, &key, &kp, csr, &csr_len, &keep) < 0) goto out;
        cap = b64_encoded_len(csr_len, B64_URL) + 1;
        if ((csr64 = arena_alloc(a, cap, "CSR")) == NULL ||
            b64_encode(csr64, cap, csr, csr_len, B64_URL) < 0)
            goto out;
        buf_init(&b, body, sizeof body);
        buf_printf(&b, "{\"csr\":\"%s\"}", csr64);
        if (buf_check(&b, "finalize request") < 0) goto out;
        if (acme_post(c, finalize, buf_cstr(&b), 0, "finalizing the order") < 0 ||
            poll(c, url, "waiting for the certificate") < 0)
            goto out;
    } else if (status_is(c, 0, "valid")) {
        err_set(ACME_EREFUSED, "the staged order %s was already finalized elsewhere", url);
        forget(s);
        goto out;
    }
    if (!status_is(c, 0, "valid")) {
        char st[32];
        status_of(c, st, sizeof st);
        err_set(ACME_EREFUSED, "the staged order is %s, not valid", st);
        goto out;
    }
    if ((cert_url = acme_json_str(c, 0, "certificate", "order")) == NULL ||
        acme_post(c, cert_url, NULL, 0, "downloading the certificate") < 0)
        goto out;
    if ((chain = arena_strndup(a, c->r.body, c->r.body_len, "certificate chain")) == NULL ||
        install_check(chain, c->r.body_len, &key, cfg->domains, cfg->n_domains, a) < 0)
        goto out;
    changed = install_files(cfg, keep ? NULL : (const char *)kp.p, kp.len, chain, c->r.body_len, a);
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
    memset(key_mem, 0, sizeof key_mem);
    crypto_key_wipe(&key);
    session_close(s);
    return rc;
}

static int stage(const struct acme_config *cfg, struct arena *a)
{
    struct session *s = session_open(cfg, a, SESSION_ACCOUNT);
    struct acme *c;
    const char *url, *dir, **authz;
    size_t n_authz, i;
    char st[32];
    int rc = -1;

    if (s == NULL) return -1;
    c = &s->c;
    url = state_get(&s->st, STATE_STAGED_ORDER);
    dir = state_get(&s->st, STATE_STAGED_DIR);
    if (url != NULL && dir != NULL && strcmp(dir, c->dir.url) == 0) {
        /* resume while the CA still considers the order usable */
        if (acme_post(c, url, NULL, 0, "getting the staged order") < 0 ||
            status_is(c, 0, "invalid") || status_is(c, 0, "valid")) {
            log_v("staged order %s is no longer usable: creating a new one", url);
            err_clear();
            url = NULL;
        }
    } else {
        url = NULL;
    }
    if (url == NULL) {
        if (order_create(c, &url) < 0) goto out;
        if (state_set(&s->st, STATE_STAGED_ORDER, url, a) < 0 ||
            state_set(&s->st, STATE_STAGED_DIR, c->dir.url, a) < 0 || state_save(&s->st) < 0)
            goto out;
    }
    status_of(c, st, sizeof st);
    out_printf("order: %s (%s)\n", url, st);
    if (order_authz(c, &authz, &n_authz) < 0) goto out;
    for (i = 0; i < n_authz; i++)
        if (acme_post(c, authz[i], NULL, 0, "getting an authorization") < 0 ||
            print_authz(c, authz[i]) < 0)
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
