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
#include "problem.h"
#include "rfc3339.h"
#include "renew.h"
#include "session.h"
#include "state.h"
#include "sys.h"
#include "transport.h"
#include "x509.h"
#include "fmt.h"

#define CERT_FILE_MAX (256 * 1024)

/* Reads the installed leaf: 1 with info filled, 0 when there is none (an error may be left
 * set: the callers clear it), -1 on an error. */
static int installed_leaf(const struct acme_config *cfg, struct arena *a, struct x509_info *x)
{
    char *text;
    size_t len, pos = 0, der_len;
    int missing = 0, r;
    uint8_t *der;
    if (file_read(cfg->cert_file, a, &text, &len, CERT_FILE_MAX, &missing) < 0) {
        return missing ? 0 : err_recode(ACME_ELOCAL);
    }
    if ((der = arena_alloc(a, len, "reading the certificate")) == NULL) return -1;
    r = pem_next(text, len, &pos, "CERTIFICATE", NULL, der, len, &der_len);
    if (r <= 0 || x509_parse(der, der_len, x) < 0) {
        log_warn("%s: %s; getting a new certificate", cfg->cert_file,
                 r == 0 ? "no certificate" : err_msg());
        return 0;
    }
    return 1;
}

/* One run: the session is connected only when first needed, so that a not-due run touches
 * neither the network nor the CA file. */
struct run {
    const struct acme_config *cfg;
    struct arena *a;
    struct session s; /* locked by acme_run_transport(), connected by run_start() */
    struct x509_info x;
    char certid[RENEW_CERTID_MAX]; /* of the installed certificate; "" when none (or no AKI) */
    int changed;                   /* files and links install_files() changed */
};

static int run_start(struct run *r, int what)
{
    return session_connect(&r->s, r->cfg, r->a, what);
}

static void save_state(struct run *r)
{
    if (state_save(&r->s.st) < 0) {
        log_warn("%s", err_msg());
        err_clear();
    }
}

/* The renewal keys of the state, in groups that state_clear() removes as ranges: from
 * KEYS_FAILURE the backoff (3 keys), from KEYS_WINDOW the ARI window with its explanation (4),
 * from KEYS_CERTID the certificate it is about and the next check (2), at KEYS_NONE "the CA
 * has no ARI". */
static const char *const renewal_keys[] = {
    STATE_FAILURES, STATE_NEXT_ATTEMPT,    STATE_LAST_ERROR, STATE_ARI_START,      STATE_ARI_END,
    STATE_ARI_AT,   STATE_ARI_EXPLANATION, STATE_ARI_CERTID, STATE_ARI_NEXT_CHECK, STATE_ARI_NONE};
#define KEYS_FAILURE 0
#define KEYS_WINDOW 3
#define KEYS_CERTID 7
#define KEYS_NONE 9
#define KEYS_ALL 10

/* Removes renewal_keys[from..to) from the state. */
static void state_clear(struct run *r, size_t from, size_t to)
{
    while (from < to)
        state_set(&r->s.st, renewal_keys[from++], NULL, r->a);
}

/* Stores the window w of an ARI answer: a moment in it is chosen once, uniformly, when it is
 * new. The seconds until the next check: the answer's Retry-After (ra) within limits. */
static long ari_window(struct run *r, struct renew_window *w, const char *expl, long ra)
{
    struct state *st = &r->s.st;
    struct renew_window old;
    char when[40];

    state_get_int(st, STATE_ARI_START, 0, &old.start);
    state_get_int(st, STATE_ARI_END, 0, &old.end);
    state_get_int(st, STATE_ARI_AT, 0, &old.at);
    if (old.start != w->start || old.end != w->end || old.at < w->start || old.at >= w->end) {
        uint64_t rnd = 0;
        if (crypto_random(&rnd, sizeof rnd) < 0) log_warn("%s", err_msg());
        w->at = renew_ari_pick(w->start, w->end, rnd);
        state_set_int(st, STATE_ARI_START, w->start, r->a);
        state_set_int(st, STATE_ARI_END, w->end, r->a);
        state_set_int(st, STATE_ARI_AT, w->at, r->a);
        time_format_utc(w->at, when, sizeof when);
        log_v("ARI: new renewal window; renewing at %s", when);
    }
    if (expl[0] != '\0') log_info("the CA explains its renewal window: %s", expl);
    state_set(st, STATE_ARI_EXPLANATION, expl[0] != '\0' ? expl : NULL, r->a);
    if (ra < 0) return RENEW_ARI_RECHECK;
    if (ra < RENEW_ARI_RETRY_MIN) return RENEW_ARI_RETRY_MIN;
    return ra > RENEW_ARI_RETRY_MAX ? RENEW_ARI_RETRY_MAX : ra;
}

/* Records in the state whether the CA (its directory) offers renewalInfo: 1 when it does. */
static int ari_offered(struct run *r)
{
    int ari = r->s.c.dir.renewal_info != NULL;
    state_set(&r->s.st, STATE_ARI_NONE, ari ? NULL : "1", r->a);
    return ari;
}

/* Asks the CA for the installed certificate's renewal window when a check is due (the stored
 * next-check time has passed); otherwise makes no request. ARI failures only warn: the
 * lifetime rule (or the window from an earlier answer) decides then. May leave an error set. */
static void ari_check(struct run *r, int64_t now)
{
    struct state *st = &r->s.st;
    struct renew_window w;
    const char *id = state_get(st, STATE_ARI_CERTID);
    char expl[512], when[40];
    int64_t next;
    long ra, recheck = RENEW_ARI_RETRY_FAILED;
    int ok;

    if (r->certid[0] == '\0') return;
    if (id == NULL || strcmp(id, r->certid) != 0) { /* about another certificate: start over */
        state_clear(r, KEYS_WINDOW, KEYS_ALL);
        state_set(st, STATE_ARI_CERTID, r->certid, r->a);
    }
    state_get_int(st, STATE_ARI_NEXT_CHECK, 0, &next);
    if (now < next) {
        time_format_utc(next, when, sizeof when);
        log_v("ARI: next check after %s", when);
        return;
    }
    if (run_start(r, SESSION_DIRECTORY) < 0) {
        ok = 0;
    } else if (!ari_offered(r)) {
        log_v("ARI: the CA has no renewalInfo; lifetime rule");
        state_clear(r, KEYS_WINDOW, KEYS_CERTID);
        recheck = RENEW_NO_ARI_RECHECK;
        ok = 1;
    } else {
        ok = acme_renewal_info(&r->s.c, r->certid, &w, expl, sizeof expl, &ra) == 0;
        if (ok) recheck = ari_window(r, &w, expl, ra);
    }
    if (!ok) log_warn("ARI check failed: %s", err_msg()); /* the decision names the rule used */
    state_set_int(st, STATE_ARI_NEXT_CHECK, now + recheck, r->a);
}

static int issue(struct run *r)
{
    static uint8_t csr[CERT_CSR_MAX];
    static struct crypto_key key;
    const struct acme_config *cfg = r->cfg;
    struct acme *c = &r->s.c;
    const char *replaces = NULL, *key_pem = NULL;
    char *chain, when[40];
    size_t chain_len, csr_len, key_len = 0;
    int rc = -1;

    /* A typo in an output path must not cost an issuance (CA rate limits): check first. */
    if (install_check_paths(cfg) < 0 || run_start(r, SESSION_ACCOUNT) < 0 ||
        cert_key_csr(cfg, r->a, &key, &key_pem, &key_len, csr, &csr_len) < 0)
        goto out;
    if (r->certid[0] != '\0' && c->dir.renewal_info != NULL) replaces = r->certid;
    if (acme_issue_replacing(c, replaces, csr, csr_len, &chain, &chain_len) < 0 ||
        (r->changed = acme_install(cfg, r->a, &key, key_pem, key_len, chain, chain_len)) < 0)
        goto out;
    rc = 0;
    /* the new leaf, for the message and the state */
    if (installed_leaf(cfg, r->a, &r->x) == 1) {
        time_format_utc(r->x.not_after, when, sizeof when);
        log_info("installed a certificate for %s%s, valid until %s", cfg->domains[0],
                 cfg->n_domains > 1 ? " and more" : "", when);
        if (renew_certid(&r->x, r->certid, sizeof r->certid) < 0) r->certid[0] = '\0';
    }
    err_clear();
out:
    cert_key_wipe(&key);
    return rc;
}

/* After a failed attempt: count it, set the next attempt (backoff) and keep the message. */
static int record_failure(struct run *r, int64_t now)
{
    struct state *st = &r->s.st;
    struct held_error held;
    char when[40];
    int64_t n, next;

    error_hold(&held);
    if (held.status == ACME_OK) held.status = ACME_ELOCAL;
    if (held.status == ACME_ECONFIG) return -1; /* fixing the config is what helps, not waiting */
    state_get_int(st, STATE_FAILURES, 0, &n);
    if (n < 0 || n > 1000) n = 0;
    n++;
    next = now + renew_backoff((unsigned)n);
    time_format_utc(next, when, sizeof when);
    if (state_set_int(st, STATE_FAILURES, n, r->a) < 0 ||
        state_set_int(st, STATE_NEXT_ATTEMPT, next, r->a) < 0 ||
        state_set_text(st, STATE_LAST_ERROR, held.msg, 400, r->a) < 0 || state_save(st) < 0) {
        log_warn("cannot record the failure: %s", err_msg());
        return error_restore(&held);
    }
    return err_set(held.status, "%s (attempt %d failed; next attempt after %s)", held.msg, (int)n,
                   when);
}

static void record_success(struct run *r, int64_t now)
{
    struct state *st = &r->s.st;
    /* the ARI keys are about the new certificate now, when it has a certID */
    state_clear(r, KEYS_FAILURE, KEYS_NONE);
    if (r->certid[0] != '\0') {
        state_set(st, STATE_ARI_CERTID, r->certid, r->a);
        state_set_int(st, STATE_ARI_NEXT_CHECK,
                      now + (ari_offered(r) ? RENEW_ARI_RECHECK : RENEW_NO_ARI_RECHECK), r->a);
    }
    err_clear();
    save_state(r);
}

/* The backoff check: -1 (exit 3) while an earlier failure's backoff lasts. */
static int backoff_check(struct run *r, int64_t now)
{
    const struct state *st = &r->s.st;
    int64_t next, n;
    const char *last = state_get(st, STATE_LAST_ERROR);
    char when[40];
    state_get_int(st, STATE_NEXT_ATTEMPT, 0, &next);
    if (now >= next) return 0;
    state_get_int(st, STATE_FAILURES, 0, &n);
    time_format_utc(next, when, sizeof when);
    return err_set(ACME_ETEMP,
                   "backing off until %s after %d failed attempt(s) (-f ignores this); last "
                   "error: %s",
                   when, (int)n, last != NULL ? last : "?");
}

static void jitter_sleep(const struct acme_config *cfg)
{
    uint32_t rnd;
    unsigned s;
    if (cfg->jitter <= 0) return;
    if (crypto_random(&rnd, sizeof rnd) < 0) {
        err_clear();
        return;
    }
    s = renew_jitter((unsigned)cfg->jitter, rnd);
    log_v("jitter: waiting %u s before contacting the CA", s);
    sys_sleep(s);
}

/* selfsign_fallback: the run failed and there is no certificate at all, so install a
 * self-signed one (the device's web UI gets TLS on first boot); the error stays the run's. */
static void selfsign_fallback(const struct acme_config *cfg, struct arena *a)
{
    struct held_error held;
    error_hold(&held);
    if (install_selfsigned(cfg, a) < 0 || acme_reload(cfg, 1) < 0)
        log_warn("selfsign_fallback: %s", err_msg());
    error_restore(&held);
}

/* Returns 0 (installed), 1 (not due) or -1. Runs with the lock held. */
static int run_locked(struct run *r, int force)
{
    const struct acme_config *cfg = r->cfg;
    struct state *st = &r->s.st;
    int64_t now = sys_now();
    char why[200];
    int have, absent, due;

    if (state_load(st, cfg->state_dir, r->a) < 0) return -1;
    if ((have = installed_leaf(cfg, r->a, &r->x)) < 0) return -1;
    absent = !have;
    if (have && renew_certid(&r->x, r->certid, sizeof r->certid) < 0) {
        log_v("%s", err_msg());
        r->certid[0] = '\0';
    }
    if (have && install_x509_selfsigned(&r->x) == 1) {
        /* A placeholder (selfsign, selfsign_fallback) is always due and replaced like a
         * missing certificate; unless it is the very one the CA sent (state says so), which
         * only a test CA does. */
        const char *id = state_get(st, STATE_ARI_CERTID);
        if (r->certid[0] == '\0' || id == NULL || strcmp(id, r->certid) != 0) {
            log_info("%s is self-signed: getting one from the CA", cfg->cert_file);
            have = 0;
            r->certid[0] = '\0';
        }
    }
    err_clear();
    if (have && !force) {
        struct renew_input in;
        ari_check(r, now);
        err_clear(); /* its failures only warn; state_set can only fail on the arena */
        renew_input_from_state(&in, r->x.not_before, r->x.not_after, cfg->renew_days, st,
                               r->certid[0] != '\0' ? r->certid : NULL);
        due = renew_decide(&in, now, NULL, why, sizeof why);
        save_state(r);
        if (!due) {
            log_info("%s: %s", cfg->cert_file, why);
            return ACME_NOT_DUE;
        }
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
    return acme_reload(cfg, r->changed);
}

int acme_install(const struct acme_config *cfg, struct arena *a, const struct crypto_key *key,
                 const char *key_pem, size_t key_len, const char *chain, size_t chain_len)
{
    if (install_check(chain, chain_len, key, cfg->domains, cfg->n_domains, a) < 0) return -1;
    return install_files(cfg, key_pem, key_len, chain, chain_len, a);
}

int acme_reload(const struct acme_config *cfg, int changed)
{
    if (changed == 0)
        log_v("installed files unchanged: not running reload");
    else if (cfg->reload != NULL && hook_shell("reload", cfg->reload, 0) < 0)
        return err_prefix("the new certificate is installed, but");
    return 0;
}

/* A private key others can read is reported on every run (it is not changed: the owner may
 * have reasons, and install writes new keys 0600 anyway). */
static void warn_key_mode(const char *path)
{
    unsigned mode;
    int r = path != NULL ? sys_file_mode(path, &mode) : 0;
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
    static const unsigned short files[] = {
        offsetof(struct acme_config, key_file),      offsetof(struct acme_config, cert_file),
        offsetof(struct acme_config, chain_file),    offsetof(struct acme_config, fullchain_file),
        offsetof(struct acme_config, link_cert),     offsetof(struct acme_config, link_key),
        offsetof(struct acme_config, link_fullchain)};
    const char *f;
    size_t i;
    if (sys_check_writable(cfg->state_dir, 1) < 0) return -1;
    for (i = 0; i < sizeof files / sizeof files[0]; i++)
        if ((f = *(const char *const *)(const void *)((const char *)cfg + files[i])) != NULL &&
            sys_check_writable(f, 0) < 0)
            return -1;
    return 0;
}

int acme_run_transport(const struct acme_config *cfg, int force, struct transport *t)
{
    static struct run r;
    int rc;

    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.a = run_arena();
    r.s.t = t;
    if (cfg->user != NULL && drop_privileges(cfg) < 0) return -1;
    if (dir_make(cfg->state_dir, 0700) < 0) return err_recode(ACME_ELOCAL);
    if (cfg->user != NULL && check_writable(cfg) < 0) return -1;
    if (sys_lock(cfg->state_dir, &r.s.lock_fd) < 0) return -1;
    r.s.open = 1;
    warn_key_mode(cfg->key_file);
    warn_key_mode(acme_account_key_path(cfg, r.a));
    err_clear();
    rc = run_locked(&r, force);
    session_close(&r.s);
    return rc;
}

int acme_run(const struct acme_config *cfg, int force)
{
    return acme_run_transport(cfg, force, NULL);
}
