/* Order, authorizations, polling, finalization and certificate download (RFC 8555 7.4, 7.5). */
#include "acme.h"

#include <stdio.h>
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

static const char *challenge_name(enum challenge_type t)
{
    switch (t) {
    case CHALLENGE_HTTP01:
        return "http-01";
    case CHALLENGE_DNS01:
        return "dns-01";
    case CHALLENGE_TLSALPN01:
        return "tls-alpn-01";
    }
    return "?";
}

/* The "status" of the object in c->doc, "" when missing. */
static int status_is(struct acme *c, const char *s)
{
    return json_str_eq(&c->doc, json_get(&c->doc, 0, "status"), s);
}

static int status_copy(struct acme *c, char *out, size_t cap)
{
    if (json_str(&c->doc, json_get(&c->doc, 0, "status"), out, cap, NULL) < 0) {
        err_clear();
        return err_set(ACME_EREFUSED, "the CA's response has no valid \"status\"");
    }
    return 0;
}

/* POST-as-GET `url` until its status is none of the waiting states (NULL-terminated), waiting
 * the Retry-After, else a backoff that starts at a quarter second (a CA usually validates in
 * well under a second) and doubles up to ACME_POLL_MAX_SLEEP; bounded by c->poll_limit
 * seconds. */
static int poll(struct acme *c, const char *url, const char *const *waiting, const char *what)
{
    int64_t start = sys_now();
    unsigned backoff_ms = 250;
    char status[32];
    size_t i;

    for (;;) {
        int wait = 0;
        unsigned delay_ms;
        if (acme_post(c, url, NULL, 0, what) < 0) return -1;
        if (status_copy(c, status, sizeof status) < 0) return err_prefix("%s", what);
        for (i = 0; waiting[i] != NULL; i++)
            if (strcmp(status, waiting[i]) == 0) wait = 1;
        if (!wait) return 0;
        if (c->r.retry_after >= 0) {
            delay_ms = c->r.retry_after > c->poll_limit ? (unsigned)c->poll_limit * 1000u + 1000u
                                                        : (unsigned)c->r.retry_after * 1000u;
        } else {
            delay_ms = backoff_ms;
            backoff_ms = backoff_ms * 2 > ACME_POLL_MAX_SLEEP * 1000u ? ACME_POLL_MAX_SLEEP * 1000u
                                                                      : backoff_ms * 2;
        }
        if ((sys_now() - start) * 1000 + (int64_t)delay_ms > c->poll_limit * 1000)
            return err_set(ACME_ETEMP,
                           "%s: still %s after %ld s (polling is bounded by timeout = %ld s)", what,
                           status, (long)(sys_now() - start), (long)c->poll_limit);
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
        jw_obj_begin(&w);
        jw_key(&w, "type");
        jw_str(&w, acme_identifier_kind(cfg->domains[i]) == ACME_ID_IP ? "ip" : "dns");
        jw_key(&w, "value");
        jw_str(&w, cfg->domains[i]);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    if (cfg->profile != NULL) {
        for (i = 0; i < c->dir.n_profiles; i++)
            if (strcmp(c->dir.profiles[i], cfg->profile) == 0) break;
        if (i == c->dir.n_profiles && !c->dir.profiles_more) {
            char list[512];
            struct buf l;
            buf_init(&l, list, sizeof list - 1);
            for (i = 0; i < c->dir.n_profiles; i++)
                buf_printf(&l, "%s%s", i > 0 ? ", " : "", c->dir.profiles[i]);
            list[l.overflow ? 0 : l.len] = '\0';
            return err_set(ACME_ECONFIG, "profile '%s' is not offered by %s (%s%s)", cfg->profile,
                           c->dir.url, c->dir.n_profiles > 0 ? "profiles: " : "no profiles", list);
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

/* Reads one authorization (in c->doc) into p: 1 when it needs a challenge answered, 0 when
 * it is already valid. */
static int authz_read(struct acme *c, const char *url, struct acme_pending *p)
{
    const char *want = challenge_name(c->cfg->challenge);
    char status[32];
    int chs, ch, id;
    size_t k;

    memset(p, 0, sizeof *p);
    p->authz_url = url;
    if (status_copy(c, status, sizeof status) < 0) return err_prefix("authorization %s", url);
    id = json_get(&c->doc, 0, "identifier");
    if ((p->id_value = acme_json_str(c, id, "value", "authorization")) == NULL) return -1;
    p->wildcard = json_type(&c->doc, json_get(&c->doc, 0, "wildcard")) == JSON_TRUE;
    if (strcmp(status, "valid") == 0) {
        log_v("%s%s: already authorized", p->wildcard ? "*." : "", p->id_value);
        return 0;
    }
    if (strcmp(status, "pending") != 0)
        return err_set(ACME_EREFUSED, "authorization of %s%s is %s", p->wildcard ? "*." : "",
                       p->id_value, status);
    chs = json_get(&c->doc, 0, "challenges");
    for (k = 0; (ch = json_index(&c->doc, chs, k)) >= 0; k++) {
        if (!json_str_eq(&c->doc, json_get(&c->doc, ch, "type"), want)) continue;
        if ((p->chall_url = acme_json_str(c, ch, "url", "challenge")) == NULL ||
            (p->token = acme_json_str(c, ch, "token", "challenge")) == NULL)
            return -1;
        /* A token goes into a file name and a URL path: base64url only (RFC 8555 8.1). */
        if (p->token[0] == '\0' || strspn(p->token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
                                                    "rstuvwxyz0123456789-_") != strlen(p->token))
            return err_set(ACME_EREFUSED, "challenge token for %s is not base64url", p->id_value);
        return 1;
    }
    return err_set(ACME_EREFUSED, "the CA offers no %s challenge for %s%s%s", want,
                   p->wildcard ? "*." : "", p->id_value,
                   p->wildcard ? " (wildcards need dns-01)" : "");
}

/* Key authorizations and DNS-01 values for the pending authorizations. */
static int prepare(struct acme *c, struct acme_pending *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        size_t cap = strlen(p[i].token) + JWS_THUMBPRINT_LEN + 2;
        char *ka = arena_alloc(c->a, cap, "key authorization");
        struct buf b;
        uint8_t h[32];
        if (ka == NULL) return -1;
        buf_init(&b, ka, cap);
        if (jws_key_authorization(p[i].token, c->thumbprint, &b) < 0 || buf_cstr(&b) == NULL)
            return buf_check(&b, "key authorization");
        p[i].key_auth = ka;
        if (c->cfg->challenge == CHALLENGE_DNS01) {
            crypto_sha256(ka, b.len, h);
            if (b64_encode(p[i].dns_value, sizeof p[i].dns_value, h, sizeof h, B64_URL) < 0)
                return -1;
            p[i].dns_name = arena_printf(c->a, "DNS name", "_acme-challenge.%s", p[i].id_value);
            if (p[i].dns_name == NULL) return -1;
        }
    }
    return 0;
}

/* After an authorization turned invalid (in c->doc): the error of its failed challenge. */
static int validation_error(struct acme *c, const struct acme_pending *p)
{
    char msg[800];
    int chs = json_get(&c->doc, 0, "challenges"), ch, e;
    size_t k;
    for (k = 0; (ch = json_index(&c->doc, chs, k)) >= 0; k++) {
        e = json_get(&c->doc, ch, "error");
        if (json_type(&c->doc, e) != JSON_OBJECT) continue;
        const struct json_tok *t = &c->doc.toks[e];
        problem_format(c->doc.text + t->start, t->end - t->start, 0, msg, sizeof msg);
        return err_set(ACME_EVALID, "validation of %s%s failed: %s", p->wildcard ? "*." : "",
                       p->id_value, msg);
    }
    return err_set(ACME_EVALID, "validation of %s%s failed (the CA gave no reason)",
                   p->wildcard ? "*." : "", p->id_value);
}

static int answer_and_wait(struct acme *c, struct acme_pending *p, size_t n)
{
    static const char *const waiting[] = {"pending", "processing", NULL};
    size_t i;
    for (i = 0; i < n; i++) {
        log_v("answering %s challenge for %s%s", challenge_name(c->cfg->challenge),
              p[i].wildcard ? "*." : "", p[i].id_value);
        if (acme_post(c, p[i].chall_url, "{}", 0, "answering a challenge") < 0) return -1;
    }
    for (i = 0; i < n; i++) {
        if (poll(c, p[i].authz_url, waiting, "waiting for validation") < 0) return -1;
        if (!status_is(c, "valid")) {
            if (status_is(c, "invalid")) return validation_error(c, &p[i]);
            char st[32] = "?";
            json_str(&c->doc, json_get(&c->doc, 0, "status"), st, sizeof st, NULL);
            return err_set(ACME_EREFUSED, "authorization of %s became %s", p[i].id_value, st);
        }
        log_v("%s%s: validated", p[i].wildcard ? "*." : "", p[i].id_value);
    }
    return 0;
}

/* Downloads a certificate chain into the arena. */
static int download(struct acme *c, const char *url, char **pem, size_t *len)
{
    if (acme_post(c, url, NULL, 0, "downloading the certificate") < 0) return -1;
    if (c->r.status != 200 || c->r.body_len == 0)
        return err_set(ACME_ETEMP, "downloading the certificate: HTTP %d, %zu bytes", c->r.status,
                       c->r.body_len);
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

    if (want == NULL) return 0;
    for (i = 0; i < c->r.nlinks; i++)
        if (strcmp(c->r.links[i].rel, "alternate") == 0 &&
            (alt[nalt] = arena_strdup(c->a, c->r.links[i].url, "alternate chain URL")) != NULL)
            nalt++;
    if (install_chain_top_issuer(*pem, *len, cn, sizeof cn, c->a) == 0 && strcmp(cn, want) == 0)
        return 0;
    for (i = 0; i < nalt; i++) {
        char *p2;
        size_t l2;
        if (download(c, alt[i], &p2, &l2) < 0) return -1;
        if (install_chain_top_issuer(p2, l2, cn, sizeof cn, c->a) == 0 && strcmp(cn, want) == 0) {
            log_v("using the alternate chain with top issuer '%s'", want);
            *pem = p2;
            *len = l2;
            return 0;
        }
    }
    err_clear();
    log_warn("no chain with top issuer '%s' (preferred_chain); using the default chain", want);
    return 0;
}

/* After a failed newOrder with "replaces": 1 when the CA refused the replacement itself
 * (409 alreadyReplaced, or a 403 about the replaced certificate), so ordering without it may
 * work. */
static int replaces_refused(struct acme *c)
{
    char type[256];
    problem_type(c->r.body, c->r.body_len, type, sizeof type);
    if (c->r.status == 409) return problem_is(type, "alreadyReplaced");
    if (c->r.status == 403)
        return problem_is(type, "unauthorized") ||
               (c->r.body != NULL && strstr(c->r.body, "replace") != NULL);
    return 0;
}

/* newOrder, with "replaces" when given: retried once without it when the CA refuses it. */
static int new_order(struct acme *c, struct buf *b, const char *replaces)
{
    char msg[1024];
    int st;
    if (order_payload(c, b, replaces) < 0) return -1;
    if (acme_post(c, c->dir.new_order, buf_cstr(b), 0, "creating the order") == 0) return 0;
    if (replaces == NULL) return -1;
    st = err_status(); /* problem_type() below clears the error */
    snprintf(msg, sizeof msg, "%s", err_msg());
    if (!replaces_refused(c)) return err_set(st, "%s", msg);
    log_warn("%s; ordering again without \"replaces\"", msg);
    err_clear();
    buf_init(b, b->p, b->cap);
    if (order_payload(c, b, NULL) < 0) return -1;
    return acme_post(c, c->dir.new_order, buf_cstr(b), 0, "creating the order");
}

int acme_issue(struct acme *c, const uint8_t *csr_der, size_t csr_len, char **pem, size_t *pem_len)
{
    return acme_issue_replacing(c, NULL, csr_der, csr_len, pem, pem_len);
}

int acme_issue_replacing(struct acme *c, const char *replaces, const uint8_t *csr_der,
                         size_t csr_len, char **pem, size_t *pem_len)
{
    static const char *const order_waiting[] = {"pending", "processing", NULL};
    static unsigned char body[16384];
    const char *order_url, *finalize, *cert_url, **authz;
    struct acme_pending *p;
    size_t n_authz, n = 0, i;
    struct buf b;
    int chs, r, rc;

    buf_init(&b, body, sizeof body);
    if (new_order(c, &b, replaces) < 0) return -1;
    if (c->r.location[0] == '\0')
        return err_set(ACME_EREFUSED, "creating the order: the CA sent no order URL");
    if ((order_url = arena_strdup(c->a, c->r.location, "order URL")) == NULL ||
        (finalize = acme_json_str(c, 0, "finalize", "order")) == NULL)
        return -1;
    log_v("order %s", order_url);
    chs = json_get(&c->doc, 0, "authorizations");
    if (json_type(&c->doc, chs) != JSON_ARRAY)
        return err_set(ACME_EREFUSED, "the order has no authorizations");
    n_authz = c->doc.toks[chs].size;
    if (n_authz > CONFIG_MAX_NAMES)
        return err_set(ACME_EREFUSED,
                       "the order has %zu authorizations (more than "
                       "CONFIG_MAX_NAMES)",
                       n_authz);
    authz = arena_alloc(c->a, (n_authz + 1) * sizeof *authz, "authorization list");
    p = arena_alloc(c->a, (n_authz + 1) * sizeof *p, "authorization list");
    if (authz == NULL || p == NULL) return -1;
    for (i = 0; i < n_authz; i++) {
        int t = json_index(&c->doc, chs, i);
        if (json_type(&c->doc, t) != JSON_STRING ||
            (authz[i] = json_str_dup(&c->doc, t, c->a)) == NULL)
            return err_set(ACME_EREFUSED, "the order's authorization %zu is not a URL", i);
    }

    for (i = 0; i < n_authz; i++) {
        if (acme_post(c, authz[i], NULL, 0, "getting an authorization") < 0) return -1;
        if ((r = authz_read(c, authz[i], &p[n])) < 0) return -1;
        n += (size_t)r;
    }
    if (n > 0) {
        if (prepare(c, p, n) < 0) return -1;
        rc = acme_challenges_publish(c, p, n);
        if (rc == 0) rc = answer_and_wait(c, p, n);
        if (rc < 0) {
            /* keep the error across the cleanup */
            int st = err_status();
            char msg[1024];
            memcpy(msg, err_msg(), sizeof msg);
            msg[sizeof msg - 1] = '\0';
            acme_challenges_withdraw(c, p, n);
            return err_set(st, "%s", msg);
        }
        acme_challenges_withdraw(c, p, n);
    }

    if (poll(c, order_url, order_waiting, "waiting for the order") < 0) return -1;
    if (status_is(c, "ready")) {
        char *csr64;
        size_t cap = b64_encoded_len(csr_len, B64_URL) + 1;
        if ((csr64 = arena_alloc(c->a, cap, "CSR")) == NULL ||
            b64_encode(csr64, cap, csr_der, csr_len, B64_URL) < 0)
            return -1;
        buf_init(&b, body, sizeof body);
        buf_printf(&b, "{\"csr\":\"%s\"}", csr64);
        if (buf_check(&b, "finalize request") < 0) return -1;
        log_v("finalizing the order");
        if (acme_post(c, finalize, buf_cstr(&b), 0, "finalizing the order") < 0) return -1;
        if (status_is(c, "processing") &&
            poll(c, order_url, order_waiting, "waiting for the certificate") < 0)
            return -1;
    }
    if (!status_is(c, "valid")) {
        char st[32] = "?";
        int e = json_get(&c->doc, 0, "error");
        json_str(&c->doc, json_get(&c->doc, 0, "status"), st, sizeof st, NULL);
        if (json_type(&c->doc, e) == JSON_OBJECT) {
            const struct json_tok *t = &c->doc.toks[e];
            return problem_error("the order failed", c->doc.text + t->start, t->end - t->start, 0,
                                 -1, ACME_EREFUSED);
        }
        return err_set(ACME_EREFUSED, "the order is %s, not valid", st);
    }
    if ((cert_url = acme_json_str(c, 0, "certificate", "order")) == NULL) return -1;
    if (download(c, cert_url, pem, pem_len) < 0) return -1;
    return choose_chain(c, pem, pem_len);
}
