/* Publishing challenge answers: the built-in HTTP-01 responder, webroot files, the DNS
 * hook, or the built-in TLS-ALPN-01 responder; and withdrawing them again whatever happened
 * in between. */
#include "acme.h"

#include "alpn.h"

#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "err.h"
#include "hook.h"
#include "http01.h"
#include "log.h"
#include "sys.h"

#define WELL_KNOWN "/.well-known/acme-challenge"
/* A responder lives at most as long as validation can take, plus a margin. */
#define RESPONDER_TIMEOUT(c) ((c)->poll_limit * 2 + 60)

/* The answer file for token; with token "" the directory (a trailing slash). */
static const char *webroot_path(struct acme *c, const char *token)
{
    return arena_printf(c->a, "webroot path", "%s" WELL_KNOWN "/%s", c->cfg->webroot, token);
}

/* dns_hook `action` ("add", "del") for p. The identifier's domain for ACME_DOMAIN: the
 * authorization's value (no "*."). */
static int dns_hook(struct acme *c, const struct acme_pending *p, const char *action)
{
    log_v("dns_hook %s %s", action, p->dns_name);
    return hook_dns(c->cfg->dns_hook, action, p->dns_name, p->dns_value, p->id_value, 0);
}

static int publish_dns(struct acme *c, struct acme_pending *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        p[i].published = 1; /* "del" runs even when "add" failed half-way */
        if (dns_hook(c, &p[i], "add") < 0) return err_recode(ACME_ETEMP);
    }
    if (c->cfg->dns_wait > 0) {
        log_v("waiting %d s for DNS (dns_wait)", c->cfg->dns_wait);
        sys_sleep((unsigned)c->cfg->dns_wait);
    }
    return 0;
}

static int publish_webroot(struct acme *c, struct acme_pending *p, size_t n)
{
    const char *dir = webroot_path(c, "");
    size_t i;
    if (dir == NULL) return -1;
    if (dir_make(dir, 0755) < 0) return err_recode(ACME_ELOCAL);
    for (i = 0; i < n; i++) {
        const char *path = webroot_path(c, p[i].token);
        if (path == NULL) return -1;
        if (file_write_atomic(path, p[i].key_auth, strlen(p[i].key_auth), 0644) < 0)
            return err_recode(ACME_ELOCAL);
        p[i].published = 1;
        log_vv("wrote %s", path);
    }
    return 0;
}

/* The responders check n against their limits (HTTP01_MAX_TOKENS, ALPN_MAX_NAMES). */
static int publish_http01(struct acme *c, struct acme_pending *p, size_t n)
{
    struct http01_token *t;
    size_t i;
    t = arena_alloc(c->a, n * sizeof *t, "HTTP-01 tokens");
    if (t == NULL) return -1;
    for (i = 0; i < n; i++) {
        t[i].token = p[i].token;
        t[i].key_auth = p[i].key_auth;
    }
    return http01_start(c->cfg->http_listen, t, n, RESPONDER_TIMEOUT(c));
}

/* One responder key (P-256, made here, never stored) and one certificate per name. */
static int publish_alpn(struct acme *c, struct acme_pending *p, size_t n)
{
    static struct crypto_key key;
    static uint8_t der[ALPN_CERT_MAX];
    struct alpn_cert *certs;
    char sni[ALPN_SNI_MAX];
    int64_t now = sys_now();
    size_t i, len;
    int rc;

    if ((certs = arena_alloc(c->a, n * sizeof *certs, "TLS-ALPN-01 certificates")) == NULL)
        return -1;
    if (crypto_key_generate(&key, KEY_EC256) < 0) return err_recode(ACME_ELOCAL);
    for (i = 0; i < n; i++) {
        if (alpn_sni(p[i].id_value, sni, sizeof sni) < 0 ||
            alpn_cert_make(&key, p[i].id_value, p[i].key_auth, now, der, sizeof der, &len) < 0 ||
            (certs[i].sni = arena_strdup(c->a, sni, "TLS-ALPN-01 certificates")) == NULL ||
            (certs[i].der = arena_alloc(c->a, len, "TLS-ALPN-01 certificates")) == NULL) {
            crypto_key_wipe(&key);
            return err_recode(err_status() == ACME_ECONFIG ? ACME_ECONFIG : ACME_ELOCAL);
        }
        memcpy((uint8_t *)(uintptr_t)certs[i].der, der, len);
        certs[i].der_len = len;
    }
    rc = alpn_start(c->cfg->alpn_listen, certs, n, &key, RESPONDER_TIMEOUT(c));
    crypto_key_wipe(&key); /* the responder has its own copy */
    return rc;
}

int acme_challenges_publish(struct acme *c, struct acme_pending *p, size_t n)
{
    if (config_dns01(c->cfg)) return publish_dns(c, p, n);
    if (c->cfg->webroot != NULL) return publish_webroot(c, p, n);
    /* a responder serves every answer or none (p->published is not used: withdraw stops it) */
    if (c->cfg->challenge == CHALLENGE_TLSALPN01) return publish_alpn(c, p, n);
    return publish_http01(c, p, n);
}

void acme_challenges_withdraw(struct acme *c, struct acme_pending *p, size_t n)
{
    size_t i;
    const char *path;
    int rc;
    if (!config_dns01(c->cfg) && c->cfg->webroot == NULL) {
        if (c->cfg->challenge == CHALLENGE_TLSALPN01)
            alpn_stop();
        else
            http01_stop();
        return;
    }
    for (i = 0; i < n; i++) {
        if (!p[i].published) continue;
        p[i].published = 0;
        if (config_dns01(c->cfg))
            rc = dns_hook(c, &p[i], "del");
        else
            rc = (path = webroot_path(c, p[i].token)) != NULL ? file_remove(path) : -1;
        if (rc < 0) log_warn("%s", err_msg());
    }
}
