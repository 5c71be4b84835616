/* The no-command run: lock, backoff, ARI check, decide, jitter, issue, check, install,
 * reload, and the renewal state (core/renew.h has the rules). */
#include "acme.h"

#include "alpn.h"
#include "http01.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "cert_key.h"
#include "config.h"
#include "err.h"
#include "hook.h"
#include "install.h"
#include "log.h"
#include "pem.h"
#include "rfc3339.h"
#include "renew.h"
#include "state.h"
#include "sys.h"
#include "transport.h"
#include "x509.h"
#include "fmt.h"

#define CERT_FILE_MAX (256 * 1024)

/* Reads the installed leaf: 1 with info filled, 0 when there is none, -1 on an error. */
static int installed_leaf(const struct acme_config *cfg, struct arena *a, struct x509_info *x)
{
    char *text;
    size_t len, pos = 0, der_len;
    int missing = 0, r;
    uint8_t *der;
    if (file_read(cfg->cert_file, a, &text, &len, CERT_FILE_MAX, &missing) < 0) {
        if (missing) {
            err_clear();
            return 0;
        }
        return err_recode(ACME_ELOCAL);
    }
    if ((der = arena_alloc(a, len, "reading the certificate")) == NULL) return -1;
    r = pem_next(text, len, &pos, "CERTIFICATE", NULL, der, len, &der_len);
    if (r <= 0 || x509_parse(der, der_len, x) < 0) {
        log_warn("%s: %s; getting a new certificate", cfg->cert_file,
                 r == 0 ? "no certificate" : err_msg());
        err_clear();
        return 0;
    }
    return 1;
}

/* One run's session: everything is set up only when first needed, so that a not-due run
 * touches neither the network nor the CA file. */
struct run {
    const struct acme_config *cfg;
    struct arena *a;
    struct transport *t; /* given (tests) or made on first need */
    int started;         /* directory fetched */
    struct http_client http;
    struct acme c;
    struct state st;
    int have; /* a certificate is installed */
    struct x509_info x;
    char certid[RENEW_CERTID_MAX]; /* "" when it has none (no AKI) */
    int changed;                   /* files and links install_files() changed */
};

static int run_start(struct run *r)
{
    if (r->started) return 0;
    if (r->t == NULL) {
        struct transport_opts o;
        memset(&o, 0, sizeof o);
        o.ca_file = r->cfg->ca_file;
        o.timeout = r->cfg->timeout;
        o.bind_address = r->cfg->bind_address;
        if ((r->t = tls_transport(&o)) == NULL)
            return err_status() != ACME_OK ? -1 : err_set(ACME_ELOCAL, "no TLS transport");
    }
    http_client_init(&r->http, r->t);
    acme_init(&r->c, r->cfg, &r->http, &r->st, r->a);
    if (acme_directory(&r->c) < 0) return -1;
    r->started = 1;
    return 0;
}

static void run_close(struct run *r)
{
    if (r->http.t != NULL) {
        log_v("%u HTTPS requests (%u signed), %u TLS handshakes", r->http.requests, r->c.posts,
              r->t->handshakes);
        http_client_close(&r->http);
    }
    crypto_key_wipe(&r->c.account_key);
}

static void save_state(struct run *r)
{
    if (state_save(&r->st) < 0) {
        log_warn("%s", err_msg());
        err_clear();
    }
}

static void forget_ari(struct run *r)
{
    state_set(&r->st, STATE_ARI_START, NULL, r->a);
    state_set(&r->st, STATE_ARI_END, NULL, r->a);
    state_set(&r->st, STATE_ARI_AT, NULL, r->a);
    state_set(&r->st, STATE_ARI_EXPLANATION, NULL, r->a);
}

/* Asks the CA for the installed certificate's renewal window when a check is due (the stored
 * next-check time has passed); otherwise makes no request. ARI failures only warn: the
 * lifetime rule (or the window from an earlier answer) decides then. */
static void ari_check(struct run *r, int64_t now)
{
    struct renew_window w, old;
    const char *id = state_get(&r->st, STATE_ARI_CERTID);
    char expl[512], when[40];
    int64_t next;
    long ra;

    if (!r->have || r->certid[0] == '\0') return;
    if (id == NULL || strcmp(id, r->certid) != 0) { /* about another certificate: start over */
        forget_ari(r);
        state_set(&r->st, STATE_ARI_NONE, NULL, r->a);
        state_set(&r->st, STATE_ARI_NEXT_CHECK, NULL, r->a);
        if (state_set(&r->st, STATE_ARI_CERTID, r->certid, r->a) < 0) err_clear();
    }
    state_get_int(&r->st, STATE_ARI_NEXT_CHECK, 0, &next);
    if (now < next) {
        time_format_utc(next, when, sizeof when);
        log_v("ARI: next check after %s", when);
        return;
    }
    if (run_start(r) < 0) {
        log_warn("ARI check failed: %s; using the lifetime rule", err_msg());
        err_clear();
        state_set_int(&r->st, STATE_ARI_NEXT_CHECK, now + RENEW_ARI_RETRY_FAILED, r->a);
        return;
    }
    if (r->c.dir.renewal_info == NULL) {
        log_v("ARI: the CA has no renewalInfo; lifetime rule");
        forget_ari(r);
        state_set(&r->st, STATE_ARI_NONE, "1", r->a);
        state_set_int(&r->st, STATE_ARI_NEXT_CHECK, now + RENEW_NO_ARI_RECHECK, r->a);
        return;
    }
    state_set(&r->st, STATE_ARI_NONE, NULL, r->a);
    if (acme_renewal_info(&r->c, r->certid, &w, expl, sizeof expl, &ra) < 0) {
        log_warn("ARI check failed: %s; using %s", err_msg(),
                 state_get(&r->st, STATE_ARI_AT) != NULL ? "the window from the last answer"
                                                         : "the lifetime rule");
        err_clear();
        state_set_int(&r->st, STATE_ARI_NEXT_CHECK, now + RENEW_ARI_RETRY_FAILED, r->a);
        return;
    }
    state_get_int(&r->st, STATE_ARI_START, 0, &old.start);
    state_get_int(&r->st, STATE_ARI_END, 0, &old.end);
    state_get_int(&r->st, STATE_ARI_AT, 0, &old.at);
    if (old.start != w.start || old.end != w.end || old.at < w.start || old.at >= w.end) {
        /* a new window: choose the moment once, uniformly inside it */
        uint8_t rnd[8];
        uint64_t v = 0;
        size_t i;
        if (crypto_random(rnd, sizeof rnd) < 0) {
            log_warn("%s", err_msg());
            err_clear();
            memset(rnd, 0, sizeof rnd);
        }
        for (i = 0; i < sizeof rnd; i++)
            v = v << 8 | rnd[i];
        w.at = renew_ari_pick(w.start, w.end, v);
        state_set_int(&r->st, STATE_ARI_START, w.start, r->a);
        state_set_int(&r->st, STATE_ARI_END, w.end, r->a);
        state_set_int(&r->st, STATE_ARI_AT, w.at, r->a);
        time_format_utc(w.at, when, sizeof when);
        log_v("ARI: new renewal window; renewing at %s", when);
    }
    if (expl[0] != '\0') {
        log_info("the CA explains its renewal window: %s", expl);
        state_set(&r->st, STATE_ARI_EXPLANATION, expl, r->a);
    } else {
        state_set(&r->st, STATE_ARI_EXPLANATION, NULL, r->a);
    }
    if (ra < 0)
        ra = RENEW_ARI_RECHECK;
    else if (ra < RENEW_ARI_RETRY_MIN)
        ra = RENEW_ARI_RETRY_MIN;
    else if (ra > RENEW_ARI_RETRY_MAX)
        ra = RENEW_ARI_RETRY_MAX;
    state_set_int(&r->st, STATE_ARI_NEXT_CHECK, now + ra, r->a);
    err_clear(); /* state_set can only fail on the arena: the state is then not saved */
}

static int issue(struct run *r)
{
    static uint8_t csr[CERT_CSR_MAX];
    static struct crypto_key key;
    const struct acme_config *cfg = r->cfg;
    struct acme *c = &r->c;
    const char *replaces = NULL, *key_pem = NULL;
    char *chain, when[40];
    size_t chain_len, csr_len, key_len = 0;
    struct x509_info leaf;
    int rc = -1;

    /* A typo in an output path must not cost an issuance (CA rate limits): check first. */
    if (install_check_paths(cfg) < 0) goto out;
    if (run_start(r) < 0 || acme_account_key(c) < 0 || acme_account(c) < 0) goto out;
    if (cert_key_csr(cfg, r->a, &key, &key_pem, &key_len, csr, &csr_len) < 0) goto out;
    if (r->have && r->certid[0] != '\0' && c->dir.renewal_info != NULL) replaces = r->certid;
    if (acme_issue_replacing(c, replaces, csr, csr_len, &chain, &chain_len) < 0) goto out;
    if (install_check(chain, chain_len, &key, cfg->domains, cfg->n_domains, r->a) < 0) goto out;
    if ((r->changed = install_files(cfg, key_pem, key_len, chain, chain_len, r->a)) < 0) goto out;
    rc = 0;
    {
        /* the check above parsed it; parse the leaf again for the message and the state */
        size_t pos = 0, dl;
        uint8_t *der = arena_alloc(r->a, chain_len, "certificate");
        if (der != NULL &&
            pem_next(chain, chain_len, &pos, "CERTIFICATE", NULL, der, chain_len, &dl) == 1 &&
            x509_parse(der, dl, &leaf) == 0) {
            time_format_utc(leaf.not_after, when, sizeof when);
            log_info("installed a certificate for %s%s, valid until %s", cfg->domains[0],
                     cfg->n_domains > 1 ? " and more" : "", when);
            r->x = leaf;
            r->have = 1;
            if (renew_certid(&leaf, r->certid, sizeof r->certid) < 0) r->certid[0] = '\0';
        }
        err_clear();
    }
out:
    cert_key_wipe(&key);
    return rc;
}

/* After a failed attempt: count it, set the next attempt (backoff) and keep the message. */
static int record_failure(struct run *r, int64_t now)
{
    int st = err_status() != ACME_OK ? err_status() : ACME_ELOCAL;
    char msg[1024], when[40];
    int64_t n;

    fmt_snprintf(msg, sizeof msg, "%s", err_msg());
    if (st == ACME_ECONFIG) return -1; /* fixing the config is what helps, not waiting */
    state_get_int(&r->st, STATE_FAILURES, 0, &n);
    if (n < 0 || n > 1000) n = 0;
    n++;
    time_format_utc(now + renew_backoff((unsigned)n), when, sizeof when);
    if (state_set_int(&r->st, STATE_FAILURES, n, r->a) < 0 ||
        state_set_int(&r->st, STATE_NEXT_ATTEMPT, now + renew_backoff((unsigned)n), r->a) < 0 ||
        state_set_text(&r->st, STATE_LAST_ERROR, msg, 400, r->a) < 0 || state_save(&r->st) < 0) {
        log_warn("cannot record the failure: %s", err_msg());
        return err_set(st, "%s", msg);
    }
    return err_set(st, "%s (attempt %d failed; next attempt after %s)", msg, (int)n, when);
}

static void record_success(struct run *r, int64_t now)
{
    state_set(&r->st, STATE_FAILURES, NULL, r->a);
    state_set(&r->st, STATE_NEXT_ATTEMPT, NULL, r->a);
    state_set(&r->st, STATE_LAST_ERROR, NULL, r->a);
    forget_ari(r);
    if (r->certid[0] != '\0') {
        int ari = r->c.dir.renewal_info != NULL;
        state_set(&r->st, STATE_ARI_CERTID, r->certid, r->a);
        state_set(&r->st, STATE_ARI_NONE, ari ? NULL : "1", r->a);
        state_set_int(&r->st, STATE_ARI_NEXT_CHECK,
                      now + (ari ? RENEW_ARI_RECHECK : RENEW_NO_ARI_RECHECK), r->a);
    } else {
        state_set(&r->st, STATE_ARI_CERTID, NULL, r->a);
        state_set(&r->st, STATE_ARI_NEXT_CHECK, NULL, r->a);
    }
    err_clear();
    save_state(r);
}

/* The backoff check: -1 (exit 3) while an earlier failure's backoff lasts. */
static int backoff_check(struct run *r, int64_t now)
{
    int64_t next, n;
    const char *last = state_get(&r->st, STATE_LAST_ERROR);
    char when[40];
    state_get_int(&r->st, STATE_NEXT_ATTEMPT, 0, &next);
    if (now >= next) return 0;
    state_get_int(&r->st, STATE_FAILURES, 0, &n);
    time_format_utc(next, when, sizeof when);
    return err_set(ACME_ETEMP,
                   "not trying again until %s: %d failed attempt(s) in a row, backing off "
                   "(-f ignores this); last error: %s",
                   when, (int)n, last != NULL ? last : "?");
}

static void jitter_sleep(const struct acme_config *cfg)
{
    uint8_t b[4];
    unsigned s;
    if (cfg->jitter <= 0) return;
    if (crypto_random(b, sizeof b) < 0) {
        err_clear();
        return;
    }
    s = renew_jitter((unsigned)cfg->jitter,
                     (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
    log_v("waiting %u s before contacting the CA (jitter = %d)", s, cfg->jitter);
    sys_sleep(s);
}

/* selfsign_fallback: the run failed and there is no certificate at all, so install a
 * self-signed one (the device's web UI gets TLS on first boot); the error stays the run's. */
static void selfsign_fallback(const struct acme_config *cfg, struct arena *a)
{
    int st = err_status();
    char msg[1024];
    fmt_snprintf(msg, sizeof msg, "%s", err_msg());
    if (install_selfsigned(cfg, a) < 0)
        log_warn("selfsign_fallback: %s", err_msg());
    else if (cfg->reload != NULL && hook_shell("reload", cfg->reload, 0) < 0)
        log_warn("selfsign_fallback: %s", err_msg());
    err_set(st, "%s", msg);
}

/* Returns 0 (installed), 1 (not due) or -1. Runs with the lock held. */
static int run_locked(struct run *r, int force)
{
    const struct acme_config *cfg = r->cfg;
    int64_t now = sys_now();
    char why[200];
    int have, absent;

    if (state_load(&r->st, cfg->state_dir, r->a) < 0) return -1;
    if ((have = installed_leaf(cfg, r->a, &r->x)) < 0) return -1;
    absent = !have;
    r->certid[0] = '\0';
    if (have && renew_certid(&r->x, r->certid, sizeof r->certid) < 0) {
        log_v("%s", err_msg());
        r->certid[0] = '\0';
    }
    err_clear();
    if (have && install_x509_selfsigned(&r->x) == 1) {
        /* A placeholder (selfsign, selfsign_fallback) is always due and replaced like a
         * missing certificate; unless it is the very one the CA sent (state says so), which
         * only a test CA does. */
        const char *id = state_get(&r->st, STATE_ARI_CERTID);
        if (r->certid[0] == '\0' || id == NULL || strcmp(id, r->certid) != 0) {
            log_info("%s is self-signed: getting a certificate from the CA", cfg->cert_file);
            have = 0;
            r->certid[0] = '\0';
        }
    }
    err_clear();
    r->have = have;
    if (have && !force) {
        struct renew_input in;
        ari_check(r, now);
        renew_input_from_state(&in, r->x.not_before, r->x.not_after, cfg->renew_days, &r->st,
                               r->certid[0] != '\0' ? r->certid : NULL);
        if (!renew_decide(&in, now, NULL, why, sizeof why)) {
            log_info("%s: %s", cfg->cert_file, why);
            save_state(r);
            return ACME_NOT_DUE;
        }
        save_state(r);
        if (backoff_check(r, now) < 0) return -1;
        log_info("renewing %s: %s", cfg->cert_file, why);
        jitter_sleep(cfg); /* cron runs only: not with -f, not for the first certificate */
    } else if (have) {
        log_v("renewing %s (forced)", cfg->cert_file);
    } else {
        if (!force && backoff_check(r, now) < 0) return -1;
        log_v("no certificate at %s: issuing one", cfg->cert_file);
    }
    if (issue(r) < 0) {
        record_failure(r, now);
        if (absent && config_selfsign_fallback(cfg)) selfsign_fallback(cfg, r->a);
        return -1;
    }
    record_success(r, sys_now());
    /* Flash wear and service restarts: nothing changed on disk, nothing to reload. */
    if (r->changed == 0)
        log_v("the installed files already hold this certificate: not running reload");
    else if (cfg->reload != NULL && hook_shell("reload", cfg->reload, 0) < 0)
        return err_prefix("the new certificate is installed, but");
    return ACME_OK;
}

/* The account key's name in state_dir (core/acme_account.c writes it). */
#define RUN_ACCOUNT_KEY ACME_ACCOUNT_KEY_FILE

/* A private key others can read is reported on every run (it is not changed: the owner may
 * have reasons, and install writes new keys 0600 anyway). */
static void warn_key_mode(const char *path)
{
    unsigned mode;
    int r = path != NULL ? sys_file_mode(path, &mode) : 0;
    if (r < 0) err_clear();
    if (r == 1 && (mode & 077) != 0)
        log_warn("%s: private key with mode %04o is accessible to group or others; "
                 "chmod 600 it",
                 path, mode);
}

/* config `user`: bind the responder's privileged port while still root, then drop to the
 * user. Everything written later (state_dir with its lock, account key and state; the key,
 * certificate, chain and fullchain files and links) is written as that user, so it must own
 * state_dir and be able to write the directories of the output files; that is checked before
 * the lock is taken (with an error naming the directory) rather than half-way through an
 * issuance. A bind that fails here (port in use) is retried, and reported, when the
 * responder starts, so that a run with nothing to do does not fail on it. */
static int drop_privileges(const struct acme_config *cfg)
{
    int rc = 0;
    if (cfg->challenge == CHALLENGE_HTTP01 && cfg->webroot == NULL)
        rc = http01_bind(cfg->http_listen);
    else if (cfg->challenge == CHALLENGE_TLSALPN01)
        rc = alpn_bind(cfg->alpn_listen);
    if (rc < 0) {
        log_v("%s (before dropping to user %s)", err_msg(), cfg->user);
        err_clear();
    }
    return sys_drop_privileges(cfg->user);
}

static int check_writable(const struct acme_config *cfg)
{
    const char *files[] = {cfg->key_file,  cfg->cert_file, cfg->chain_file,    cfg->fullchain_file,
                           cfg->link_cert, cfg->link_key,  cfg->link_fullchain};
    size_t i;
    if (sys_check_writable(cfg->state_dir, 1) < 0) return -1;
    for (i = 0; i < sizeof files / sizeof files[0]; i++)
        if (files[i] != NULL && sys_check_writable(files[i], 0) < 0) return -1;
    return 0;
}

int acme_run_transport(const struct acme_config *cfg, int force, struct transport *t)
{
    static struct run r;
    int fd = -1, rc;
    const char *account_key;

    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.a = run_arena();
    r.t = t;
    if (cfg->user != NULL && drop_privileges(cfg) < 0) return -1;
    if (dir_make(cfg->state_dir, 0700) < 0) return err_recode(ACME_ELOCAL);
    if (cfg->user != NULL && check_writable(cfg) < 0) return -1;
    if (sys_lock(cfg->state_dir, &fd) < 0) return -1;
    warn_key_mode(cfg->key_file);
    account_key = arena_printf(r.a, "account key path", "%s/%s", cfg->state_dir, RUN_ACCOUNT_KEY);
    warn_key_mode(account_key);
    err_clear();
    rc = run_locked(&r, force);
    run_close(&r);
    sys_unlock(fd);
    return rc;
}

int acme_run(const struct acme_config *cfg, int force)
{
    return acme_run_transport(cfg, force, NULL);
}
