/* Order, authorizations, polling, finalization and certificate download (RFC 8555 7.4, 7.5). */
#include "acme.h"

#include <string.h>

#include "arena.h"
#include "base64.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "install.h"
#include "log.h"
#include "problem.h"
#include "sys.h"
#include "x509.h"
#include "fmt.h"
#include "ipaddr.h"
#include "str.h"

/* The newOrder and finalize request bodies (never needed at the same time). */
static unsigned char order_body[16384];

/* By enum challenge_type. */
static const char *const challenge_names[] = {"http-01", "dns-01", "tls-alpn-01"};

int acme_status_is(struct acme *c, const char *s)
{
    return json_str_eq(&c->doc, json_get(&c->doc, 0, "status"), s);
}

int acme_status(struct acme *c, char *out, size_t cap)
{
    if (json_str(&c->doc, json_get(&c->doc, 0, "status"), out, cap, NULL) == 0) return 0;
    memcpy(out, "?", 2);
    err_clear();
    return -1;
}

/* The status of c->doc into out; an error naming `what` when it has none. */
static int status_copy(struct acme *c, char *out, size_t cap, const char *what)
{
    if (acme_status(c, out, cap) < 0)
        return err_set(ACME_EREFUSED, "%s: the CA's response has no \"%s\"", what, "status");
    return 0;
}

/* Without a Retry-After the backoff starts at 50 ms and doubles: a CA often answers within a
 * few milliseconds once it has seen the challenge answered (Pebble, a local step-ca), and a
 * slower one (Let's Encrypt: one to a few seconds) costs about two polls more than a start at
 * a quarter second would. */
int acme_poll(struct acme *c, const char *url, const char *what)
{
    int64_t start = sys_now(), waited;
    unsigned backoff_ms = 50, delay_ms;
    char status[ACME_STATUS_MAX];

    for (;;) {
        if (acme_post(c, url, NULL, 0, what) < 0) return -1;
        if (status_copy(c, status, sizeof status, what) < 0) return -1;
        if (strcmp(status, "pending") != 0 && strcmp(status, "processing") != 0) return 0;
        if (c->r.retry_after > c->poll_limit) {
            delay_ms = (unsigned)c->poll_limit * 1000u + 1000u;
        } else if (c->r.retry_after >= 0) {
            delay_ms = (unsigned)c->r.retry_after * 1000u;
        } else {
            delay_ms = backoff_ms;
            if ((backoff_ms *= 2) > ACME_POLL_MAX_SLEEP * 1000u)
                backoff_ms = ACME_POLL_MAX_SLEEP * 1000u;
        }
        waited = sys_now() - start;
        if (waited * 1000 + delay_ms > (int64_t)c->poll_limit * 1000)
            return err_set(ACME_ETEMP, "%s: still %s after %ld s (timeout = %d s)", what, status,
                           (long)waited, c->poll_limit);
        log_vv("%s: %s, checking again in %u ms", what, status, delay_ms);
#ifndef ACME_FUZZING /* the fuzzer's scripted CA ends every loop by running out of script */
        sys_sleep_ms(delay_ms);
#endif
    }
}

/* The newOrder payload; replaces: an ARI certID (RFC 9773 5) or NULL. */
static int order_payload(struct acme *c, struct buf *b, const char *replaces)
{
    const struct acme_config *cfg = c->cfg;
    struct json_writer w;
    size_t i;

    jw_init(&w, b);
    jw_obj_begin(&w);
    jw_key(&w, "identifiers");
    jw_arr_begin(&w);
    for (i = 0; i < cfg->n_domains; i++) {
        uint8_t ip[16];
        jw_obj_begin(&w);
        jw_key(&w, "type");
        jw_str(&w, ipaddr_parse(cfg->domains[i], strlen(cfg->domains[i]), ip) ? "ip" : "dns");
        jw_key(&w, "value");
        jw_str(&w, cfg->domains[i]);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    if (cfg->profile != NULL) {
        for (i = 0; i < c->dir.n_profiles; i++)
            if (strcmp(c->dir.profiles[i], cfg->profile) == 0) break;
        if (i == c->dir.n_profiles && !c->dir.profiles_more) {
            char list[512]; /* ", a, b": printed from list + 1 */
            struct buf l;
            buf_init(&l, list, sizeof list - 1);
            for (i = 0; i < c->dir.n_profiles; i++)
                buf_printf(&l, ", %s", c->dir.profiles[i]);
            list[l.overflow ? 0 : l.len] = '\0';
            return err_set(ACME_ECONFIG, "profile '%s' is not offered by %s (profiles:%s)",
                           cfg->profile, c->dir.url, list[0] != '\0' ? list + 1 : " none");
        }
        jw_key(&w, "profile");
        jw_str(&w, cfg->profile);
    }
    if (replaces != NULL) {
        jw_key(&w, "replaces");
        jw_str(&w, replaces);
    }
    jw_obj_end(&w);
    return buf_check(b, "newOrder request");
}

/* After a failed newOrder with "replaces": 1 when the CA refused the replacement itself
 * (409 alreadyReplaced, or a 403 about the replaced certificate), so ordering without it may
 * work. problem_type() keeps the error. */
static int replaces_refused(struct acme *c)
{
    char type[256];
    problem_type(c->r.body, c->r.body_len, type, sizeof type);
    if (c->r.status == 409) return problem_is(type, "alreadyReplaced");
    if (c->r.status == 403)
        return problem_is(type, "unauthorized") ||
               (c->r.body != NULL && str_find(c->r.body, "replace") != NULL);
    return 0;
}

int acme_order_create(struct acme *c, const char *replaces, struct acme_order *o)
{
    const char *url;
    struct buf b;

    /* newOrder, with "replaces" when given: sent once more without it when the CA refuses
     * it */
    for (;;) {
        buf_init(&b, order_body, sizeof order_body);
        if (order_payload(c, &b, replaces) < 0) return -1;
        if (acme_post(c, c->dir.new_order, buf_cstr(&b), 0, "creating the order") == 0) break;
        if (replaces == NULL || !replaces_refused(c)) return -1;
        log_warn("%s; ordering again without \"replaces\"", err_msg());
        err_clear();
        replaces = NULL;
    }
    if ((url = acme_location(c, "creating the order")) == NULL) return -1;
    log_v("order %s", url);
    return acme_order_read(c, url, o);
}

int acme_order_read(struct acme *c, const char *url, struct acme_order *o)
{
    int arr = json_get(&c->doc, 0, "authorizations");
    size_t i;

    o->url = url;
    if ((o->finalize = acme_json_str(c, 0, "finalize", "order")) == NULL) return -1;
    if (json_type(&c->doc, arr) != JSON_ARRAY)
        return err_set(ACME_EREFUSED, "%s: the CA's response has no \"%s\"", "order",
                       "authorizations");
    o->n_authz = c->doc.toks[arr].size;
    if (o->n_authz > CONFIG_MAX_NAMES)
        return err_set(ACME_EREFUSED, "the order has %zu authorizations (at most %d)", o->n_authz,
                       CONFIG_MAX_NAMES);
    o->authz = arena_alloc(c->a, (o->n_authz + 1) * sizeof *o->authz, "authorization list");
    if (o->authz == NULL) return -1;
    for (i = 0; i < o->n_authz; i++) {
        if ((o->authz[i] = json_str_dup(&c->doc, json_index(&c->doc, arr, i), c->a)) == NULL)
            return err_set(ACME_EREFUSED, "the order's authorization %zu is not a URL", i);
    }
    return 0;
}

int acme_authz_identifier(struct acme *c, struct acme_pending *p)
{
    int id = json_get(&c->doc, 0, "identifier");
    if ((p->id_value = acme_json_str(c, id, "value", "authorization")) == NULL) return -1;
    p->wildcard = json_type(&c->doc, json_get(&c->doc, 0, "wildcard")) == JSON_TRUE;
    p->name = p->id_value;
    if (p->wildcard) p->name = arena_printf(c->a, "identifier", "*.%s", p->id_value);
    return p->name == NULL ? -1 : 0;
}

int acme_pending_answer(struct acme *c, struct acme_pending *p, int dns)
{
    size_t cap = strlen(p->token) + JWS_THUMBPRINT_LEN + 2;
    char *ka = arena_alloc(c->a, cap, "key authorization");
    struct buf b;
    uint8_t h[32];

    if (ka == NULL) return -1;
    buf_init(&b, ka, cap);
    /* it checks the token: it goes into a file name and a URL path */
    if (jws_key_authorization(p->token, c->thumbprint, &b) < 0 || buf_cstr(&b) == NULL)
        return err_prefix("%s", p->name);
    p->key_auth = ka;
    if (!dns) return 0;
    crypto_sha256(ka, b.len, h);
    if (b64_encode(p->dns_value, sizeof p->dns_value, h, sizeof h, B64_URL) < 0) return -1;
    p->dns_name = arena_printf(c->a, "DNS name", "_acme-challenge.%s", p->id_value);
    return p->dns_name == NULL ? -1 : 0;
}

/* GETs authorization `url` into p: 1 when its configured challenge needs answering (answer
 * prepared), 0 when it is already valid. */
static int authz_read(struct acme *c, const char *url, struct acme_pending *p)
{
    const char *want = challenge_names[c->cfg->challenge];
    char status[ACME_STATUS_MAX];
    int ch;
    size_t k;

    memset(p, 0, sizeof *p);
    p->authz_url = url;
    if (acme_post(c, url, NULL, 0, "getting an authorization") < 0) return -1;
    if (status_copy(c, status, sizeof status, url) < 0) return -1;
    if (acme_authz_identifier(c, p) < 0) return -1;
    if (strcmp(status, "valid") == 0) {
        log_v("%s: already authorized", p->name);
        return 0;
    }
    if (strcmp(status, "pending") != 0)
        return err_set(ACME_EREFUSED, "authorization of %s is %s", p->name, status);
    for (k = 0; (ch = json_index(&c->doc, json_get(&c->doc, 0, "challenges"), k)) >= 0; k++) {
        if (!json_str_eq(&c->doc, json_get(&c->doc, ch, "type"), want)) continue;
        if ((p->chall_url = acme_json_str(c, ch, "url", "challenge")) == NULL ||
            (p->token = acme_json_str(c, ch, "token", "challenge")) == NULL ||
            acme_pending_answer(c, p, config_dns01(c->cfg)) < 0)
            return -1;
        return 1;
    }
    return err_set(ACME_EREFUSED, "the CA offers no %s challenge for %s%s", want, p->name,
                   p->wildcard ? " (wildcards need dns-01)" : "");
}

/* err_set() with the problem document in member "error" of object obj of c->doc, prefixed by
 * what; 0 when there is none. */
static int doc_error(struct acme *c, int obj, const char *what, int status)
{
    int e = json_get(&c->doc, obj, "error");
    const struct json_tok *t;
    if (json_type(&c->doc, e) != JSON_OBJECT) return 0;
    t = &c->doc.toks[e];
    return problem_error(what, c->doc.text + t->start, t->end - t->start, 0, -1, status);
}

/* Answers the n pending challenges, then waits for each authorization to become valid. */
static int answer_and_wait(struct acme *c, struct acme_pending *p, size_t n)
{
    char st[ACME_STATUS_MAX], what[320];
    size_t i, k;
    int ch;
    for (i = 0; i < n; i++) {
        log_v("answering %s challenge for %s", challenge_names[c->cfg->challenge], p[i].name);
        if (acme_post(c, p[i].chall_url, "{}", 0, "answering a challenge") < 0) return -1;
    }
    for (i = 0; i < n; i++) {
        if (acme_poll(c, p[i].authz_url, "waiting for validation") < 0) return -1;
        acme_status(c, st, sizeof st);
        if (strcmp(st, "invalid") == 0) { /* the error of its failed challenge */
            fmt_snprintf(what, sizeof what, "validation of %s failed", p[i].name);
            for (k = 0; (ch = json_index(&c->doc, json_get(&c->doc, 0, "challenges"), k)) >= 0; k++)
                if (doc_error(c, ch, what, ACME_EVALID) < 0) return -1;
            return err_set(ACME_EVALID, "%s (the CA gave no reason)", what);
        }
        if (strcmp(st, "valid") != 0)
            return err_set(ACME_EREFUSED, "authorization of %s is %s", p[i].name, st);
        log_v("%s: validated", p[i].name);
    }
    return 0;
}

int acme_authorize(struct acme *c, const struct acme_order *o, int publish)
{
    struct acme_pending *p;
    struct held_error held;
    size_t n = 0, i;
    int r;

    p = arena_alloc(c->a, (o->n_authz + 1) * sizeof *p, "authorization list");
    if (p == NULL) return -1;
    for (i = 0; i < o->n_authz; i++) {
        if ((r = authz_read(c, o->authz[i], &p[n])) < 0) return -1;
        n += (size_t)r;
    }
    if (n == 0) return 0;
    if (!publish) return answer_and_wait(c, p, n);
    r = acme_challenges_publish(c, p, n);
    if (r == 0) r = answer_and_wait(c, p, n);
    error_hold(&held); /* keep the error (if any) across the cleanup */
    acme_challenges_withdraw(c, p, n);
    if (r < 0) return error_restore(&held);
    return 0;
}

/* POST-as-GET of a certificate URL; the chain copied into the arena. */
static int download_chain(struct acme *c, const char *url, char **pem, size_t *len)
{
    const char *ct = c->r.content_type;
    if (acme_post(c, url, NULL, 0, "downloading the certificate") < 0) return -1;
    if (c->r.status != 200 || c->r.body_len == 0 || !acme_media_type_is(ct, ACME_PEM_CHAIN))
        return err_set(
            ACME_ETEMP, "downloading %s: HTTP %d, %zu bytes of %s (expected 200 with %s)", url,
            c->r.status, c->r.body_len, ct[0] != '\0' ? ct : "(no type)", ACME_PEM_CHAIN);
    *pem = arena_strndup(c->a, c->r.body, c->r.body_len, "certificate chain");
    *len = c->r.body_len;
    return *pem == NULL ? -1 : 0;
}

/* Default chain at *pem; if preferred_chain is set and the default's top issuer CN is not it,
 * try the alternates (Link rel="alternate"). */
static int choose_chain(struct acme *c, char **pem, size_t *len)
{
    const char *want = c->cfg->preferred_chain;
    const char *alt[HTTP_MAX_LINKS];
    size_t nalt = 0, i;
    char cn[X509_CN_MAX];
    char *p = *pem;
    size_t l = *len;

    if (want == NULL) return 0;
    for (i = 0; i < c->r.nlinks; i++)
        if (strcmp(c->r.links[i].rel, "alternate") == 0 &&
            (alt[nalt] = arena_strdup(c->a, c->r.links[i].url, "alternate chain URL")) != NULL)
            nalt++;
    /* i == 0: the default chain, then alternate i - 1 */
    for (i = 0;; i++) {
        if (install_chain_top_issuer(p, l, cn, sizeof cn, c->a) == 0 && strcmp(cn, want) == 0) {
            if (i > 0) log_v("preferred_chain '%s': %s", want, "using an alternate chain");
            *pem = p;
            *len = l;
            return 0;
        }
        if (i == nalt) break;
        if (download_chain(c, alt[i], &p, &l) < 0) return -1;
    }
    err_clear();
    log_warn("preferred_chain '%s': %s", want, "not offered, using the default chain");
    return 0;
}

int acme_finalize_and_download(struct acme *c, const struct acme_order *o, const uint8_t *csr_der,
                               size_t csr_len, char **pem, size_t *pem_len)
{
    const char *cert_url;
    char st[ACME_STATUS_MAX];

    if (acme_status_is(c, "ready")) {
        struct buf b;
        buf_init(&b, order_body, sizeof order_body);
        buf_puts(&b, "{\"csr\":\"");
        jws_b64url(&b, csr_der, csr_len);
        buf_put(&b, "\"}", 3); /* with the NUL */
        if (buf_check(&b, "finalize request") < 0) return -1;
        log_v("finalizing the order");
        if (acme_post(c, o->finalize, (const char *)order_body, 0, "finalizing the order") < 0)
            return -1;
        if (acme_status_is(c, "processing") &&
            acme_poll(c, o->url, "waiting for the certificate") < 0)
            return -1;
    }
    if (!acme_status_is(c, "valid")) {
        if (doc_error(c, 0, "the order failed", ACME_EREFUSED) < 0) return -1;
        acme_status(c, st, sizeof st);
        return err_set(ACME_EREFUSED, "the order is %s, not valid", st);
    }
    if ((cert_url = acme_json_str(c, 0, "certificate", "order")) == NULL ||
        download_chain(c, cert_url, pem, pem_len) < 0)
        return -1;
    return choose_chain(c, pem, pem_len);
}

int acme_issue_replacing(struct acme *c, const char *replaces, const uint8_t *csr_der,
                         size_t csr_len, char **pem, size_t *pem_len)
{
    struct acme_order o;
    if (acme_order_create(c, replaces, &o) < 0 || acme_authorize(c, &o, 1) < 0 ||
        acme_poll(c, o.url, "waiting for the order") < 0)
        return -1;
    return acme_finalize_and_download(c, &o, csr_der, csr_len, pem, pem_len);
}
